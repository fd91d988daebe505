"""Bad input never answers 500: every field of every POST route, query strings, ids in URLs.

A small co-op is set up (tills open for trade, one mid-payment, one not yet opened; a sale, a
parked order, members with hours and shares, dividend allocations, a printer with a failed job),
then each role's pages are crawled as a browser would: every form and htmx button found names a
POST route, the fields it sends and the values a person would leave in them. Each field in turn
then carries a NUL byte, 30 nines, Arabic-Indic digits, a decimal comma and 20,000 characters,
the other fields left as the page had them. Nothing answers 500; NUL bytes and overlong values
are refused with 422; number fields take only ASCII digits in range; no NUL byte is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter
from werkzeug.test import TestResponse

from bakery.extensions import db
from bakery.models import Basket, Printer, Product, ShopSettings, Till
from bakery.models.types import utcnow
from bakery.permissions import PERMISSIONS, Access
from bakery.services import dividends, printing, rota, stock
from bakery.services.audit import SYSTEM, Actor
from bakery.services.members import shares
from bakery.services.printing import PrinterInput
from bakery.services.till import cash, checkout
from tests.app.dividends.helpers import RULES, Coop, make_period
from tests.app.hours.helpers import add_entry
from tests.app.members.helpers import member_with_record
from tests.app.printing.helpers import sell
from tests.app.stock.kitchen import shop_today
from tests.app.till.helpers import make_menu, open_till_for
from tests.conftest import csrf_token
from tests.factories import make_till, make_user, pair, pin_in, post, sign_in

BAD_VALUES = {
    "nul": "12\x00",
    "thirty-nines": "9" * 30,
    "arabic-indic": "\u0661\u0662",
    "decimal-comma": "5,00",
    "20000-chars": "x" * 20_000,
}
REFUSED_BY_THE_GUARD = ("nul", "20000-chars")
HUGE_ID = "99999999999999999999"
#: Ids no URL may carry: beyond the database's integer, zero, and digits other than ASCII.
NOT_IDS = [HUGE_ID, str(2**31), "0", "\u0661\u0662", "\uff11"]

#: Amounts, rates and counts by field name: only ASCII digits in range (and one point) are read.
NUMBER_FIELDS = {
    "amount",
    "opening_float",
    "price",
    "price_delta",
    "value",
    "sort_order",
    "min_choices",
    "max_choices",
    "break_minutes",
    "till_idle_seconds",
    "void_manager_above",
    "takeaway_bp",
    "eat_in_bp",
    "till_discount",
    "delta",
    "port",
    "baudrate",
    "surplus",
    "reserve_balance",
    "deficit_brought_forward",
    "reserve_percent",
    "minimum_payout",
    "percent",
}

#: The printer agent's JSON API: no page has a form for it (tested on its own below).
AGENT_ROUTES = {"printing.claim_job", "printing.finish_job", "printing.fail_job"}
#: Offered only while a receipt may not have printed, or on the change-due screen after Pay (Print
#: receipt), and take no fields: only the id in their URL, which the URL test below covers.
FIELDLESS_ROUTES = {"printing.dismiss_uncertain_receipt", "till.print_receipt"}

#: Routes that can end the session or the till they are sent on: they run last, in this order,
#: and the client signs in again (the till opens again) after each request to them.
RUN_LAST = [
    "till.void_basket",
    "till.close_till",
    "till.lock",
    "admin.revoke_device",
    "admin.pair_device",
    "auth.sign_out",
]

#: Where each role's crawl starts (the world adds pages whose ids only it knows).
SEEDS = {
    "admin": [
        "/office/",
        "/admin/users",
        "/admin/settings",
        "/admin/printers",
        "/admin/print-jobs",
        "/office/reports/",
        "/office/reports/vat",
    ],
    "member": ["/me", "/me/hours"],
    "till": ["/till/sell", "/till/cash", "/till/close", "/till/refunds", "/till/parked", "/till/drawer"],
    "till-paying": ["/till/sell"],
    "till-closed": ["/till/sell"],
    "device": ["/till/", "/till/clock"],
    "public": ["/sign-in"],
}
ROLE_FOR_ACCESS = {
    Access.PUBLIC: "public",
    Access.DEVICE: "device",
    Access.TILL: "till",
    Access.SIGNED_IN: "admin",
    Access.MEMBER: "member",
    Access.STAFF: "admin",
    Access.MANAGER: "admin",
    Access.ADMIN: "admin",
}

#: What a person would type in an empty box when the crawl submits a GET form (a preview).
TYPED = {"surplus": "1000.00"}
NOT_PAGES = (".pdf", ".csv")
MAX_PAGES_PER_ENDPOINT = 2


# --- reading pages as a browser would ---------------------------------------------------------


@dataclass
class Target:
    """A request a page can send: where, how, what a browser would send, and every field's name."""

    method: str
    url: str
    htmx: bool
    sent: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


