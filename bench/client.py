"""A tablet talking to the app over HTTP: its connection, cookies, CSRF token and till session.

Pairing and sign-in go through the same pages a manager and the staff use (no shortcuts into the
database), so the bench measures the app as the tills see it.
"""

from __future__ import annotations

import http.client
import re
import ssl
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode

MANAGER_EMAIL = "manager@demo.bakery.coop"
MANAGER_PASSWORD = "demo-manager-pass"  # noqa: S105 - the documented demo sign-in
STAFF_PINS = {"Ada": "1111", "Ben": "2222", "Chloé": "3333", "Marek": "8080"}
OPENING_FLOAT = "50.00"

CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
TILE = re.compile(r'href="/till/staff/(\d+)"[^>]*>\s*<span class="tile-name">([^<]+)</span>')
BASKET_KEY = re.compile(r'name="basket_key" value="([^"]+)"')
EXACT = re.compile(r'name="amount" value="([0-9.]+)"')
RECEIPT = re.compile(r"Receipt (\d+) ·")


class BenchError(RuntimeError):
    """The app answered something a till would not expect."""


@dataclass(frozen=True)
class Reply:
    """One HTTP response, read in full."""

    status: int
    headers: http.client.HTTPMessage
    body: str

    def header(self, name: str) -> str:
        """A response header, or ''."""
        return self.headers.get(name, "")


class Tablet:
    """One browser or tablet: a connection, its cookie jar and the CSRF token of its last page.

    The connection is kept between requests; gunicorn's sync workers close it after each
    response (they do not keep connections alive), and http.client then reconnects.
    """

    def __init__(
        self, address: tuple[str, int], timeout: float = 30.0, context: ssl.SSLContext | None = None
    ) -> None:
        self.address = address
        self.context = context  # HTTPS (through deploy/'s nginx) when given
        self.connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection(*address, timeout=timeout, context=context)
            if context is not None
            else http.client.HTTPConnection(*address, timeout=timeout)
        )
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def copy(self) -> Tablet:
        """Another connection with the same cookies (the same tablet in a second tab)."""
        twin = Tablet(self.address, self.connection.timeout or 30.0, self.context)
        twin.cookies = dict(self.cookies)
        twin.csrf = self.csrf
        return twin

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, *, htmx: bool = False
    ) -> Reply:
        """Send one request as the page would (CSRF header, htmx header) and read the response."""
        headers = {"Host": f"{self.address[0]}:{self.address[1]}", "Accept-Encoding": "identity"}
        if self.context is not None:  # over HTTPS the app's CSRF check wants the page's origin
            headers["Referer"] = f"https://{self.address[0]}:{self.address[1]}/"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        text = data.decode("utf-8", errors="replace")
        if not htmx and "X-CSRFToken" in text:
            found = CSRF.search(text)
            if found:
                self.csrf = found.group(1)
        return Reply(response.status, response.headers, text)

    def get(self, path: str, *, htmx: bool = False) -> Reply:
        """GET a page or fragment."""
        return self.request("GET", path, htmx=htmx)

    def post(self, path: str, form: dict[str, str] | None = None, *, htmx: bool = False) -> Reply:
        """POST a form."""
        return self.request("POST", path, form or {}, htmx=htmx)

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            try:
                jar = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in jar.items():
                gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if gone or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def expect(reply: Reply, *statuses: int, what: str) -> Reply:
    """Raise BenchError unless the status is one of those given."""
    if reply.status not in statuses:
        raise BenchError(f"{what}: HTTP {reply.status}, expected {statuses}: {reply.body[:300]!r}")
    return reply


