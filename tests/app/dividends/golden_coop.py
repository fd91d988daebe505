"""The shared golden cases c1 (a loss year) and c2 (its recovery) as a co-op in the database.

2022 sets the scene: only W-0017 works, and a surplus of £13.70 leaves W-0017 £4.93 (below the
£5 minimum payout, so carried forward) and the reserve at £900.00. 2023 is c1's loss and 2024 c2's
recovery: each member's approved minutes or net purchases are exactly the golden patronage.
The golden cases call the purchases class "consumer"; this co-op's is "customer".
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from bakery.models import Member
from bakery.services import dividends, members
from bakery.services.audit import SYSTEM, Actor
from bakery.services.dividends import AllocationInput
from tests.app.dividends.helpers import Shop, utc, work
from tests.factories import make_user

REPO_ROOT = Path(__file__).resolve().parents[3]
GOLDEN_DIR = Path(os.environ.get("BAKERY_SHARED_DIR", REPO_ROOT.parent / "shared")) / "dividends"
CLASS_NAMES = {"worker": "worker", "consumer": "customer", "community": "community"}

#: The form as the golden rules fill it: 30 % reserve, a 10 % community fund, workers 60 %,
#: customers 40 %, a £5 minimum payout.
FORM_RULES = {
    "reserve_percent": "30",
    "funds-0-name": "community",
    "funds-0-percent": "10",
    "classes-0-name": "worker",
    "classes-0-percent": "60",
    "classes-1-name": "customer",
    "classes-1-percent": "40",
    "classes-2-name": "community",
    "classes-2-percent": "0",
    "minimum_payout": "5.00",
    "include_leavers": "y",
}


def golden(name: str) -> dict[str, Any]:
    """A golden case from the shared folder."""
    data: dict[str, Any] = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def expected_in_our_names(name: str) -> dict[str, Any]:
    """A golden case's `expected`, with its class names as this co-op's."""
    expected = dict(golden(name)["expected"])
    expected["class_pools"] = {CLASS_NAMES[k]: v for k, v in expected["class_pools"].items()}
    return expected


class GoldenCoop:
    """Members, two admins, the three periods and every golden member's patronage."""

    def __init__(self, password: str | None = None) -> None:
        members.ensure_default_classes()
        self.shop = Shop()
        self.proposer = make_user("admin", name="Pat Proposer", password=password)
        self.approver = make_user("admin", name="Sam Approver", password=password)
        self.periods = {
            year: dividends.create_period(
                str(year), date(year, 1, 1), date(year, 12, 31), Actor(self.proposer.id)
            )
            for year in (2022, 2023, 2024)
        }
        self.members: dict[str, Member] = {}
        c1, c2 = golden("c1-loss-year"), golden("c2-recovery-year")
        joined = {m["number"]: date(2021, 1, 1) for m in c1["members"]}
        for m in c2["members"]:
            joined.setdefault(m["number"], date(2024, 1, 1))
        classes = {m["number"]: CLASS_NAMES[m["class"]] for m in c1["members"] + c2["members"]}
        for number in sorted(joined):
            user = make_user("member", name=f"Member {number}")
            self.members[number] = members.create_member(
                number, user.display_name, classes[number], SYSTEM, joined_on=joined[number], user_id=user.id
            )
        work(self.members["W-0017"], utc(2022, 3, 1, 8), 600)
        for year, case in ((2023, c1), (2024, c2)):
            for m in case["members"]:
                member = self.members[m["number"]]
                if m["class"] == "worker":
                    work(member, utc(year, 2, 1, 8), int(m["patronage"]))
                else:
                    self.shop.sell(member, [(int(m["patronage"]), 0)], utc(year, 5, 1))

    def allocate_2022(self) -> None:
        """The scene-setting year: proposed and approved through the services."""
        inp = AllocationInput(
            surplus=1370,
            reserve_balance=89_260,
            deficit_brought_forward=0,
            reserve_bp=3000,
            funds=(("community", 1000),),
            class_weights=(("worker", 6000), ("customer", 4000), ("community", 0)),
            minimum_payout=500,
            include_leavers=True,
        )
        proposed = dividends.propose(self.periods[2022].id, inp, Actor(self.proposer.id))
        dividends.approve(proposed.id, "AGM-2023/1", date(2023, 3, 1), Actor(self.approver.id))