@dataclass
class _Form:
    method: str
    action: str
    htmx: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    radios: set[str] = field(default_factory=set)
    buttons: list[Target] = field(default_factory=list)


class PageReader(HTMLParser):
    """The links, forms and htmx requests of one page, with the values a browser would send."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[tuple[str, bool]] = []
        self.targets: list[Target] = []
        self.form: _Form | None = None
        self.select: tuple[str, list[str], list[str]] | None = None
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for link, htmx in ((a.get("href"), False), (a.get("hx-get"), True)):
            if link and link.startswith("/") and tag != "form":
                self.links.append((link, htmx))
        name = a.get("name", "")
        if tag == "form":
            hx_url = a.get("hx-post") or a.get("hx-get")
            method = "post" if a.get("hx-post") or a.get("method", "get").lower() == "post" else "get"
            self.form = _Form(method, hx_url or a.get("action") or self.page_url, bool(hx_url))
        elif tag == "input" and name and self.form is not None:
            self._input(self.form, name, a)
        elif tag == "select" and name:
            self.select = (name, [], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(a.get("value", ""))
            if "selected" in a:
                self.select[2].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = (name, [])
        elif a.get("hx-post"):
            extra = {k: str(v) for k, v in json.loads(a.get("hx-vals") or "{}").items()}
            if name:
                extra[name] = a.get("value", "")
            button = Target("post", a["hx-post"], True, list(extra.items()), set(extra))
            if self.form is not None:
                self.form.buttons.append(button)  # htmx sends the enclosing form's fields too
            else:
                self.targets.append(button)
        elif tag == "button" and self.form is not None:
            extra = {name: a.get("value", "")} if name else {}
            if a.get("formaction"):
                self.form.buttons.append(
                    Target(self.form.method, a["formaction"], False, list(extra.items()))
                )
            elif name and name not in self.form.names:
                self.form.names.add(name)
                self.form.fields.append((name, extra[name]))

    def _input(self, form: _Form, name: str, a: dict[str, str]) -> None:
        form.names.add(name)
        kind = a.get("type", "text").lower()
        if kind == "checkbox":
            if "checked" in a:
                form.fields.append((name, a.get("value", "on")))
        elif kind == "radio":
            if "checked" in a or name not in form.radios:
                form.fields = [f for f in form.fields if f[0] != name]
                form.fields.append((name, a.get("value", "on")))
                form.radios.add(name)
        elif kind not in ("submit", "button", "reset", "file", "image"):
            form.fields.append((name, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            name, values, selected = self.select
            self.select = None
            if self.form is not None:
                self.form.names.add(name)
                self.form.fields += [(name, v) for v in selected or values[:1]]
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.textarea = None
            if self.form is not None:
                self.form.names.add(name)
                self.form.fields.append((name, "".join(text).removeprefix("\n")))
        elif tag == "form" and self.form is not None:
            form, self.form = self.form, None
            self.targets.append(Target(form.method, form.action, form.htmx, form.fields, form.names))
            for button in form.buttons:
                own = {n for n, _ in button.sent}
                button.sent = [f for f in form.fields if f[0] not in own] + button.sent
                button.names |= form.names
                self.targets.append(button)


def read_page(url: str, response: TestResponse) -> PageReader:
    """The links and targets of an HTML response."""
    reader = PageReader(url)
    if response.mimetype == "text/html":
        reader.feed(response.get_data(as_text=True))
    return reader


# --- the co-op and its clients ----------------------------------------------------------------


@dataclass
class World:
    """A signed-in client per role, where each crawls from, and the pages reached only by a POST."""

    clients: dict[str, FlaskClient]
    renew: dict[str, Callable[[], None]]
    seeds: dict[str, list[str]]
    posted_pages: list[tuple[str, str, dict[str, str]]]
    member_number: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str:
        """The CSRF token of the role's session (read once per session: `renew` forgets it)."""
        if role not in self.tokens:
            self.tokens[role] = csrf_token(self.clients[role])
        return self.tokens[role]


