"""The printers package stands alone and exports its main names."""

from __future__ import annotations

import subprocess
import sys

import pytest

import printers
from printers.profiles import UnknownProfileError, get_profile


def test_importing_everything_never_imports_flask_sqlalchemy_or_the_app() -> None:
    code = (
        "import sys, printers, printers.agent, printers.virtual, printers.render_pdf\n"
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'bakery'})\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )

    assert result.stdout.strip() == "[]"


def test_the_main_names_are_exported_from_the_package() -> None:
    for name in printers.__all__:
        assert getattr(printers, name) is not None
    assert printers.VirtualPrinter.__module__ == "printers.virtual"


def test_an_unknown_profile_name_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(UnknownProfileError, match=r"laser-9000.*epson-tm-t20-80.*generic-58"):
        get_profile("laser-9000")


def test_58_mm_profiles_have_32_columns_and_80_mm_profiles_more() -> None:
    assert get_profile("generic-58").columns == 32
    assert get_profile("generic-80").columns == 48
    assert get_profile("epson-tm-t20-80").columns == 48
