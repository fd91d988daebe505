"""SQLAlchemy models, one module per area; importing this package registers them all."""

from bakery.models.audit import AuditEvent, ChainHead
from bakery.models.members import Member
from bakery.models.settings import ShopSettings
from bakery.models.tills import Till, TillDevice
from bakery.models.users import Role, User, UserSession

__all__ = [
    "AuditEvent",
    "ChainHead",
    "Member",
    "Role",
    "ShopSettings",
    "Till",
    "TillDevice",
    "User",
    "UserSession",
]
