"""SQLAlchemy models, one module per area; importing this package registers them all."""

from bakery.models.audit import AuditEvent, ChainHead
from bakery.models.cash import CashMovement, CashSession, LedgerEntry, TillCounter, ZReport
from bakery.models.catalogue import Category, ModifierGroup, ModifierOption, Product, TaxCategory, Variant
from bakery.models.members import Member
from bakery.models.sales import Basket, BasketLine, Payment, PendingPayment, Sale, SaleLine, StockMovement
from bakery.models.settings import ShopSettings
from bakery.models.tills import Till, TillDevice
from bakery.models.users import Role, User, UserSession

__all__ = [
    "AuditEvent",
    "Basket",
    "BasketLine",
    "CashMovement",
    "CashSession",
    "Category",
    "ChainHead",
    "LedgerEntry",
    "Member",
    "ModifierGroup",
    "ModifierOption",
    "Payment",
    "PendingPayment",
    "Product",
    "Role",
    "Sale",
    "SaleLine",
    "ShopSettings",
    "StockMovement",
    "TaxCategory",
    "Till",
    "TillCounter",
    "TillDevice",
    "User",
    "UserSession",
    "Variant",
    "ZReport",
]
