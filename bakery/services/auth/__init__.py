"""Who may do what: users and roles, passwords and PINs with lock-outs, sessions, and a manager's
PIN authorising a refund, a discount or a no-sale.
"""

from bakery.services.auth.sign_in import (
    PIN_PATTERN,
    NewSession,
    SignInRefused,
    authorise_manager,
    check_till_pin,
    hash_secret,
    hash_token,
    managers,
    session_for_token,
    sign_in_with_password,
    sign_in_with_pin,
    sign_out,
    valid_pin,
)
from bakery.services.auth.users import (
    MIN_PASSWORD,
    change_role,
    create_user,
    set_active,
    set_password,
    set_pin,
    unlock,
)

__all__ = [
    "MIN_PASSWORD",
    "PIN_PATTERN",
    "NewSession",
    "SignInRefused",
    "authorise_manager",
    "change_role",
    "check_till_pin",
    "create_user",
    "hash_secret",
    "hash_token",
    "managers",
    "session_for_token",
    "set_active",
    "set_password",
    "set_pin",
    "sign_in_with_password",
    "sign_in_with_pin",
    "sign_out",
    "unlock",
    "valid_pin",
]