def _till_client(app: Flask, *, open_for_trade: bool = True) -> tuple[FlaskClient, Till, Callable[[], None]]:
    """A tablet paired with a new till, staff signed in (and the cash session open), and how to
    get back there after a request that locks or closes the till."""
    client = app.test_client()
    if open_for_trade:
        till, staff = open_till_for(client)
    else:
        till, staff = make_till(), make_user("staff")
        pair(client, till)
        pin_in(client, staff)

    def renew() -> None:
        pin_in(client, staff)
        if open_for_trade and checkout.open_session_for(till.id) is None:
            cash.open_session(till.id, 10_000, Actor(staff.id, till.id))

    return client, till, renew


def agent_printer(till: Till) -> tuple[Printer, str]:
    """The till's receipt printer, printed by an agent, and the agent's token."""
    printer = printing.save_printer(
        None,
        PrinterInput(
            name="Receipts",
            location="counter",
            profile="epson-tm-t20-80",
            connection={"kind": "network", "host": "127.0.0.1", "port": 9, "timeout": 0.2},
            receipt_till_id=till.id,
            via_agent=True,
        ),
        SYSTEM,
    )
    return printing.issue_token(printer.id, SYSTEM)


def stock_world(me: Actor, product_id: int) -> list[str]:
    """Flour with a purchase unit, a delivery of it, a recipe the product is baked in batches from,
    and today's accepted bake plan: the pages that hold the stockroom's forms."""
    today = shop_today()
    flour = stock.create_item(
        name="Flour", base_unit="g", reorder_level=0, par_level=0, location="Dry store", supplier_id=None,
        allergens=("gluten",), may_contain=(), declared="", grams_each=None, active=True, actor=me,
    )  # fmt: skip
    stock.add_purchase_unit(flour.id, name="16 kg sack", base_qty=16_000, actor=me)
    delivery = stock.record_delivery(
        supplier_id=None, delivered_on=today, lines=[stock.LineIn(flour.id, 20_000, 1500)], key="bad-input-goods-in",
        actor=me,
    )  # fmt: skip
    tray = stock.create_recipe(name="Croissant tray", yield_qty=12, yield_unit="each", actor=me)
    stock.update_recipe(
        tray.id,
        name="Croissant tray",
        yield_qty=12,
        yield_unit="each",
        parts=[(flour.id, None, 1000)],
        actor=me,
    )
    stock.set_making(product_id, make="batch", recipe_id=tray.id, actor=me)
    kitchen = PrinterInput(
        name="Kitchen", location="kitchen", profile="epson-tm-t20-80",
        connection={"kind": "network", "host": "127.0.0.1", "port": 9, "timeout": 0.2},
    )  # fmt: skip
    printing.save_printer(None, kitchen, SYSTEM)  # the accepted plan's production list prints here
    stock.accept_plan(today, {}, key="bad-input-bake-plan", actor=me)  # tomorrow's is still to accept
    return [
        f"/office/stock/items/{flour.id}",
        f"/office/stock/deliveries/{delivery.id}",
        f"/office/stock/recipes/{tray.id}",
        "/office/stock/bakes",
        "/office/bake-plan/",
        f"/office/bake-plan/{today.isoformat()}/production-list",
    ]


