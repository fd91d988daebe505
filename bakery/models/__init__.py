"""SQLAlchemy models, one module per area; importing this package registers them all."""

from bakery.models.audit import AuditEvent, ChainHead
from bakery.models.bake_plans import BakePlan, BakePlanLine
from bakery.models.cash import CashMovement, CashSession, LedgerEntry, TillCounter, ZReport
from bakery.models.catalogue import Category, ModifierGroup, ModifierOption, Product, TaxCategory, Variant
from bakery.models.counts import StockCount, StockCountLine
from bakery.models.dividends import (
    Allocation,
    AllocationLine,
    FinancialPeriod,
    OpeningImport,
    OpeningPatronage,
    Payout,
)
from bakery.models.hours import TimeCorrection, TimeEntry
from bakery.models.members import Member, MemberClass, SafeguardingRecord, ShareTransaction, StoreCredit
from bakery.models.printing import Printer, PrintJob, ReceiptLink
from bakery.models.sales import Basket, BasketLine, Payment, PendingPayment, Sale, SaleLine, StockMovement
from bakery.models.settings import ShopSettings
from bakery.models.stock import (
    BakeBatch,
    Delivery,
    DeliveryLine,
    Partner,
    PurchaseUnit,
    Recipe,
    RecipePart,
    StockItem,
    StockItemMovement,
    Supplier,
    WriteOff,
)
from bakery.models.tills import Till, TillDevice
from bakery.models.users import Role, User, UserSession

__all__ = [
    "Allocation",
    "AllocationLine",
    "AuditEvent",
    "BakeBatch",
    "BakePlan",
    "BakePlanLine",
    "Basket",
    "BasketLine",
    "CashMovement",
    "CashSession",
    "Category",
    "ChainHead",
    "Delivery",
    "DeliveryLine",
    "FinancialPeriod",
    "LedgerEntry",
    "Member",
    "MemberClass",
    "ModifierGroup",
    "ModifierOption",
    "OpeningImport",
    "OpeningPatronage",
    "Partner",
    "Payment",
    "Payout",
    "PendingPayment",
    "PrintJob",
    "Printer",
    "Product",
    "PurchaseUnit",
    "ReceiptLink",
    "Recipe",
    "RecipePart",
    "Role",
    "SafeguardingRecord",
    "Sale",
    "SaleLine",
    "ShareTransaction",
    "ShopSettings",
    "StockCount",
    "StockCountLine",
    "StockItem",
    "StockItemMovement",
    "StockMovement",
    "StoreCredit",
    "Supplier",
    "TaxCategory",
    "Till",
    "TillCounter",
    "TillDevice",
    "TimeCorrection",
    "TimeEntry",
    "User",
    "UserSession",
    "Variant",
    "WriteOff",
    "ZReport",
]
