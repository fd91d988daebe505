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
    "till.void_basket": Access.TILL,
    "till.pay": Access.TILL,
    "till.cancel_payments": Access.TILL,
    "till.show_basket": Access.TILL,
    "till.show_receipt": Access.TILL,
    # till: cash (X/Z reports, paid in/out)
    # till: refunds
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
    # office (managers)
    # printing (printers admin, print jobs, agent API)
    "admin.dashboard": Access.MANAGER,
    "admin.list_tills": Access.MANAGER,
    "admin.create_till": Access.MANAGER,
    "admin.pair_device": Access.MANAGER,
    "admin.revoke_device": Access.MANAGER,
    "admin.audit_log": Access.MANAGER,
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
    # members
    "members.me": Access.MEMBER,
    "members.show_member": Access.SIGNED_IN,
}
