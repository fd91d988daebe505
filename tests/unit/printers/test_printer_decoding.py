"""The ESC/POS interpreter used by the virtual printer, and status bytes."""

from __future__ import annotations

import pytest

from printers.escpos_decode import PaperCut, PaperLine, decode_escpos
from printers.status import parse_paper_status, parse_printer_status, status_byte


def test_text_is_decoded_in_the_code_page_selected_before_each_character() -> None:
    data = b"\x1b@\x1bt\x13\x9c1 \x1bt\x12\x9dodz\n"

    assert decode_escpos(data).text == "£1 Łodz"


def test_after_a_reset_text_is_read_as_cp437() -> None:
    assert decode_escpos(b"\x1bt\x12\x1b@\x9c\n").text == "£"


def test_styles_alignment_and_sizes_are_attached_to_lines() -> None:
    data = b"\x1ba\x01\x1bE\x01\x1d!\x11Big\n\x1b!\x00\x1ba\x02\x1b-\x01small\n"

    assert decode_escpos(data).items == (
        PaperLine("Big", "center", True, False, 2, 2),
        PaperLine("small", "right", False, True, 1, 1),
    )


def test_feeds_cuts_and_drawer_kicks_are_understood() -> None:
    job = decode_escpos(b"a\x1bd\x02\x1dV\x42\x00\x1bp\x00\x32\x32\x10\x14\x01\x00\x01")

    assert job.text == "a\n\n[partial cut]"
    assert job.items[-1] == PaperCut(partial=True)
    assert job.cut is True
    assert job.drawer_kicks == 2
    assert job.unknown == ()


def test_a_real_time_drawer_pulse_is_a_drawer_kick_on_either_pin() -> None:
    job = decode_escpos(b"\x1b@\x10\x14\x01\x00\x01after\n\x10\x14\x01\x01\x08")

    assert job.drawer_kicks == 2
    assert job.text == "after"
    assert job.unknown == ()


def test_a_pulse_out_of_range_opens_nothing_and_is_recorded() -> None:
    job = decode_escpos(b"\x10\x14\x01\x02\x01\x10\x14\x01\x00\x09\x10\x14\x01\x00\x00")

    assert job.drawer_kicks == 0
    assert job.unknown == (b"\x10\x14\x01\x02\x01", b"\x10\x14\x01\x00\x09", b"\x10\x14\x01\x00\x00")


def test_other_real_time_dle_dc4_commands_are_skipped_whole_and_kick_nothing() -> None:
    power_off, clear_buffers = b"\x10\x14\x02\x01\x08", b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"
    job = decode_escpos(power_off + b"a\n" + clear_buffers + b"b\n" + b"\x10\x14\x63")

    assert job.drawer_kicks == 0
    assert job.text == "a\nb"
    assert job.unknown == (b"\x10\x14\x63",)


def test_status_queries_inside_a_job_are_not_printed() -> None:
    assert decode_escpos(b"\x10\x04\x01ok\x10\x04\x04\n").text == "ok"


def test_unknown_commands_and_truncated_jobs_are_recorded_not_guessed() -> None:
    job = decode_escpos(b"\x1b\x7fhi\n\x1dv0\x00\x10\x00\x10\x00\x00")

    assert job.unknown == (b"\x1b\x7f", b"<truncated>")
    assert job.text == "hi"


def test_barcodes_are_read_back_without_the_code_set_prefix() -> None:
    job = decode_escpos(b"\x1dkI\x0c{BLOYAL-{{4}")

    assert job.text == "[barcode: LOYAL-{4}]"


@pytest.mark.parametrize(
    ("byte", "online"), [(0x12, True), (0x16, True), (0x1A, False), (0xFF, None), (0x00, None)]
)
def test_printer_status_bytes_decode_by_the_offline_bit(byte: int, online: bool | None) -> None:
    assert parse_printer_status(byte) is online


@pytest.mark.parametrize(
    ("byte", "paper"),
    [(0x12, "ok"), (0x1E, "low"), (0x72, "out"), (0x7E, "out"), (0x93, None)],
)
def test_paper_status_bytes_decode_by_the_sensor_bits(byte: int, paper: str | None) -> None:
    assert parse_paper_status(byte) == paper


def test_a_printer_out_of_paper_answers_offline_and_paper_out() -> None:
    assert parse_printer_status(status_byte(1, online=True, paper="out") or 0) is False
    assert parse_paper_status(status_byte(4, online=True, paper="out") or 0) == "out"
    assert parse_paper_status(status_byte(4, online=True, paper="low") or 0) == "low"
    assert status_byte(9, online=True, paper="ok") is None