class Till(Tablet):
    """A tablet paired with its own till, with a staff member signed in by PIN and the till open."""

    till_id = 0
    name = ""

    @classmethod
    def provision(
        cls, address: tuple[str, int], name: str, staff: str = "Ada", context: ssl.SSLContext | None = None
    ) -> Till:
        """Create a till as the manager, pair this tablet with it, PIN in and open with a float."""
        till = cls(address, context=context)
        till.name = name
        till.sign_in_manager()
        expect(till.get("/office/tills"), 200, what="office tills page")  # a CSRF token for this session
        expect(till.post("/office/tills", {"name": name, "location": "bench"}), 302, what="create till")
        till.till_id = till.till_id_of(name)
        till.pair()
        till.pin_in(staff)
        till.open()
        return till

    def sign_in_manager(self) -> None:
        """Sign in to the office as the demo manager."""
        expect(self.get("/sign-in"), 200, what="sign-in page")
        form = {"email": MANAGER_EMAIL, "password": MANAGER_PASSWORD}
        expect(self.post("/sign-in", form), 302, 303, what="manager sign-in")

    def till_id_of(self, name: str) -> int:
        """A till's id, from the office's list of tills (signed in as the manager)."""
        page = expect(self.get("/office/tills"), 200, what="office tills page")
        found = re.search(rf"<td>{re.escape(name)}</td>.*?/office/tills/(\d+)/pair", page.body, re.S)
        if not found:
            raise BenchError(f"till {name} is not listed under Office → Tills")
        return int(found.group(1))

    def pair(self) -> None:
        """Pair this tablet with the till (the manager's session ends; the device cookie is set)."""
        reply = self.post(f"/office/tills/{self.till_id}/pair", {"label": f"bench {self.name}"})
        expect(reply, 302, 303, what="pair tablet")
        if not any(name.endswith("bakery_till") for name in self.cookies):  # __Host- over HTTPS
            raise BenchError("pairing set no bakery_till cookie")

    def staff_ids(self) -> dict[str, int]:
        """The staff tiles on the till's home page: first name → user id."""
        page = expect(self.get("/till/"), 200, what="staff tiles")
        return {first: int(user_id) for user_id, first in TILE.findall(page.body)}

    def pin_in(self, first_name: str) -> None:
        """Tap a tile and enter that person's PIN (htmx answers with HX-Redirect to the till)."""
        user_id = self.staff_ids()[first_name]
        reply = self.post(f"/till/staff/{user_id}/pin", {"pin": STAFF_PINS[first_name]}, htmx=True)
        expect(reply, 200, what="PIN sign-in")
        if not reply.header("HX-Redirect"):
            raise BenchError(f"PIN sign-in for {first_name} did not redirect: {reply.body[:200]!r}")

    def open(self) -> None:
        """Open the till with a counted float, then load the selling screen (fresh CSRF token)."""
        expect(self.get("/till/sell"), 200, what="open-till page")
        expect(self.post("/till/open", {"opening_float": OPENING_FLOAT}), 302, 303, what="open till")
        self.sell_page()

    def sell_page(self) -> Reply:
        """GET /till/sell, the selling screen."""
        page = expect(self.get("/till/sell"), 200, what="selling screen")
        if 'id="products"' not in page.body:
            raise BenchError("the selling screen has no product grid (is the till open?)")
        return page

    def add_line(self, product_id: int, variant_id: int | None = None) -> Reply:
        """Tap a product (and its size, if it has sizes): POST /till/lines, answered with the basket
        fragment."""
        form = {"product_id": str(product_id)}
        if variant_id is not None:
            form["variant_id"] = str(variant_id)
        return self.post("/till/lines", form, htmx=True)

    def pay_exact(self, basket: Reply) -> Reply:
        """Press the first quick tender (exact cash) on the basket fragment just received."""
        key = BASKET_KEY.search(basket.body)
        amount = EXACT.search(basket.body)
        if not key or not amount:
            raise BenchError("the basket fragment has no Pay form")
        form = {"basket_key": key.group(1), "method": "cash", "amount": amount.group(1)}
        return self.post("/till/pay", form, htmx=True)


def tapped(reply: Reply) -> bool:
    """A tap that worked: 200 with the basket fragment and its basket-changed trigger."""
    return (
        reply.status == 200 and "basket-changed" in reply.header("HX-Trigger") and 'id="basket"' in reply.body
    )


def receipt_no(reply: Reply) -> int | None:
    """The receipt number of a completed sale, or None if the Pay did not complete one."""
    if reply.status != 200 or "sale-completed" not in reply.header("HX-Trigger"):
        return None
    found = RECEIPT.search(reply.body)
    return int(found.group(1)) if found else None
