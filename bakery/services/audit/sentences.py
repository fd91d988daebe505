"""What each kind of audit event says in plain words: one template per action.

A template names its parts in braces: `{actor}` (who acted), `{till}` (where), `{target}` (what it
was done to, by name) and any detail of the event (`{amount}`, `{reason}`...). A part in square
brackets is left out when a name in it is missing, so older events still read as sentences.
`{changes}` lists the fields an edit changed, before and after.

Safeguarding sentences never show a reason or the fields changed: the log says that a record was
read or changed and by whom, nothing of what it holds.
"""

from __future__ import annotations

SENTENCES: dict[str, str] = {
    # signing in and out
    "auth.signed_in": "{actor} signed in[ {place}][ at {till}]",
    "auth.signed_out": "{target} signed out[ at {till}]",
    "auth.till_locked": "{target} was signed out when the till locked[ at {till}]",
    "auth.switched": "{target} was signed out when someone else switched in[ at {till}]",
    "auth.wrong_pin": "A wrong PIN was entered for {target}[ at {till}]",
    "auth.wrong_password": "A wrong password was entered for {target}",
    "auth.locked": "{target} was locked out after too many wrong attempts[, until {until}]",
    "auth.refused_locked": "{target} was refused while locked out[ at {till}]",
    "auth.unknown_email": "Someone tried to sign in with an unknown email[ ({email})]",
    "auth.pin_unpaired_device": "A PIN for {target} was refused on a tablet not paired with a till",
    "hours.clock_unpaired_device": "A clock-in for {target} was refused on a tablet not paired with a till",
    "access.denied": "{actor} was refused permission to {page}",
    # users and roles
    "user.created": "{actor} added {target} as {role}[ {with_pin}]",
    "user.role_changed": "{actor} changed {target}'s role from {from} to {to}",
    "user.pin_changed": "{actor} set a new till PIN for {target}",
    "user.password_changed": "{actor} set a new password for {target}",
    "user.unlocked": "{actor} unlocked {target}",
    "user.activated": "{actor} reactivated {target}",
    "user.deactivated": "{actor} deactivated {target}",
    "user.safeguarding_granted": "{actor} gave {target} access to safeguarding records",
    "user.safeguarding_revoked": "{actor} took away {target}'s access to safeguarding records",
    # tills, sales and the drawer
    "till.created": "{actor} added the till {target}",
    "till.paired": "{actor} paired a tablet[ ({device})] with the till {target}",
    "till.unpaired": "{actor} unpaired a tablet[ ({device})] from the till {target}",
    "till.opened": "{actor} opened {target}[ with a float of {float}]",
    "till.paid_in": "{actor} paid {amount} into {target}[, reason: {reason}]",
    "till.paid_out": "{actor} paid {amount} out of {target}[, reason: {reason}]",
    "till.closed": "{actor} closed {target}[ with Z report {z_no}][, variance {variance}]",
    "till.x_report_printed": "{actor} printed an X report at {target}",
    "till.no_sale": "{actor} opened the drawer of {target} without a sale[, reason: {reason}]"
    "[, authorised by {authorised_by}]",
    "till.line_discount": "{actor} took {discount} off a line of {target}[, reason: {reason}]"
    "[, authorised by {authorised_by}]",
    "till.markdown": "{actor} marked down {lines} lines of {target} by {markdown_bp}[, {discount} off]",
    "till.basket_discount": "{actor} took {discount} off {target}[, reason: {reason}]"
    "[, authorised by {authorised_by}]",
    "till.basket_parked": "{actor} parked {target}[ as “{name}”]",
    "till.basket_recalled": "{actor} recalled {target}[ (“{name}”)]",
    "till.basket_voided": "{actor} voided {target}[ with {items} items]",
    "till.refund": "{actor} refunded {total} on {target}[, reason: {reason}]"
    "[, authorised by {authorised_by}]",
    # printing
    "print.reprint": "{actor} reprinted {target}[ (copy {copy})]",
    "print.retried": "{actor} retried printing for {target}[ ({jobs} jobs)]",
    "print.cancelled": "{actor} cancelled printing for {target}[ ({jobs} jobs)]",
    "printer.created": "{actor} added the printer {target}",
    "printer.updated": "{actor} changed the printer {target}",
    "printer.token_issued": "{actor} issued a new agent token for the printer {target}",
    "printer.token_revoked": "{actor} revoked the agent token of the printer {target}",
    "printer.test_page": "{actor} printed a test page on {target}",
    # members, shares and hours
    "member_class.created": "{actor} added the member class {target}",
    "member_class.changed": "{actor} changed the member class {target}[: {changes}]",
    "member.created": "{actor} added {target}",
    "member.changed": "{actor} changed {target}[: {changes}]",
    "member.card_reissued": "{actor} issued a new card for {target}",
    "member.data_exported": "{actor} downloaded the data held on {target}",
    "shares.bought": "{actor} recorded {amount} of shares bought by {target}[; they now hold {balance}]",
    "shares.withdrawn": "{actor} recorded {amount} of shares withdrawn by {target}"
    "[; they now hold {balance}]",
    "shares.dividend": "{actor} added a dividend of {amount} to the shares of {target}",
    "safeguarding.read": "{actor} opened the safeguarding record of {target}",
    "safeguarding.changed": "{actor} changed the safeguarding record of {target}",
    "safeguarding.denied": "{actor} was refused the safeguarding record of {target}",
    "hours.clocked_in": "{actor} clocked in[ at {till}]",
    "hours.clocked_out": "{actor} clocked out[ at {till}][ after a {break_minutes}-minute break]",
    "hours.corrected": "{actor} corrected {target}[, reason: {reason}]",
    "hours.approved": "{actor} approved {target}[ ({minutes} minutes)]",
    "hours.member_confirmed": "{actor} confirmed {target}",
    "hours.member_flagged": "{actor} said {target} is wrong[: {comment}]",
    "rota.role_saved": "{actor} saved the rota role {name}",
    "rota.skill_saved": "{actor} added the skill {name}",
    "rota.skill_granted": "{actor} recorded a skill held by {target}[, expiring {expires}]",
    "rota.skill_revoked": "{actor} recorded that {target} no longer holds a skill",
    "rota.profile_set": "{actor} set {target}'s rota hours limit and rate",
    "rota.shift_added": "{actor} planned a {role} shift[ for {target}] on {when}",
    "rota.shift_changed": "{actor} changed a {role} shift[ of {target}] to {when}[, was {before}]",
    "rota.shift_removed": "{actor} removed a {role} shift[ of {target}] on {when}",
    "rota.published": "{actor} published the rota for the week of {week}[ ({shifts} shifts)]",
    "rota.week_copied": "{actor} copied last week's rota into the week of {week}[ ({shifts} shifts)]",
    "rota.template_saved": "{actor} saved the rota template {name}[ ({shifts} shifts)]",
    "rota.template_applied": (
        "{actor} applied the rota template {name} to the week of {week}[ ({shifts} shifts)]"
    ),
    "rota.availability_added": "{actor} stated a time {target} can or cannot work",
    "rota.availability_removed": "{actor} removed a time {target} had stated",
    "rota.swap_requested": "{actor} asked for a swap of {target}'s shift on {when}",
    "rota.swap_accepted": "{actor} offered to take {target}'s shift on {when}",
    "rota.swap_withdrawn": "{actor} withdrew {target}'s swap request",
    "rota.swap_approved": "{actor} approved the swap of {target}'s shift on {when}",
    "rota.swap_refused": "{actor} refused the swap of {target}'s shift on {when}",
    "rota.time_off_requested": "{actor} asked for time off for {target} from {from} to {to}",
    "rota.time_off_withdrawn": "{actor} withdrew {target}'s time off",
    "rota.time_off_approved": "{actor} approved {target}'s time off from {from} to {to}",
    "rota.time_off_refused": "{actor} refused {target}'s time off from {from} to {to}",
    "rota.feed_made": "{actor} made a calendar address for {target}'s shifts",
    "rota.feed_reset": "{actor} replaced the calendar address for {target}'s shifts (the old one stopped)",
    "rota.feed_stopped": "{actor} stopped the calendar address for {target}'s shifts",
    # the catalogue
    "tax_category.created": "{actor} added the tax category {target}",
    "tax_category.changed": "{actor} changed the tax category {target}[: {changes}]",
    "category.created": "{actor} added the category {target}",
    "category.changed": "{actor} changed the category {target}[: {changes}]",
    # stock, recipes and bakes
    "stock.item_created": "{actor} added the stock item {target}",
    "stock.item_changed": "{actor} changed the stock item {target}",
    "stock.unit_added": "{actor} said {target} comes in a {unit}",
    "stock.supplier_saved": "{actor} saved the supplier {target}",
    "stock.partner_saved": "{actor} saved the partner {target}",
    "stock.delivery": "{actor} took in {target}[ costing {cost}]",
    "stock.delivery_corrected": "{actor} corrected {target}[, reason: {reason}]",
    "stock.recipe_created": "{actor} added the recipe {target}",
    "stock.recipe_changed": "{actor} changed the recipe {target}",
    "stock.product_making": "{actor} said {target} is {make}",
    "stock.baked": "{actor} recorded {qty} of {target} baked[ as batch {batch}][ costing {cost}]",
    "stock.labels_printed": "{actor} printed {labels} labels for {target}[, batch {batch}][ on {printer}]",
    "stock.waste": "{actor} wasted {qty} of {target}[ ({reason})][, worth {value}]",
    "stock.donation": "{actor} gave {qty} of {target}[ to {partner}][, worth {value}]",
    "stock.plan_accepted": "{actor} accepted the bake plan for {day}[: {units} units]",
    "stock.production_list_printed": "{actor} printed the production list for {day} on {target}",
    "stock.count_started": "{actor} started a stock take of {location}",
    "stock.count_approved": "{actor} approved the stock take of {location}[: {lines} lines counted]"
    "[, {changed} changed][, variance worth {value}]",
    "stock.count_cancelled": "{actor} cancelled the stock take of {location}",
    "product.created": "{actor} added the product {target}[ at {price}]",
    "product.changed": "{actor} changed the product {target}[: {changes}]",
    "product.variant_added": "{actor} added the variant {name} to {target}[ at {price}]",
    "product.variant_removed": "{actor} removed the variant {name} from {target}",
    "product.modifier_groups_set": "{actor} changed the modifier groups of {target}",
    "modifier_group.created": "{actor} added the modifier group {target}",
    "modifier_group.changed": "{actor} changed the modifier group {target}[: {changes}]",
    "modifier_group.option_added": "{actor} added the option {name}[ ({price_delta})] to {target}",
    "modifier_group.option_removed": "{actor} removed the option {name} from {target}",
    # periods and dividends
    "period.created": "{actor} opened the financial period {target}[ ({starts_on} to {ends_on})]",
    "allocation.proposed": "{actor} proposed {target}[ with a surplus of {surplus}]"
    "[ recording a loss of {loss}]",
    "allocation.approved": "{actor} approved {target}[ (resolution {resolution_ref})]",
    "allocation.withdrawn": "{actor} withdrew {target}",
    "allocation.integrity_failed": "{target} failed its integrity check[: {why}]",
    "opening.imported": "{actor} imported opening balances from the old system into {target}"
    "[: {rows} rows for {members} members][, {purchases} of purchases][ and {hours} of hours]"
    "[ from the file {file}][, replacing import #{replaced}]",
    "dividend.paid": "{actor} paid {target} a dividend of {amount}[ as {method}]",
    "dividend.paid_in_bulk": "{actor} paid {count} dividends of {target}[, {amount} in all][, as {method}]",
    # the shop
    "settings.changed": "{actor} changed the settings[: {changes}]",
    "demo.loaded": "The demo shop was loaded",
}

