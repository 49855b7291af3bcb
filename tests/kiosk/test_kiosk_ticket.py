"""The ticket's bytes (render_ticket, pure) and the words and numbers on it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
from escpos_decode import decode

from kiosk.texts import Lang, format_datetime_id, format_duration, refusal_text
from kiosk.ticket import LAYOUT_58MM, LAYOUT_80MM, Layout, TicketPrint, VisitStop, render_ticket

WIB = timezone(timedelta(hours=7))
URL = "http://mpp.example:8700/t/Fwl6noCLF-rEgp4iVfFVXA"

TICKET = TicketPrint(
    building="MPP Kota Contoh",
    agency="Dinas Kependudukan dan Pencatatan Sipil",
    line_name="Perekaman dan Cetak KTP-el",
    number="A-017",
    issued_at=datetime(2026, 11, 23, 8, 15, tzinfo=WIB),
    zone_label="WIB",
    people_ahead=16,
    estimated_wait_s=1490,
    status_url=URL,
)


@pytest.mark.parametrize("layout", [LAYOUT_80MM, LAYOUT_58MM], ids=["80mm", "58mm"])
def test_ticket_carries_everything_and_ends_with_a_cut(layout: Layout) -> None:
    """A ticket prints building, agency, line, number, date, people ahead, wait, QR, then cuts."""
    out = decode(render_ticket(TICKET, layout))
    text = "\n".join(out.texts)
    assert out.line("MPP KOTA CONTOH").bold
    assert "Dinas Kependudukan" in text and "Perekaman dan Cetak KTP-el" in text
    assert "Senin, 23 November 2026" in text and "08.15 WIB" in text
    assert out.line("Antrean di depan Anda").text.endswith("Antrean di depan Anda: 16 orang")
    assert "± 25 menit" in text
    assert "Mohon menunggu nomor Anda dipanggil" in " ".join(out.texts)
    assert out.qr_codes == [URL]
    assert out.cuts == ["partial"] and out.cut_at_end
    assert "PRIORITAS" not in text and "CETAK ULANG" not in text


@pytest.mark.parametrize("layout", [LAYOUT_80MM, LAYOUT_58MM], ids=["80mm", "58mm"])
def test_number_is_very_large_bold_and_fits_the_paper(layout: Layout) -> None:
    """The number is printed bold at the layout's scale, and six characters still fit."""
    number = decode(render_ticket(TICKET, layout)).line("A-017")
    assert number.bold and number.width == number.height == layout.number_scale >= 5
    assert number.align == 1
    assert len("A-1000") * 12 * layout.number_scale <= layout.width_dots


@pytest.mark.parametrize("layout", [LAYOUT_80MM, LAYOUT_58MM], ids=["80mm", "58mm"])
def test_every_line_fits_the_paper(layout: Layout) -> None:
    """No normal-size line is wider than the paper's columns (long names wrap at words)."""
    long_names = dataclasses.replace(
        TICKET, agency="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Contoh"
    )
    for line in decode(render_ticket(long_names, layout)).lines:
        assert len(line.text) * line.width <= layout.columns, line


def test_58mm_splits_date_and_time_80mm_keeps_one_line() -> None:
    """The date line "Senin, … · 08.15 WIB" is one line on 80 mm, two on 58 mm."""
    assert "Senin, 23 November 2026 · 08.15 WIB" in decode(render_ticket(TICKET, LAYOUT_80MM)).texts
    narrow = decode(render_ticket(TICKET, LAYOUT_58MM)).texts
    assert "Senin, 23 November 2026" in narrow and "08.15 WIB" in narrow


def test_priority_label_is_printed_inverted() -> None:
    """A priority ticket says so, white on black, for the officer who checks the claim."""
    out = decode(render_ticket(dataclasses.replace(TICKET, priority="ibu_hamil"), LAYOUT_80MM))
    label = out.line("PRIORITAS")
    assert label.text.strip() == "PRIORITAS: IBU HAMIL / MENYUSUI"
    assert label.invert and label.bold
    assert not out.line("Antrean di depan Anda").invert


@pytest.mark.parametrize("layout", [LAYOUT_80MM, LAYOUT_58MM], ids=["80mm", "58mm"])
def test_booked_ticket_names_its_slot_under_the_number(layout: Layout) -> None:
    """A ticket checked in from an online booking is a walk-in ticket plus one line under the
    number, "Pesanan online · jadwal 09.00 WIB" (58 mm: 33 characters on 32 columns, so the
    slot goes to a line of its own, never "WIB" alone); a walk-in ticket has no such line."""
    booked = dataclasses.replace(TICKET, booking_slot="09.00 WIB")
    out = decode(render_ticket(booked, layout))
    texts = out.texts
    after_number = texts[texts.index("A-017") + 1 :]
    if layout is LAYOUT_80MM:
        assert after_number[0] == "Pesanan online · jadwal 09.00 WIB"
    else:
        assert after_number[:2] == ["Pesanan online", "jadwal 09.00 WIB"]
    first = out.line("Pesanan online")
    assert first.bold and first.width == 1 and not first.invert
    # Everything else is the walk-in ticket's, line for line.
    walk_in = decode(render_ticket(TICKET, layout)).texts
    assert [t for t in texts if "Pesanan" not in t and "jadwal" not in t] == walk_in
    assert not any("Pesanan" in t for t in walk_in)


