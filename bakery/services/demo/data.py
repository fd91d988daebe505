"""Demo data: a small co-op bakery with people and tills, loaded once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Member, ShopSettings, Till, User
from bakery.services import audit
from bakery.services.audit import SYSTEM
from bakery.services.auth import hash_secret
from bakery.services.demo.hours import load_demo_hours
from bakery.services.demo.menu import load_menu
from bakery.services.demo.printers import load_printers
from bakery.services.members import ensure_default_classes, new_card_code
from bakery.services.race_safety import Mechanism, race_safe

DEMO_MARKER_EMAIL = "admin@demo.bakery.coop"

DEMO_PEOPLE = [
    # name, email, role, password, pin
    ("Rosa Admin", DEMO_MARKER_EMAIL, "admin", "demo-admin-pass", "9090"),
    ("Marek Manager", "manager@demo.bakery.coop", "manager", "demo-manager-pass", "8080"),
    ("Ada Baker", "ada@demo.bakery.coop", "staff", "demo-member-pass", "1111"),
    ("Ben Barista", None, "staff", None, "2222"),
    ("Chloé Counter", None, "staff", None, "3333"),
    ("Mia Member", "mia@demo.bakery.coop", "member", "demo-member-pass", None),
    ("Noor Member", "noor@demo.bakery.coop", "member", "demo-member-pass", None),
]

DEMO_SIGN_INS = [
    "Back office (admin):   admin@demo.bakery.coop / demo-admin-pass",
    "Back office (manager): manager@demo.bakery.coop / demo-manager-pass (till PIN 8080)",
    "Till staff PINs:       Ada 1111 · Ben 2222 · Chloé 3333 (pair a tablet under Office → Tills)",
    "Member area:           mia@demo.bakery.coop / demo-member-pass (also noor@…, and ada@… a worker)",
]


@race_safe(Mechanism.SERIALISED, Mechanism.UNIQUE_KEY, guards="loaded once (unique keys; run from the CLI)")
def load_demo_data() -> bool:
    """Create the demo shop, people, members and tills unless they exist; True if created.

    Rule: idempotent: the admin's email marks the demo as loaded, and a second run changes nothing.
    """
    if db.session.scalar(select(User.id).where(User.email == DEMO_MARKER_EMAIL)):
        return False
    if db.session.get(ShopSettings, 1) is None:
        db.session.add(
            ShopSettings(
                id=1,
                shop_name="Second Rise Bakery Co-op",
                address="12 Mill Lane\nBristol BS1 4XX",
                vat_number="GB 123 4567 89",
                currency="GBP",
                locale="en_GB",
                timezone="Europe/London",
                receipt_footer="Owned by our members. Every loaf gives someone a fresh start.",
                till_idle_seconds=180,
            )
        )
    people: dict[str, User] = {}
    for name, email, role, password, pin in DEMO_PEOPLE:
        user = User(
            display_name=name,
            email=email,
            role=role,
            password_hash=hash_secret(password) if password else None,
            pin_hash=hash_secret(pin) if pin else None,
            can_safeguard=role == "admin",
        )
        db.session.add(user)
        people[name] = user
    db.session.flush()
    classes = {c.name: c for c in ensure_default_classes()}
    for number, name, klass, user_name in [
        ("M-0001", "Ada Baker", "worker", "Ada Baker"),
        ("M-0002", "Ben Barista", "worker", "Ben Barista"),
        ("M-0101", "Mia Member", "customer", "Mia Member"),
        ("M-0102", "Noor Member", "customer", "Noor Member"),
        ("M-0201", "St Jude's Trust", "community", None),
    ]:
        db.session.add(
            Member(
                number=number,
                name=name,
                class_id=classes[klass].id,
                joined_on=date(2025, 4, 1),
                card_code=new_card_code(),
                user_id=people[user_name].id if user_name else None,
            )
        )
    for name, location in [("Counter", "front counter"), ("Window", "takeaway window")]:
        if not db.session.scalar(select(Till.id).where(Till.name == name)):
            db.session.add(Till(name=name, location=location))
    load_menu()
    load_printers()
    load_demo_hours()
    audit.record("demo.loaded", SYSTEM)
    db.session.commit()
    return True
