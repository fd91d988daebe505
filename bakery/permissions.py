"""Who may use which endpoint: one map, checked before every request.

An endpoint missing from the map is refused (fail closed), and a test walks `url_map` so that a
new route cannot ship without a line here.
"""

from __future__ import annotations

from enum import StrEnum


class Access(StrEnum):
    """The kinds of caller an endpoint admits."""

    PUBLIC = "public"  # anyone, signed in or not
    DEVICE = "device"  # a tablet paired with a till (no user yet)
    TILL = "till"  # staff signed in with their PIN on a paired till
    SIGNED_IN = "signed_in"  # anyone signed in with a password (objects are scoped in the view)
    MEMBER = "member"  # a signed-in user with a member record
    MANAGER = "manager"  # managers and admins, signed in with a password
    ADMIN = "admin"  # admins only


PERMISSIONS: dict[str, Access] = {
    "static": Access.PUBLIC,
    # auth
    "auth.home": Access.PUBLIC,
    "auth.sign_in": Access.PUBLIC,
    "auth.sign_out": Access.PUBLIC,
    # till
    "till.home": Access.PUBLIC,
    "till.pin_pad": Access.DEVICE,
    "till.enter_pin": Access.DEVICE,
    "till.lock": Access.TILL,
    "till.sell": Access.TILL,
    "till.open_till": Access.TILL,
    "till.show_category": Access.TILL,
    "till.show_picker": Access.TILL,
    "till.add_line": Access.TILL,
    "till.change_qty": Access.TILL,
    "till.remove_line": Access.TILL,
    "till.set_eat_in": Access.TILL,
    "till.show_void": Access.TILL,
    "till.void_basket": Access.TILL,
    "till.pay": Access.TILL,
    "till.cancel_payments": Access.TILL,
    "till.show_basket": Access.TILL,
    "till.show_receipt": Access.TILL,
    "till.print_receipt": Access.TILL,
    "till.show_receipt_qr": Access.TILL,
    # till: cash (X/Z reports, paid in/out)
    "till.print_x_report": Access.TILL,
    "till.show_cash": Access.TILL,
    "till.pay_in_out": Access.TILL,
    "till.show_close": Access.TILL,
    "till.close_till": Access.TILL,
    "till.show_z_report": Access.TILL,
    # till: refunds
    "till.find_sale": Access.TILL,
    "till.show_refund": Access.TILL,
    "till.show_refund_line": Access.TILL,
    "till.refund_sale": Access.TILL,
    # till: members, discounts, parked baskets, search
    "till.show_line_options": Access.TILL,
    "till.update_line": Access.TILL,
    "till.discount_line": Access.TILL,
    "till.show_basket_discount": Access.TILL,
    "till.discount_basket": Access.TILL,
    "till.attach_member": Access.TILL,
    "till.detach_member": Access.TILL,
    "till.park_basket": Access.TILL,
    "till.show_parked": Access.TILL,
    "till.recall_basket": Access.TILL,
    "till.search_products": Access.TILL,
    "till.scan_code": Access.TILL,
    # hours (clock in/out, timesheets)
    "till.show_clock": Access.DEVICE,
    "till.show_clock_pad": Access.DEVICE,
    "till.clock_in_out": Access.DEVICE,
    "rota.show_timesheets": Access.MANAGER,
    "rota.show_who_is_in": Access.MANAGER,
    "rota.edit_entry": Access.MANAGER,
    "rota.correct_entry": Access.MANAGER,
    "rota.approve_entry": Access.MANAGER,
    "rota.approve_week": Access.MANAGER,
    "rota.export_timesheets": Access.MANAGER,
    "members.show_hours": Access.MEMBER,
    "members.show_hours_entry": Access.MEMBER,
    "members.confirm_hours": Access.MEMBER,
    "members.flag_hours": Access.MEMBER,
    # office (managers)
    # printing (printers admin, print jobs, agent API)
    "printing.list_printers": Access.ADMIN,
    "printing.create_printer": Access.ADMIN,
    "printing.edit_printer": Access.ADMIN,
    "printing.update_printer": Access.ADMIN,
    "printing.issue_token": Access.ADMIN,
    "printing.revoke_token": Access.ADMIN,
    "printing.print_test_page": Access.ADMIN,
    "printing.list_jobs": Access.ADMIN,
    "printing.retry_job": Access.ADMIN,
    "printing.cancel_job": Access.ADMIN,
    # the status poll needs only the paired tablet: it must not keep an idle staff session alive
    "printing.show_printer_status": Access.DEVICE,
    "printing.retry_printing": Access.TILL,
    "printing.cancel_printing": Access.TILL,
    "printing.reprint_receipt": Access.TILL,
    "printing.dismiss_uncertain_receipt": Access.TILL,
    "printing.show_no_sale": Access.TILL,
    "printing.open_drawer": Access.TILL,
    "printing.show_digital_receipt": Access.PUBLIC,  # the unguessable link on the receipt's QR code
    # the agent authenticates with its printer's Bearer token, checked in the view (401 otherwise)
    "printing.claim_job": Access.PUBLIC,
    "printing.finish_job": Access.PUBLIC,
    "printing.fail_job": Access.PUBLIC,
    "admin.dashboard": Access.MANAGER,
    "admin.list_tills": Access.MANAGER,
    "admin.create_till": Access.MANAGER,
    "admin.pair_device": Access.MANAGER,
    "admin.revoke_device": Access.MANAGER,
    "admin.audit_log": Access.MANAGER,
    "admin.show_ledger": Access.MANAGER,
    "admin.unlock_user": Access.MANAGER,
    # stock and catalogue (managers)
    "stock.list_products": Access.MANAGER,
    "stock.create_product": Access.MANAGER,
    "stock.edit_product": Access.MANAGER,
    "stock.update_product": Access.MANAGER,
    "stock.add_variant": Access.MANAGER,
    "stock.remove_variant": Access.MANAGER,
    "stock.choose_modifier_groups": Access.MANAGER,
    "stock.list_categories": Access.MANAGER,
    "stock.create_category": Access.MANAGER,
    "stock.edit_category": Access.MANAGER,
    "stock.update_category": Access.MANAGER,
    "stock.list_tax_categories": Access.MANAGER,
    "stock.create_tax_category": Access.MANAGER,
    "stock.edit_tax_category": Access.MANAGER,
    "stock.update_tax_category": Access.MANAGER,
    "stock.list_modifier_groups": Access.MANAGER,
    "stock.create_modifier_group": Access.MANAGER,
    "stock.edit_modifier_group": Access.MANAGER,
    "stock.update_modifier_group": Access.MANAGER,
    "stock.add_modifier_option": Access.MANAGER,
    "stock.remove_modifier_option": Access.MANAGER,
    # admin
    "admin.edit_settings": Access.ADMIN,
    "admin.list_users": Access.ADMIN,
    "admin.create_user": Access.ADMIN,
    "admin.edit_user": Access.ADMIN,
    "admin.update_user": Access.ADMIN,
    "admin.set_user_pin": Access.ADMIN,
    "admin.set_user_password": Access.ADMIN,
    "admin.set_user_safeguarding": Access.ADMIN,
    # dividends (admin)
    "dividends.list_periods": Access.ADMIN,
    "dividends.create_period": Access.ADMIN,
    "dividends.show_period": Access.ADMIN,
    "dividends.close_period_early": Access.ADMIN,
    "dividends.preview_allocation": Access.ADMIN,
    "dividends.propose_allocation": Access.ADMIN,
    "dividends.show_allocation": Access.ADMIN,
    "dividends.approve_allocation": Access.ADMIN,
    "dividends.withdraw_allocation": Access.ADMIN,
    "dividends.list_payouts": Access.ADMIN,
    "dividends.record_payout": Access.ADMIN,
    "dividends.pay_remaining": Access.ADMIN,
    "dividends.download_statement": Access.ADMIN,
    "dividends.show_opening": Access.ADMIN,
    "dividends.upload_opening": Access.ADMIN,
    "dividends.show_opening_preview": Access.ADMIN,
    "dividends.confirm_opening": Access.ADMIN,
    # dividends (member area): the member's own pages only; anyone else's number answers 404
    "members.show_purchases": Access.MEMBER,
    "members.show_dividend_estimate": Access.MEMBER,
    "members.list_statements": Access.MEMBER,
    "members.download_statement": Access.MEMBER,
    # members (admin): managers read, admins change; safeguarding admits managers so that a
    # refused attempt reaches the service, which checks `can_safeguard` and audits the refusal
    "members.list_member_classes": Access.MANAGER,
    "members.create_member_class": Access.ADMIN,
    "members.edit_member_class": Access.ADMIN,
    "members.update_member_class": Access.ADMIN,
    "members.list_members": Access.MANAGER,
    "members.export_members": Access.MANAGER,
    "members.view_member": Access.MANAGER,
    "members.new_member": Access.ADMIN,
    "members.create_member": Access.ADMIN,
    "members.edit_member": Access.ADMIN,
    "members.update_member": Access.ADMIN,
    "members.buy_shares": Access.ADMIN,
    "members.withdraw_shares": Access.ADMIN,
    "members.reissue_card": Access.ADMIN,
    "members.print_card": Access.ADMIN,
    "members.show_safeguarding": Access.MANAGER,
    "members.read_safeguarding": Access.MANAGER,
    "members.update_safeguarding": Access.MANAGER,
    # members
    "members.me": Access.MEMBER,
    "members.show_member": Access.SIGNED_IN,
    "members.download_card": Access.MEMBER,
    "members.export_member_data": Access.MEMBER,
}
