"""The demo shop loaded by `flask bakery demo`: users, tills, menu, printers, members and hours,
the stockroom and the rota, loaded once.
"""

from bakery.services.demo.data import (
    DEMO_MARKER_EMAIL,
    DEMO_PEOPLE,
    DEMO_SIGN_INS,
    load_demo_data,
)
from bakery.services.demo.impact import load_demo_impact
from bakery.services.demo.rota import load_demo_rota
from bakery.services.demo.rota_requests import load_demo_rota_requests
from bakery.services.demo.stock import load_demo_stock
from bakery.services.demo.year import load_demo_year

__all__ = [
    "DEMO_MARKER_EMAIL",
    "DEMO_PEOPLE",
    "DEMO_SIGN_INS",
    "load_demo_data",
    "load_demo_impact",
    "load_demo_rota",
    "load_demo_rota_requests",
    "load_demo_stock",
    "load_demo_year",
]