def rota_world(manager, admin) -> list[str]:  # type: ignore[no-untyped-def]
    """Roles, a shift this week and a template (the planner's forms); next week published with the
    admin's own shifts, swaps asked, offered and accepted, a stated time, time off and a calendar
    address (every form of a person's own rota and the manager's requests page); a skill held
    (the roles and skills page)."""
    from bakery.domain.rota import monday_of
    from tests.app.planning.helpers import setup_roles, shift
    from tests.app.stock.kitchen import shop_today as today

    roles = setup_roles()
    planned = shift(monday_of(today()), "07:00", "15:00", roles["counter"], manager)
    rota.save_template(monday_of(today()), "Bad input week", Actor(manager.id))
    asked = today() + timedelta(days=20)
    rota.request_time_off(manager.id, asked, asked, today(), Actor(manager.id))  # a request to decide
    rota.request_time_off(admin.id, asked, asked, today(), Actor(admin.id))  # one to withdraw
    rota.add_window(
        admin.id, rota.WindowRequest(18 * 60, 22 * 60, False, weekday=2), today(), Actor(admin.id)
    )
    rota.new_feed_token(admin.id, Actor(admin.id))
    following = monday_of(today()) + timedelta(days=7)
    mine = [shift(following + timedelta(days=d), "07:00", "11:00", roles["counter"], admin) for d in (0, 1)]
    theirs = [
        shift(following + timedelta(days=d), "12:00", "16:00", roles["counter"], manager) for d in (2, 3)
    ]
    rota.publish_week(following, rota.week_plan(following).version, Actor(manager.id))
    rota.request_swap(admin.id, mine[1].id, Actor(admin.id))  # the admin's own, to withdraw
    rota.request_swap(manager.id, theirs[0].id, Actor(manager.id))  # the admin may take it
    accepted = rota.request_swap(manager.id, theirs[1].id, Actor(manager.id))
    taker = make_user("staff", name="Swap Taker")
    rota.accept_swap(taker.id, accepted.id, Actor(taker.id))  # a manager approves or refuses it
    rota.grant_skill(manager.id, roles["bread"], today(), Actor(manager.id))  # its Remove form
    return [
        "/office/rota/",
        f"/office/rota/shifts/{planned.id}",
        "/office/rota/requests",
        "/me/rota",
        "/office/rota/setup",
    ]