def test_reprint_is_marked_as_a_copy() -> None:
    """A reprint carries "(CETAK ULANG)" so that two papers with one number are told apart."""
    out = decode(render_ticket(dataclasses.replace(TICKET, reprint=True), LAYOUT_80MM))
    assert "(CETAK ULANG)" in out.texts


def test_render_is_pure() -> None:
    """The same ticket gives the same bytes, and starts by resetting the printer (ESC @)."""
    first = render_ticket(TICKET, LAYOUT_80MM)
    assert first == render_ticket(TICKET, LAYOUT_80MM)
    assert first.startswith(b"\x1b@\x1bt\x00")


def test_image_qr_for_printers_without_native_qr() -> None:
    """`native_qr=False` prints the QR code as one raster image instead of GS ( k."""
    out = decode(render_ticket(TICKET, dataclasses.replace(LAYOUT_58MM, native_qr=False)))
    assert out.qr_codes == [] and out.images == 1 and out.cut_at_end


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "menunggu loket dibuka"),  # no counter of the line open: no figure
        (0, "< 5 menit"),
        (240, "< 5 menit"),
        (600, "± 10 menit"),
        (1490, "± 25 menit"),
        (3600, "± 1 jam"),
        (4980, "± 1 jam 25 menit"),
    ],
)
def test_estimated_wait_is_rounded_honestly(seconds: float | None, words: str) -> None:
    """Waits under 5 minutes are not promised; long ones are rounded to 5 minutes."""
    assert format_duration(seconds) == words


def test_indonesian_date_and_time() -> None:
    """Day and month names in Indonesian, time with a dot: "Jumat, 1 Mei 2026 · 13.05 WITA"."""
    at = datetime(2026, 5, 1, 13, 5, tzinfo=timezone(timedelta(hours=8)))
    assert format_datetime_id(at, "WITA") == "Jumat, 1 Mei 2026 · 13.05 WITA"


def test_refusal_in_english_keeps_the_time() -> None:
    """The English refusal is chosen by code and keeps the time and zone the server named."""
    msg = "Layanan dibuka kembali pukul 13.00 WITA"
    assert refusal_text("on_break", msg, Lang.EN) == "Service resumes at 13.00 WITA"
    assert refusal_text("on_break", msg, Lang.ID) == msg
    assert refusal_text("something_new", "Pesan baru", Lang.EN) == "Pesan baru"


# A visit of three services (issue 22): the paper of its first stop. Hand-written from the spec:
# "1. Dukcapil — Kartu Keluarga (B-031, sekarang) 2. BPJS Kesehatan (nomor diberikan setelah
# langkah 1 selesai)", with the ASCII " - " (CP437 has no em dash).
VISIT = dataclasses.replace(
    TICKET,
    line_name="Kartu Keluarga dan Pindah Datang",
    number="B-031",
    itinerary=(
        VisitStop("Dukcapil", "Kartu Keluarga dan Pindah Datang", "B-031"),
        VisitStop("BPJS Kesehatan", "Pendaftaran dan Perubahan Data", None),
        VisitStop("Samsat", "Pajak Kendaraan Tahunan", None),
    ),
)


def test_visit_ticket_lists_the_stops_under_the_big_number() -> None:
    """The first stop's number big as on every ticket, then "Kunjungan Anda:" and the stops,
    left-aligned, the first in bold with its number; the QR code says it follows the visit."""
    out = decode(render_ticket(VISIT, LAYOUT_80MM))
    texts = out.texts
    assert out.line("B-031").width == LAYOUT_80MM.number_scale
    start = texts.index("Kunjungan Anda:")
    assert texts.index("B-031") < start
    assert texts[start + 1 : start + 8] == [
        "1. Dukcapil - Kartu Keluarga dan Pindah Datang",
        "   (B-031, sekarang)",
        "2. BPJS Kesehatan - Pendaftaran dan Perubahan",
        "   Data",
        "   (nomor diberikan setelah langkah 1 selesai)",
        "3. Samsat - Pajak Kendaraan Tahunan",
        "   (nomor diberikan setelah langkah 2 selesai)",
    ]
    listed = out.lines[start : start + 8]
    assert all(line.align == 0 for line in listed)  # a list reads from the left
    assert [line.bold for line in listed[1:4]] == [True, True, False]
    assert out.line("Pindai untuk mengikuti seluruh kunjungan Anda").align == 1
    assert out.qr_codes == [URL] and out.cut_at_end


def test_visit_ticket_fits_58mm_and_a_single_ticket_is_unchanged() -> None:
    """On 58 mm every line of the list fits its 32 columns; a ticket of one service has no
    list and keeps its usual caption."""
    narrow = decode(render_ticket(VISIT, LAYOUT_58MM))
    for line in narrow.lines:
        assert len(line.text) * line.width <= LAYOUT_58MM.columns, line
    assert "   (B-031, sekarang)" in narrow.texts
    single = decode(render_ticket(TICKET, LAYOUT_80MM)).texts
    assert "Kunjungan Anda:" not in single
    assert "Pindai untuk melihat status antrean" in single
