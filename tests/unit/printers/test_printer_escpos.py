"""ESC/POS rendering: golden bytes, code pages, cuts, QR codes and repeatability."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from printers.document import QR, Barcode, Columns, Cut, Document, DrawerKick, Logo, Text
from printers.escpos_decode import PaperImage, PaperLine, PaperQR, decode_escpos
from printers.profiles import PROFILES, Profile, get_profile
from printers.render_escpos import code_page_slots, realtime_drawer_pulse, render_escpos
from printers.render_text import render_text
from tests.unit.printers.printer_samples import golden_receipt

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_PROFILES = ("generic-58", "epson-tm-t20-80")
ESC_T_CP858 = b"\x1bt\x13"
ESC_T_CP852 = b"\x1bt\x12"


def _golden_path(profile_name: str) -> Path:
    return GOLDEN / f"receipt-{profile_name}.bin"


@pytest.mark.parametrize("profile_name", GOLDEN_PROFILES)
def test_the_receipt_renders_to_exactly_the_reviewed_golden_bytes(profile_name: str) -> None:
    data = render_escpos(golden_receipt(), get_profile(profile_name))
    path = _golden_path(profile_name)
    if os.environ.get("PRINTERS_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert data == path.read_bytes()


@pytest.mark.parametrize("profile_name", GOLDEN_PROFILES)
def test_the_golden_bytes_decode_to_correct_pounds_euros_accents_and_polish(
    profile_name: str,
) -> None:
    decoded = decode_escpos(_golden_path(profile_name).read_bytes())

    assert decoded.unknown == ()
    assert "Served by Łukasz Żółć" in decoded.text
    assert "£13.70" in decoded.text
    assert "€3.10" in decoded.text
    assert "Crème brûlée tart" in decoded.text
    assert "Müsli loaf" in decoded.text
    assert "Dziękujemy! Merci! Danke schön!" in decoded.text
    assert "?" not in decoded.text


@pytest.mark.parametrize("profile_name", GOLDEN_PROFILES)
def test_the_printed_lines_are_exactly_the_preview_lines_at_the_profile_width(
    profile_name: str,
) -> None:
    profile = get_profile(profile_name)
    decoded = decode_escpos(render_escpos(golden_receipt(), profile))
    printed = [item.text for item in decoded.items if isinstance(item, PaperLine) and item.text.strip()]
    text_only = replace(
        golden_receipt(),
        blocks=tuple(b for b in golden_receipt().blocks if not isinstance(b, QR | Cut)),
    )
    preview = [line.strip() for line in render_text(text_only, profile.columns).splitlines() if line]

    assert printed == preview
    assert max(len(line) for line in printed) == profile.columns


def test_a_code_page_select_comes_before_each_pound_euro_and_polish_letter() -> None:
    data = render_escpos(golden_receipt(), get_profile("epson-tm-t20-80"))

    pound, euro, l_stroke = "£".encode("cp858"), "€".encode("cp858"), "Ł".encode("cp852")
    assert data.rfind(ESC_T_CP858, 0, data.index(pound + b"2.40")) >= 0
    assert data.rfind(ESC_T_CP858, 0, data.index(euro + b"3.10")) > data.rfind(
        ESC_T_CP852, 0, data.index(euro + b"3.10")
    )
    assert data.rfind(ESC_T_CP852, 0, data.index(l_stroke + b"ukasz")) > data.rfind(
        ESC_T_CP858, 0, data.index(l_stroke + b"ukasz")
    )


def test_only_the_profiles_own_code_pages_are_ever_selected() -> None:
    data = render_escpos(golden_receipt(), get_profile("epson-tm-t20-80"))

    selected = {data[i + 2] for i in range(len(data) - 2) if data[i : i + 2] == b"\x1bt"}
    assert selected == {0x13, 0x12}


def test_the_euro_is_never_sent_in_the_greek_code_page() -> None:
    data = render_escpos(Document("receipt", (Text("€5"),)), get_profile("epson-tm-t88v-80"))

    assert b"\x1bt\x0f" not in data
    assert decode_escpos(data).text == "€5"


def test_the_job_starts_with_a_printer_reset() -> None:
    assert render_escpos(golden_receipt(), get_profile("generic-80")).startswith(b"\x1b@")


def test_a_cut_is_sent_only_to_printers_with_a_cutter() -> None:
    document = Document("receipt", (Text("x"), Cut()))
    with_cutter = render_escpos(document, get_profile("epson-tm-t20-80"))
    without_cutter = render_escpos(document, get_profile("generic-58"))

    assert with_cutter.endswith(b"\x1bd\x06\x1dV\x00")
    assert b"\x1dV" not in without_cutter
    assert without_cutter.endswith(b"\x1bd\x04")


def test_a_partial_cut_sends_the_partial_cut_command() -> None:
    data = render_escpos(Document("r", (Cut(partial=True),)), get_profile("epson-tm-t20-80"))

    assert data.endswith(b"\x1dV\x01")


def test_a_native_qr_profile_sends_gs_paren_k_with_the_data() -> None:
    data = render_escpos(golden_receipt(), get_profile("epson-tm-t20-80"))

    url = b"https://crumb.example/r/1042"
    store = b"\x1d(k" + bytes((len(url) + 3, 0)) + b"1P0" + url
    assert store in data
    assert b"\x1d(k\x03\x001Q0" in data
    assert decode_escpos(data).qr_data == [url.decode()]


def test_a_profile_without_native_qr_sends_the_qr_as_a_centred_raster_image() -> None:
    data = render_escpos(golden_receipt(), get_profile("generic-58"))
    decoded = decode_escpos(data)
    images = [item for item in decoded.items if isinstance(item, PaperImage)]

    assert b"\x1d(k" not in data
    assert len(images) == 1
    assert images[0].width == 384
    assert not any(isinstance(item, PaperQR) for item in decoded.items)


def test_the_drawer_kick_is_a_real_time_pulse_on_the_profiles_pin_unless_the_block_names_one() -> None:
    profile = Profile("test", 80, 48, "TM-T20II", drawer_pin=5, drawer_pulse_ms=200)

    default_pin = render_escpos(Document("r", (DrawerKick(),)), profile)
    pin_two = render_escpos(Document("r", (DrawerKick(pin=2),)), profile)

    assert default_pin == b"\x1b@\x10\x14\x01\x01\x02"  # ESC @, then DLE DC4 1 m=1 (pin 5) t=2
    assert pin_two == b"\x1b@\x10\x14\x01\x00\x02"
    assert decode_escpos(default_pin).drawer_kicks == 1


def test_no_drawer_kick_is_sent_as_esc_p_which_would_wait_in_the_printers_buffer() -> None:
    for profile in PROFILES.values():
        data = render_escpos(Document("drawer", (DrawerKick(),)), profile)
        assert b"\x1bp" not in data
        assert data.endswith(b"\x10\x14\x01\x00\x01")


@pytest.mark.parametrize(("pulse_ms", "steps"), [(100, 1), (101, 2), (120, 2), (500, 5), (800, 8)])
def test_the_pulse_is_rounded_up_to_whole_100_ms_steps(pulse_ms: int, steps: int) -> None:
    assert realtime_drawer_pulse(2, pulse_ms) == bytes((0x10, 0x14, 1, 0, steps))


@pytest.mark.parametrize("pulse_ms", [50, 99, 801])
def test_a_profile_pulse_the_real_time_command_cannot_give_is_refused(pulse_ms: int) -> None:
    with pytest.raises(ValueError, match=r"100\.\.800"):
        Profile("test", 80, 48, "TM-T20II", drawer_pulse_ms=pulse_ms)


def test_rendering_the_same_document_twice_gives_identical_bytes() -> None:
    profile = get_profile("epson-tm-t20-80")
    first = render_escpos(golden_receipt(), profile)
    polish_only = render_escpos(Document("r", (Text("Żółć"),)), profile)
    second = render_escpos(golden_receipt(), profile)

    assert first == second
    assert polish_only.startswith(b"\x1b@\x1bt\x12")


def test_control_characters_in_names_never_reach_the_printer_as_commands() -> None:
    hostile = Document("receipt", (Columns("Bob\x1bi\x1dV\x00", "£1.00"),))
    data = render_escpos(hostile, get_profile("epson-tm-t20-80"))

    assert b"\x1bi" not in data
    assert b"\x1dV" not in data
    assert "Bob i V" in decode_escpos(data).text


def test_characters_no_code_page_has_become_plain_stand_ins() -> None:
    document = Document("r", (Text("\u201cRye\u201d \u2013 \u00bd loaf \u65e5"),))
    text = decode_escpos(render_escpos(document, get_profile("epson-tm-t20-80"))).text

    assert text == '"Rye" - ½ loaf ?'


def test_text_sizes_are_sent_with_gs_exclamation() -> None:
    data = render_escpos(
        Document("r", (Text("W", size="wide"), Text("T", size="tall"), Text("n"))),
        get_profile("epson-tm-t20-80"),
    )
    lines = [item for item in decode_escpos(data).items if isinstance(item, PaperLine)]

    assert b"\x1d!\x10W" in data.replace(ESC_T_CP858, b"")
    assert [(line.width, line.height) for line in lines] == [(2, 1), (1, 2), (1, 1)]


def test_barcodes_are_printer_drawn_where_possible_and_images_elsewhere() -> None:
    document = Document("r", (Barcode("LOYAL-{42}"),))
    epson = decode_escpos(render_escpos(document, get_profile("epson-tm-t20-80")))
    generic = decode_escpos(render_escpos(document, get_profile("generic-58")))

    assert "[barcode: LOYAL-{42}]" in epson.text
    assert any(isinstance(item, PaperImage) for item in generic.items)


def test_a_wide_logo_is_scaled_to_the_paper() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 100), "black").save(buffer, format="PNG")
    data = render_escpos(Document("r", (Logo(buffer.getvalue()),)), get_profile("generic-58"))
    images = [item for item in decode_escpos(data).items if isinstance(item, PaperImage)]

    assert [(image.width, image.height) for image in images] == [(384, 38)]


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.name)
def test_every_shipped_profile_matches_its_python_escpos_capabilities(profile: Profile) -> None:
    from escpos.capabilities import get_profile as escpos_profile

    capabilities = escpos_profile(profile.escpos_profile)
    assert set(code_page_slots(profile)) == set(profile.code_pages)
    assert isinstance(capabilities.profile_data["media"]["width"]["pixels"], int)
    if profile.cutter:
        assert capabilities.supports("paperFullCut")
    if profile.native_qr:
        assert capabilities.supports("qrCode")
    assert profile.columns in {58: (32,), 80: (42, 48)}[profile.paper_mm]