#: Shown for an action with no template: still a sentence, never the event's raw details.
FALLBACK = "{actor}: {what}[ ({target})]"

#: Details that are amounts of money (integer pence); the verb already says which way it went
#: for those in ABSOLUTE_MONEY, so a paid-out or a refund reads "£2.00", not "-£2.00".
MONEY = frozenset(
    {
        "amount",
        "total",
        "float",
        "variance",
        "discount",
        "price",
        "price_delta",
        "surplus",
        "loss",
        "balance",
        "purchases",
        "cost",
        "value",
    }
)
ABSOLUTE_MONEY = frozenset({"amount", "total"})

#: Choices for the log's filter: an action prefix and what it covers.
FILTERS: dict[str, str] = {
    "": "Anything",
    "till.refund": "Refunds",
    "till.": "Tills, sales and the drawer",
    "auth.signed_in": "Sign-ins",
    "auth.": "Signing in and out",
    "user.": "Users and roles",
    "print": "Printing",
    "member": "Members",
    "shares.": "Shares",
    "safeguarding.": "Safeguarding",
    "hours.": "Hours",
    "rota.": "Rota",
    "product.": "Products",
    "stock.": "Stock, recipes and bakes",
    "category.": "Categories",
    "tax_category.": "Tax categories",
    "modifier_group.": "Modifier groups",
    "period.": "Financial periods",
    "allocation.": "Allocations",
    "dividend.": "Dividend payouts",
    "opening.": "Opening balances imported",
    "settings.": "Settings",
    "access.": "Refused access",
}