def build_world(app: Flask) -> World:
    """A co-op with trade, hours, shares, dividends and printers; a signed-in client per role."""
    coop = Coop()
    # The crawl and the fuzzing take minutes on a loaded machine: a till client used late would
    # otherwise be idle-locked (redirected) before its forms are tried, and its refusals not seen.
    shop = db.session.get(ShopSettings, 1) or ShopSettings(id=1)
    shop.till_idle_seconds = 3600
    db.session.add(shop)
    db.session.commit()
    approved = coop.approve(coop.propose().id)
    dividends.propose(  # proposed once 2026 has ended
        make_period("2026", date(2026, 1, 1), date(2026, 12, 31)).id,
        RULES,
        Actor(coop.admin.id),
        now=datetime(2027, 1, 4, 12, tzinfo=UTC),
    )
    next_period = make_period("2027", date(2027, 1, 1), date(2027, 12, 31))
    dividends.stage_opening(  # a checked file of opening balances, waiting to be confirmed
        next_period.id,
        b"member_number,date,purchases_net_of_vat,approved_hours\nC-001,2027-01-31,1.00,0\nTOTAL,,1.00,0\n",
        "opening.csv",
        Actor(coop.admin.id),
    )
    coop.admin.can_safeguard = True
    locked = make_user("staff", name="Locked Out")
    locked.locked_until = utcnow() + timedelta(hours=1)
    db.session.commit()
    recorded = member_with_record(number="S-0001")
    shares.buy_shares(coop.cat.id, 5000, "joining", Actor(coop.admin.id))
    menu = make_menu()
    manager = make_user("manager", pin="4321")
    stock.start_count("Shop floor", actor=Actor(manager.id))  # an open stock take: its sheet's forms
    stockroom = stock_world(Actor(manager.id), menu["croissant"].id)
    stock.record_bake(menu["croissant"].id, 24, key="bad-input-batch-0001", actor=Actor(manager.id))  # labels
    rota_pages = rota_world(manager, coop.admin)

    till_client, till, renew_till = _till_client(app)
    printer, _ = agent_printer(till)
    sell(till_client, menu["croissant"].id)
    job = printing.agent_claim(printer)
    assert job is not None
    printing.agent_failed(printer, int(job["id"]), "out of paper", False)
    post(till_client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    post(till_client, "/till/park", {"name": "Table 4"}, htmx=True)
    post(till_client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    latte = {"product_id": str(menu["latte"].id), "variant_id": str(menu["latte"].variants[0].id)}
    post(till_client, "/till/lines", latte, htmx=True)

    paying, _, renew_paying = _till_client(app)
    post(paying, "/till/lines", latte, htmx=True)
    post(paying, "/till/member", {"code": coop.cat.number}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open").order_by(Basket.id.desc()))
    post(paying, "/till/pay", {"basket_key": key or "", "method": "card", "amount": "1.00"}, htmx=True)

    now = utcnow()
    add_entry(manager, now - timedelta(hours=5), now - timedelta(hours=1))
    add_entry(coop.ada.user, now - timedelta(hours=30), now - timedelta(hours=26), member=coop.ada)

    closed, _, renew_closed = _till_client(app, open_for_trade=False)
    clients = {
        "till": till_client,
        "till-paying": paying,
        "till-closed": closed,
        "admin": app.test_client(),
        "member": app.test_client(),
        "device": app.test_client(),
        "public": app.test_client(),
    }

    def renew_admin() -> None:
        sign_in(clients["admin"], coop.admin)

    renew_admin()
    sign_in(clients["member"], coop.ada.user)
    pair(clients["device"], till)
    renew = {
        "till": renew_till,
        "till-paying": renew_paying,
        "till-closed": renew_closed,
        "admin": renew_admin,
        "public": lambda: None,
    }
    seeds = {role: list(urls) for role, urls in SEEDS.items()}
    seeds["admin"] += [
        f"/admin/users/{locked.id}",
        f"/office/catalogue/products/{menu['latte'].id}",
        "/office/catalogue/labels",
        f"/office/members/{coop.cat.id}",
        f"/admin/dividends/periods/{next_period.id}",
        f"/admin/dividends/allocations/{approved.id}/payouts",
        *stockroom,
        *rota_pages,
    ]
    posted_pages = [
        ("admin", f"/office/members/{recorded.id}/safeguarding/read", {"reason": "Checking the support plan"})
    ]
    return World(clients, renew, seeds, posted_pages, coop.ada.number)


def crawl(client: FlaskClient, seeds: list[str], adapter: MapAdapter) -> list[Target]:
    """Every form and htmx request on the pages reachable from `seeds`; GET forms are submitted
    with what is typed in them (`TYPED`), as a person previewing would."""
    pages_of: dict[str, int] = {}
    queue: list[tuple[str, bool]] = [(url, False) for url in seeds]
    visited: set[str] = set()
    targets: list[Target] = []
    while queue:
        url, htmx = queue.pop(0)
        path = urlsplit(url).path
        if url in visited or path.endswith(NOT_PAGES):
            continue
        visited.add(url)
        try:
            endpoint = str(adapter.match(path, method="GET")[0])
        except HTTPException:
            continue
        if endpoint == "static" or pages_of.get(endpoint, 0) >= MAX_PAGES_PER_ENDPOINT:
            continue
        pages_of[endpoint] = pages_of.get(endpoint, 0) + 1
        response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        reader = read_page(url, response)
        queue += reader.links
        for target in reader.targets:
            targets.append(target)
            if target.method == "get":
                typed = [(n, v or TYPED.get(n, "")) for n, v in target.sent]
                queue.append((f"{urlsplit(target.url).path}?{urlencode(typed)}", target.htmx))
    return targets


def endpoint_of(adapter: MapAdapter, target: Target) -> str | None:
    """The endpoint a target's URL reaches with its method, or None."""
    try:
        return str(adapter.match(urlsplit(target.url).path, method=target.method.upper())[0])
    except HTTPException:
        return None


def send(client: FlaskClient, target: Target, fields: list[tuple[str, str]], token: str = "") -> TestResponse:
    """Send `fields` to the target as its page would, with the session's CSRF token `token` (in
    htmx's header, and in place of the page's token in the form unless a bad one is sent)."""
    headers = {"HX-Request": "true"} if target.htmx else {}
    if target.method == "get":
        return client.get(f"{urlsplit(target.url).path}?{urlencode(fields)}", headers=headers)
    page_tokens = {v for n, v in target.sent if n == "csrf_token"}
    fields = [(n, token if n == "csrf_token" and v in page_tokens else v) for n, v in fields]
    headers["X-CSRFToken"] = token
    return client.post(target.url, data=MultiDict(fields), headers=headers)


def targets_by_endpoint(app: Flask, world: World) -> dict[str, tuple[str, Target]]:
    """For each endpoint, the first target found and the role that sends it."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, tuple[str, Target]] = {}

    def keep(role: str, targets: list[Target]) -> None:
        for target in targets:
            endpoint = endpoint_of(adapter, target)
            if endpoint is None or endpoint in found:
                continue
            admitted = ROLE_FOR_ACCESS[PERMISSIONS[endpoint]]
            # The till that showed the form sends it; a form any page shows (sign out) goes out
            # from the least trusted client the route admits.
            found[endpoint] = (role if role.split("-")[0] == admitted else admitted, target)

    for role, seeds in world.seeds.items():
        keep(role, crawl(world.clients[role], seeds, adapter))
    for role, url, fields in world.posted_pages:
        client = world.clients[role]
        response = client.post(url, data=fields, headers={"X-CSRFToken": csrf_token(client)})
        keep(role, read_page(url, response).targets)
    return found


def with_bad(sent: list[tuple[str, str]], name: str, bad: str) -> list[tuple[str, str]]:
    """The fields as sent, with `name` holding `bad` instead."""
    return [*((n, v) for n, v in sent if n != name), (name, bad)]


def is_number_field(name: str) -> bool:
    """Ids, amounts, rates and counts (`qty-12`, `n500`, `funds-0-percent` too)."""
    last = name.rsplit("-", 1)[-1]
    return (
        name.endswith(("_id", "_ids"))
        or last in NUMBER_FIELDS
        or name.startswith("qty-")
        or (name[:1] == "n" and name[1:].isascii() and name[1:].isdigit())
    )


def nul_bytes_stored() -> list[str]:
    """Every text column that holds a NUL byte, as table.column."""
    found = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in db.session.execute(select(*columns)) if columns else []:
            found |= {
                f"{table.name}.{c.name}" for c, v in zip(columns, row, strict=True) if v and "\x00" in v
            }
    return sorted(found)


def bad_requests(target: Target) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """Each field name with each bad value, the other fields as the page had them."""
    for name in sorted(target.names | {n for n, _ in target.sent}):
        for label, bad in BAD_VALUES.items():
            yield name, label, with_bad(target.sent, name, bad)


def judge(name: str, label: str, status: int) -> str | None:
    """Why a response to a bad value is wrong, or None."""
    if status >= 500:
        return "server error"
    if label in REFUSED_BY_THE_GUARD and status != (400 if name == "csrf_token" else 422):
        return "not refused"
    if label != "decimal-comma" and is_number_field(name) and status < 400:
        return "accepted as a number"
    if label == "decimal-comma" and name.rsplit("-", 1)[-1] in NUMBER_FIELDS - {"delta"} and status < 400:
        return "a decimal comma accepted as a number"
    return None


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> World:
    """The co-op and its clients."""
    return build_world(app)


def test_bad_input_in_any_field_of_any_form_is_refused_and_never_answers_500(
    app: Flask, world: World
) -> None:
    found = targets_by_endpoint(app, world)
    post_routes = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    assert sorted(post_routes - AGENT_ROUTES - FIELDLESS_ROUTES - found.keys()) == [], (
        "a POST route no page offers"
    )

    failures = []
    for endpoint in sorted(found, key=lambda e: (RUN_LAST.index(e) if e in RUN_LAST else -1, e)):
        role, target = found[endpoint]
        for name, label, fields in bad_requests(target):
            status = send(world.clients[role], target, fields, world.token(role)).status_code
            why = judge(name, label, status)
            if why:
                failures.append(f"{endpoint} {name}={label}: {status} ({why})")
            if endpoint in RUN_LAST:
                world.renew[role]()
                world.tokens.pop(role, None)
    assert not failures, "\n".join(failures)
    assert nul_bytes_stored() == []


def test_query_strings_with_bad_values_never_answer_500(app: Flask, world: World) -> None:
    adapter = app.url_map.bind("localhost")
    common = {"page", "category", "q", "receipt", "step", "week", "user", "member_class", "action"}
    failures = []
    for role, seeds in world.seeds.items():
        client = world.clients[role]
        for target in crawl(client, seeds, adapter):
            if target.method != "get":
                continue
            for label, bad in BAD_VALUES.items():
                status = send(client, target, [(n, bad) for n in sorted(target.names | common)]).status_code
                if status >= 500 or (label in REFUSED_BY_THE_GUARD and status != 422):
                    failures.append(f"GET {target.url} {label}: {status}")
    assert not failures, "\n".join(failures)


def test_the_printer_agent_api_refuses_bad_input_with_422_in_json(app: Flask, client: FlaskClient) -> None:
    _, token = agent_printer(make_till())
    agent = {"Authorization": f"Bearer {token}"}
    for label, bad in BAD_VALUES.items():
        response = client.post(
            "/printers/agent/jobs/1/failed", json={"error": bad, "uncertain": True}, headers=agent
        )
        assert response.status_code < 500, label
        if label in REFUSED_BY_THE_GUARD:
            assert response.status_code == 422 and "error" in response.get_json()
        assert (
            client.post("/printers/agent/claim", headers={"Authorization": f"Bearer {bad}"}).status_code
            == 401
        )
    assert client.post(f"/printers/agent/jobs/{HUGE_ID}/done", headers=agent).status_code == 404
    assert nul_bytes_stored() == []


def url_with_ids(rule: str, number: str, member_number: str) -> str:
    """The rule's URL with every `<int:…>` part as `number` and any other part a member's number."""
    parts = []
    for piece in rule.split("/"):
        if "<" in piece:
            name, rest = piece.split(">", 1)
            parts.append((number if name.startswith("<int:") else member_number) + rest)
        else:
            parts.append(piece)
    return "/".join(parts)


def test_an_id_in_a_url_outside_the_databases_range_or_not_in_ascii_digits_answers_404(
    app: Flask, world: World
) -> None:
    failures = []
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    for number, rule in product(NOT_IDS, rules):
        client = world.clients[ROLE_FOR_ACCESS[PERMISSIONS[rule.endpoint]]]
        url = url_with_ids(rule.rule, number, world.member_number)
        if "GET" in (rule.methods or ()):
            answers = {404}
            response = client.get(url)
        else:
            # Werkzeug checks methods before converters: where a GET route shares the address,
            # a POST that matches no route is told 405.
            answers = {404, 405}
            response = client.post(url, headers={"X-CSRFToken": csrf_token(client)})
        if response.status_code not in answers:
            failures.append(f"{url} [{rule.endpoint}]: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_refusal_is_a_clear_message_in_an_htmx_fragment_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    menu = make_menu()
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    post(client, "/till/park", {"name": "Table 4"}, htmx=True)
    parked = db.session.scalars(select(Basket.parked_name).where(Basket.status == "parked")).all()
    response = post(client, "/till/park", {"name": "Table\x005"}, htmx=True)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "control character" in page and "<html" not in page
    assert db.session.scalars(select(Basket.parked_name).where(Basket.status == "parked")).all() == parked
    search = client.get("/till/search?" + urlencode({"q": "x" * 10_001}))
    assert search.status_code == 422 and "longer than 10,000 characters" in search.get_data(as_text=True)


def test_a_price_typed_with_a_comma_or_other_digits_is_refused_not_read_as_pounds(
    app: Flask, client: FlaskClient
) -> None:
    croissant = make_menu()["croissant"]
    sign_in(client, make_user("manager"))
    url = f"/office/catalogue/products/{croissant.id}"
    form = next(t for t in read_page(url, client.get(url)).targets if urlsplit(t.url).path == url)
    token = csrf_token(client)
    for typed in ("5,00", "1,000.00", "\u0665.00", "5 00", "1_0"):
        response = send(client, form, with_bad(form.sent, "price", typed), token)
        assert response.status_code == 422, typed
        db.session.expire_all()
        assert db.session.get(Product, croissant.id).price == 250
    comma = send(client, form, with_bad(form.sent, "price", "5,00"), token).get_data(as_text=True)
    assert "with a point and no commas" in comma


def test_report_filters_refuse_bad_dates_and_tills_with_422_on_pages_and_downloads(
    app: Flask, world: World
) -> None:
    client = world.clients["admin"]
    urls = [str(rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("reports.")]
    assert len(urls) >= 7
    failures = []
    for url in urls:
        for name, bad in [("start", v) for v in BAD_VALUES.values()] + [
            ("end", "2026-02-30"),
            ("till", "-1"),
            ("till", HUGE_ID),
        ]:
            response = client.get(f"{url}?{urlencode({name: bad})}")
            if response.status_code != 422:
                failures.append(f"GET {url} {name}={bad[:12]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
