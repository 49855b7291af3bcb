"""Online booking in the building file: what a good file gives, what the operator reads for each
mistake (file, line, key, message), and what `antre config check` warns about.

`CASES` is one hand-written table, in the order of docs/configuration.md "Online booking": each
edit of BASE, the text of the line the problem must point at, the key path and the message.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from server import cli
from server.auth import hash_pin
from server.config import ConfigError, parse_building
from server.core.building import BookingRules, BookingSettings
from server.core.slots import day_slots

PIN_HASH = hash_pin("123456", n=2**4)

BASE = f"""\
[building]
name = "MPP Uji Pesan"
timezone = "WIB"

[hours]
monday = {{ open = "07:30", close = "16:00" }}
tuesday = {{ open = "07:30", close = "16:00" }}
wednesday = {{ open = "07:30", close = "16:00" }}
thursday = {{ open = "07:30", close = "16:00" }}
friday = {{ open = "07:30", close = "16:00", breaks = [["11:30", "13:00"]] }}
saturday = "closed"
sunday = "closed"

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
zone = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
zone = "1"

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "Perekaman KTP-el"
target_service_min = 10
quota_walk_in = 300
cutoff = "14:30"

[lines.booking]
slot_min = 30
places = 4
priority_places = 1
days_ahead = 14
opens_at = "06:00"
closes_min_before = 60
check_in_early_min = 30
check_in_late_min = 15
release_unused_at = "11:00"
documents = "Kartu Keluarga asli."

[[lines]]
prefix = "B"
agency = "DUKCAPIL"
name = "Kartu Keluarga"
target_service_min = 12

[[lines]]
prefix = "P"
agency = "IMIGRASI"
name = "Paspor"
target_service_min = 15
quota_walk_in = 0
quota_priority = 50
cutoff = "13:00"

[lines.booking]
slot_min = 60
places = 5
priority_places = 1

[[counters]]
id = "L01"
agency = "DUKCAPIL"
serves = ["A", "B"]

[[counters]]
id = "L02"
agency = "DUKCAPIL"
serves = ["A"]

[[counters]]
id = "L03"
agency = "IMIGRASI"
serves = ["P"]

[[counters]]
id = "L04"
agency = "IMIGRASI"
serves = ["P"]

[[officers]]
id = "DKP01"
name = "Siti Rahmawati"
agency = "DUKCAPIL"
pin_hash = "{PIN_HASH}"

[booking]
public_url = "https://antrean.mpp-uji.go.id/"
retention_days = 60
max_active_per_phone = 2
requests_per_minute = 30
"""

A_BOOKING = "slot_min = 30\nplaces = 4\npriority_places = 1\n"
P_BOOKING = "slot_min = 60\nplaces = 5\npriority_places = 1\n"


def edit(*changes: tuple[str, str], append: str = "") -> str:
    """BASE with each `old` replaced by `new` (each `old` occurring once), plus `append`."""
    text = BASE
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in BASE"
        text = text.replace(old, new)
    return text + append


def test_booking_reads_as_written() -> None:
    """Every key of A's table as written; P's left to the defaults; B takes no booking."""
    b = parse_building(BASE)
    assert b.line("A").booking == BookingRules(
        slot_min=30,
        places=4,
        priority_places=1,
        days_ahead=14,
        opens_at=time(6),
        closes_min_before=60,
        check_in_early_min=30,
        check_in_late_min=15,
        release_unused_at=time(11),
        documents="Kartu Keluarga asli.",
    )
    # The defaults of docs/configuration.md: 14 days ahead opening at 00:00, no booking within
    # 60 minutes of a slot, check-in 30 minutes early to 15 late, nothing released, no text.
    assert b.line("P").booking == BookingRules(
        slot_min=60,
        places=5,
        priority_places=1,
        days_ahead=14,
        opens_at=time(0),
        closes_min_before=60,
        check_in_early_min=30,
        check_in_late_min=15,
        release_unused_at=None,
        documents=None,
    )
    assert b.line("B").booking is None
    # The address is kept without its final slash: the pages add "/pesan…" to it.
    assert b.booking == BookingSettings(
        public_url="https://antrean.mpp-uji.go.id",
        retention_days=60,
        max_active_per_phone=2,
        requests_per_minute=30,
    )


def test_without_a_booking_table_the_building_has_the_defaults() -> None:
    text = BASE[: BASE.index("[booking]")]
    b = parse_building(text)
    assert b.booking == BookingSettings(
        public_url=None, retention_days=30, max_active_per_phone=3, requests_per_minute=20
    )


def test_booking_as_an_inline_table_reads_the_same() -> None:
    """`booking = { … }` inside [[lines]] is the same TOML as a [lines.booking] sub-table."""
    text = edit(
        (f"\n[lines.booking]\n{P_BOOKING}", "booking = { slot_min = 60, places = 5, "
         "priority_places = 1 }\n"),
    )  # fmt: skip
    assert parse_building(text).line("P").booking == parse_building(BASE).line("P").booking


def _line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` (maybe several lines) starts; it must occur once."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


# (case id, edited text, text of the line the problem is on, key, message)
CASES: list[tuple[str, str, str, str, str]] = [
    (
        "booking-as-an-array",
        edit(("[lines.booking]\nslot_min = 60", "[[lines.booking]]\nslot_min = 60")),
        "[[lines.booking]]",
        "lines[P].booking",
        "expected a table, got an array; write [lines.booking]",
    ),
    (
        "booking-as-a-boolean",
        edit(
            (
                "[lines.booking]\nslot_min = 60\nplaces = 5\npriority_places = 1\n",
                "booking = true\n",
            )
        ),
        "booking = true",
        "lines[P].booking",
        "expected a table, got boolean true",
    ),
    (
        "unknown-key",
        edit(("slot_min = 60", "slot_min = 60\nslot_minutes = 30")),
        "slot_minutes = 30",
        "lines[P].booking.slot_minutes",
        'unknown key "slot_minutes"; did you mean "slot_min"?',
    ),
    (
        "slot-missing",
        edit(("slot_min = 60\n", "")),
        "[lines.booking]\nplaces = 5",
        "lines[P].booking.slot_min",
        "required key is missing",
    ),
    (
        "slot-too-short",
        edit(("slot_min = 30", "slot_min = 4")),
        "slot_min = 4",
        "lines[A].booking.slot_min",
        "must be from 5 to 240 minutes, got 4",
    ),
    (
        "slot-too-long",
        edit(("slot_min = 60", "slot_min = 241")),
        "slot_min = 241",
        "lines[P].booking.slot_min",
        "must be from 5 to 240 minutes, got 241",
    ),
    (
        "slot-a-fraction",
        edit(("slot_min = 30", "slot_min = 7.5")),
        "slot_min = 7.5",
        "lines[A].booking.slot_min",
        "expected a whole number from 5 to 240, got float 7.5",
    ),
    (
        "places-missing",
        edit(("places = 5\n", "")),
        "[lines.booking]\nslot_min = 60",
        "lines[P].booking.places",
        "required key is missing",
    ),
    (
        "places-negative",
        edit(("places = 4", "places = -1")),
        "places = -1",
        "lines[A].booking.places",
        "must be ≥ 0, got -1",
    ),
    (
        "no-place-at-all",
        edit(("places = 5\npriority_places = 1", "places = 0\npriority_places = 0")),
        "places = 0\npriority_places = 0",
        "lines[P].booking.places",
        "places and priority_places are both 0: a slot would take no booking; give at least "
        "one place, or remove [lines.booking]",
    ),
    (
        "priority-places-negative",
        edit(("places = 5\npriority_places = 1", "places = 5\npriority_places = -2")),
        "priority_places = -2",
        "lines[P].booking.priority_places",
        "must be ≥ 0, got -2",
    ),
    (
        "days-ahead-too-far",
        edit(("days_ahead = 14", "days_ahead = 91")),
        "days_ahead = 91",
        "lines[A].booking.days_ahead",
        "must be from 0 to 90 days, got 91",
    ),
    (
        "opens-at-not-a-time",
        edit(('opens_at = "06:00"', 'opens_at = "6 pagi"')),
        'opens_at = "6 pagi"',
        "lines[A].booking.opens_at",
        '"6 pagi" is not a time of day; write "HH:MM" from "00:00" to "23:59"',
    ),
    (
        "opens-at-a-number",
        edit(('opens_at = "06:00"', "opens_at = 6")),
        "opens_at = 6",
        "lines[A].booking.opens_at",
        'expected a time such as "07:30", got integer 6',
    ),
    (
        "closes-before-negative",
        edit(("closes_min_before = 60", "closes_min_before = -10")),
        "closes_min_before = -10",
        "lines[A].booking.closes_min_before",
        "must be ≥ 0 minutes, got -10",
    ),
    (
        "closes-before-the-whole-window",
        edit(
            ("days_ahead = 14", "days_ahead = 1"),
            ("closes_min_before = 60", "closes_min_before = 2880"),
        ),
        "closes_min_before = 2880",
        "lines[A].booking.closes_min_before",
        "2880 minutes is as long as the whole booking window (days_ahead = 1: every slot "
        "starts within 2880 minutes), so no slot could ever be booked",
    ),
    (
        "check-in-early-too-long",
        edit(("check_in_early_min = 30", "check_in_early_min = 241")),
        "check_in_early_min = 241",
        "lines[A].booking.check_in_early_min",
        "must be from 0 to 240 minutes, got 241",
    ),
    (
        "check-in-late-negative",
        edit(("check_in_late_min = 15", "check_in_late_min = -5")),
        "check_in_late_min = -5",
        "lines[A].booking.check_in_late_min",
        "must be from 0 to 240 minutes, got -5",
    ),
    (
        "release-before-opening",
        edit(('release_unused_at = "11:00"', 'release_unused_at = "07:30"')),
        'release_unused_at = "07:30"',
        "lines[A].booking.release_unused_at",
        "release_unused_at 07:30 is not after the line opens on any of its days (earliest "
        "07:30): every booked place would go to walk-in citizens before the first slot",
    ),
    (
        "release-after-the-cutoff",
        edit(('release_unused_at = "11:00"', 'release_unused_at = "15:00"')),
        'release_unused_at = "15:00"',
        "lines[A].booking.release_unused_at",
        "release_unused_at 15:00 is not before the line stops issuing tickets on any of its "
        "days (latest 14:30, its closing or cutoff): unused places would never reach walk-in "
        "citizens",
    ),
    (
        "release-not-a-time",
        edit(('release_unused_at = "11:00"', 'release_unused_at = "11.00"')),
        'release_unused_at = "11.00"',
        "lines[A].booking.release_unused_at",
        '"11.00" is not a time of day; write "HH:MM" from "00:00" to "23:59"',
    ),
    (
        "documents-empty",
        edit(('documents = "Kartu Keluarga asli."', 'documents = " "')),
        'documents = " "',
        "lines[A].booking.documents",
        "must not be empty",
    ),
    (
        "documents-too-long",
        edit(('documents = "Kartu Keluarga asli."', f'documents = "{"KK asli. " * 56}"')),
        "documents = ",
        "lines[A].booking.documents",
        "504 characters; at most 500: say what to bring in a sentence or two",
    ),
    (
        "building-unknown-key",
        edit(("retention_days = 60", "retention_day = 60")),
        "retention_day = 60",
        "booking.retention_day",
        'unknown key "retention_day"; did you mean "retention_days"?',
    ),
    (
        "building-booking-as-an-array",
        edit(("[booking]\npublic_url", "[[booking]]\npublic_url")),
        "[[booking]]",
        "booking",
        "expected a table, got an array; write [booking]",
    ),
    (
        "retention-zero",
        edit(("retention_days = 60", "retention_days = 0")),
        "retention_days = 0",
        "booking.retention_days",
        "must be from 1 to 3650 days, got 0",
    ),
    (
        "retention-too-long",
        edit(("retention_days = 60", "retention_days = 3651")),
        "retention_days = 3651",
        "booking.retention_days",
        "must be from 1 to 3650 days, got 3651",
    ),
    (
        "phone-limit-zero",
        edit(("max_active_per_phone = 2", "max_active_per_phone = 0")),
        "max_active_per_phone = 0",
        "booking.max_active_per_phone",
        "must be ≥ 1, got 0",
    ),
    (
        "rate-limit-zero",
        edit(("requests_per_minute = 30", "requests_per_minute = 0")),
        "requests_per_minute = 0",
        "booking.requests_per_minute",
        "must be ≥ 1, got 0",
    ),
    (
        "rate-limit-a-string",
        edit(("requests_per_minute = 30", 'requests_per_minute = "30"')),
        'requests_per_minute = "30"',
        "booking.requests_per_minute",
        'expected a whole number ≥ 1, got string "30"',
    ),
    (
        "url-without-scheme",
        edit(('"https://antrean.mpp-uji.go.id/"', '"antrean.mpp-uji.go.id"')),
        'public_url = "antrean.mpp-uji.go.id"',
        "booking.public_url",
        'expected an address such as "https://antrean.mpp-kota-contoh.go.id", got '
        '"antrean.mpp-uji.go.id"',
    ),
    (
        "url-of-another-scheme",
        edit(('"https://antrean.mpp-uji.go.id/"', '"ftp://antrean.mpp-uji.go.id"')),
        'public_url = "ftp://antrean.mpp-uji.go.id"',
        "booking.public_url",
        'expected an address such as "https://antrean.mpp-kota-contoh.go.id", got '
        '"ftp://antrean.mpp-uji.go.id"',
    ),
    (
        "url-with-a-query",
        edit(('"https://antrean.mpp-uji.go.id/"', '"https://antrean.mpp-uji.go.id/?src=qr"')),
        'public_url = "https://antrean.mpp-uji.go.id/?src=qr"',
        "booking.public_url",
        '"https://antrean.mpp-uji.go.id/?src=qr" has a query or a fragment (after ? or #); '
        "the pages add their own paths to it: write only the base, such as "
        '"https://antrean.mpp-kota-contoh.go.id"',
    ),
    (
        "url-with-a-fragment",
        edit(('"https://antrean.mpp-uji.go.id/"', '"https://antrean.mpp-uji.go.id/#pesan"')),
        'public_url = "https://antrean.mpp-uji.go.id/#pesan"',
        "booking.public_url",
        '"https://antrean.mpp-uji.go.id/#pesan" has a query or a fragment (after ? or #); '
        "the pages add their own paths to it: write only the base, such as "
        '"https://antrean.mpp-kota-contoh.go.id"',
    ),
    (
        "url-with-a-password",
        edit(('"https://antrean.mpp-uji.go.id/"', '"https://admin:rahasia@mpp-uji.go.id"')),
        'public_url = "https://admin:rahasia@mpp-uji.go.id"',
        "booking.public_url",
        '"https://admin:rahasia@mpp-uji.go.id" names a user; links printed in QR codes carry '
        "no credentials",
    ),
    (
        "url-with-a-space",
        edit(('"https://antrean.mpp-uji.go.id/"', '"https://antrean mpp-uji.go.id"')),
        'public_url = "https://antrean mpp-uji.go.id"',
        "booking.public_url",
        '"https://antrean mpp-uji.go.id" has a space in it; write the address without spaces',
    ),
    (
        "url-with-a-bad-port",
        edit(('"https://antrean.mpp-uji.go.id/"', '"https://antrean.mpp-uji.go.id:99999"')),
        'public_url = "https://antrean.mpp-uji.go.id:99999"',
        "booking.public_url",
        'expected an address such as "https://antrean.mpp-kota-contoh.go.id", got '
        '"https://antrean.mpp-uji.go.id:99999"',
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "key", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_mistake_is_named_by_file_line_and_key(
    text: str, where: str, key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_building(text, "gedung.toml")
    problems = [(p.line, p.key, p.message) for p in caught.value.problems]
    assert problems == [(_line_of(text, where), key, message)]
    assert caught.value.file == "gedung.toml"


def test_every_mistake_of_a_file_is_reported_at_once() -> None:
    """Two bad keys in one line's table and one in [booking]: three problems, file order."""
    text = edit(
        ("slot_min = 30", "slot_min = 300"),
        ("check_in_late_min = 15", "check_in_late_min = 500"),
        ("retention_days = 60", "retention_days = 0"),
    )
    with pytest.raises(ConfigError) as caught:
        parse_building(text, "gedung.toml")
    assert [(p.line, p.key) for p in caught.value.problems] == [
        (_line_of(text, "slot_min = 300"), "lines[A].booking.slot_min"),
        (_line_of(text, "check_in_late_min = 500"), "lines[A].booking.check_in_late_min"),
        (_line_of(text, "retention_days = 0"), "booking.retention_days"),
    ]


def test_a_booking_line_no_counter_serves_is_refused() -> None:
    """Booking on a line nobody calls is not a warning but the file's error for any line."""
    text = edit(('id = "L04"\nagency = "IMIGRASI"\nserves = ["P"]', 'id = "L04"\nagency = '
                 '"DUKCAPIL"\nserves = ["B"]'),
                ('id = "L03"\nagency = "IMIGRASI"\nserves = ["P"]', 'id = "L03"\nagency = '
                 '"DUKCAPIL"\nserves = ["B"]'))  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        parse_building(text, "gedung.toml")
    assert [(p.key, p.message) for p in caught.value.problems] == [
        ("lines[P]", 'no counter serves line "P"; add it to a counter\'s serves')
    ]


# ---- `antre config check`: warnings a building may run with ----


def _check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, list[str]]:
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    assert cli.check_main(str(path)) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: ")
    # The holiday warning depends on the year the test runs in; it is not this file's subject.
    return str(path), [w for w in err.splitlines() if "no holidays listed" not in w]


def test_a_booking_that_fits_its_counters_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A: 5 places × 10 min = 50 ≤ 30 × 2 counters; P: 6 × 15 = 90 ≤ 60 × 2: no warning."""
    _, warnings = _check(tmp_path, BASE, capsys)
    assert warnings == []


def test_places_that_need_more_counter_time_than_a_slot_has_are_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A: 7 places × 10 min = 70 > 30 min × 2 counters = 60. P: 9 × 15 = 135 > 60 × 2 = 120."""
    text = edit(("places = 4\npriority_places = 1", "places = 5\npriority_places = 2"),
                ("places = 5\npriority_places = 1", "places = 8\npriority_places = 1"))  # fmt: skip
    path, warnings = _check(tmp_path, text, capsys)
    assert warnings == [
        f"warning: {path}: lines[A].booking.places: a slot's 7 booked places need 70 minutes "
        "of counter time (7 × target_service_min 10) but the line's 2 counters have 60 in a "
        "30-minute slot on monday, tuesday, wednesday, thursday, friday; booked citizens would "
        "be called ever later after their slot starts: fewer places, a longer slot or more "
        "counters",
        f"warning: {path}: lines[P].booking.places: a slot's 9 booked places need 135 minutes "
        "of counter time (9 × target_service_min 15) but the line's 2 counters have 120 in a "
        "60-minute slot on monday, tuesday, wednesday, thursday, friday; booked citizens "
        "would be called ever later after their slot starts: fewer places, a longer slot or "
        "more counters",
    ]


def test_a_part_week_desk_is_counted_on_its_own_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """L04 serves P only Monday–Wednesday (a shared desk): Thursday and Friday have one counter
    for P, and 6 places × 15 min = 90 > 60 × 1 then."""
    text = edit(('[[counters]]\nid = "L04"\nagency = "IMIGRASI"\nserves = ["P"]',
                 '[[counters]]\nid = "L04"\n\n[[counters.schedule]]\n'
                 'days = ["monday", "tuesday", "wednesday"]\nagency = "IMIGRASI"\n'
                 'serves = ["P"]'))  # fmt: skip
    path, warnings = _check(tmp_path, text, capsys)
    assert warnings == [
        f"warning: {path}: lines[P].booking.places: a slot's 6 booked places need 90 minutes "
        "of counter time (6 × target_service_min 15) but the line's 1 counter has 60 in a "
        "60-minute slot on thursday, friday; booked citizens would be called ever later after "
        "their slot starts: fewer places, a longer slot or more counters",
    ]


def test_a_release_some_days_never_reach_is_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Open on Saturday 08:00–10:30: A's 11:00 release is after Saturday's closing."""
    text = edit(('saturday = "closed"', 'saturday = { open = "08:00", close = "10:30" }'))
    path, warnings = _check(tmp_path, text, capsys)
    assert warnings == [
        f"warning: {path}: lines[A].booking.release_unused_at: 11:00 is outside the line's "
        "hours on saturday: those days no unused booked place goes to walk-in citizens",
    ]


def test_a_release_without_a_walk_in_quota_is_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without quota_walk_in, walk-in tickets have no cap that released places could grow."""
    path, warnings = _check(tmp_path, edit(("quota_walk_in = 300\n", "")), capsys)
    assert warnings == [
        f"warning: {path}: lines[A].booking.release_unused_at: has no effect: the line's "
        "walk-in tickets have no daily cap (quota_walk_in), so there is no quota to grow",
    ]


def test_a_booking_table_without_booking_lines_is_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE
    for table in ("[lines.booking]\n" + A_BOOKING, "[lines.booking]\n" + P_BOOKING):
        text = text.replace(table, "")
    text = "\n".join(
        line
        for line in text.splitlines()
        if not line.startswith(
            ("days_ahead", "opens_at", "closes_min", "check_in", "release", "documents")
        )
    )
    path, warnings = _check(tmp_path, text + "\n", capsys)
    assert warnings == [
        f"warning: {path}: booking: no line takes bookings: add [lines.booking] after a [[lines]]"
    ]


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "mpp-kabupaten-contoh.toml"


def test_the_worked_example_books_imigrasi_on_its_own_days_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The second building's passport line F (Imigrasi, Monday–Thursday 08:00–14:00, cutoff
    13:00, one counter) takes bookings in hourly slots 08:00–12:00 of 3 places, as its comment
    says; on Friday, a day Imigrasi does not come, it has no slot. `antre config check` is
    silent about it: 3 × 15 = 45 of the counter's 60 minutes."""
    b = parse_building(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    rules = b.line("F").booking
    assert (rules.slot_min, rules.places, rules.priority_places) == (60, 3, 0)
    assert rules.release_unused_at == time(10)
    hourly = tuple(time(h) for h in (8, 9, 10, 11, 12))
    for monday_to_thursday in range(23, 27):
        assert day_slots(b, b.line("F"), date(2026, 11, monday_to_thursday)) == hourly
    assert day_slots(b, b.line("F"), date(2026, 11, 27)) == ()
    assert [ln.prefix for ln in b.lines if ln.booking is not None] == ["F"]
    assert (b.booking.public_url, b.booking.retention_days) == (
        "https://antrean.mpp-kabupaten-contoh.go.id",
        14,
    )
    assert cli.check_main(str(EXAMPLE), today=date(2026, 11, 23)) == 0
    assert capsys.readouterr().err == ""


DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(
    encoding="utf-8"
)


def _worked_example_building(counters: int) -> str:
    """The passport line of docs/configuration.md's worked example, as the doc writes it, in a
    building open 08:00–16:00 with Friday's prayer break, with `counters` counters serving it."""
    start = DOC.index("**A worked example: a passport office")
    block = DOC[DOC.index("```toml\n", start) + len("```toml\n") : DOC.index("```\n", start)]
    desks = "".join(
        f'\n[[counters]]\nid = "L{n:02d}"\nagency = "IMIGRASI"\nserves = ["P"]\n'
        for n in range(1, counters + 1)
    )
    return f"""\
[building]
name = "Kantor Imigrasi Uji"
timezone = "WIB"

[hours]
monday = {{ open = "08:00", close = "16:00" }}
tuesday = {{ open = "08:00", close = "16:00" }}
wednesday = {{ open = "08:00", close = "16:00" }}
thursday = {{ open = "08:00", close = "16:00" }}
friday = {{ open = "08:00", close = "16:00", breaks = [["11:30", "13:00"]] }}
saturday = "closed"
sunday = "closed"

[[zones]]
id = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
zone = "1"

{block}{desks}"""


def test_the_docs_worked_example_gives_the_docs_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The doc's table: 10 slots 08:00 … 12:30 Monday–Thursday (200 + 50 booked), 7 on Friday
    (140 + 35); walk-in 0 regular, 35 priority; 13 counters are enough, 12 are warned about."""
    b = parse_building(_worked_example_building(13))
    line = b.line("P")
    rules = line.booking
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    assert day_slots(b, line, monday) == tuple(time(h, m) for h in range(8, 13) for m in (0, 30))
    assert len(day_slots(b, line, monday)) * rules.places == 200
    assert len(day_slots(b, line, monday)) * rules.priority_places == 50
    assert len(day_slots(b, line, friday)) == 7
    assert time(11, 30) not in day_slots(b, line, friday)
    assert len(day_slots(b, line, friday)) * rules.places == 140
    assert len(day_slots(b, line, friday)) * rules.priority_places == 35
    assert (line.quota_walk_in, line.quota_priority) == (0, 35)
    assert rules.release_unused_at == time(11)
    _, warnings = _check(tmp_path, _worked_example_building(13), capsys)
    assert warnings == []
    path, warnings = _check(tmp_path, _worked_example_building(12), capsys)
    assert warnings == [
        f"warning: {path}: lines[P].booking.places: a slot's 25 booked places need 375 minutes "
        "of counter time (25 × target_service_min 15) but the line's 12 counters have 360 in a "
        "30-minute slot on monday, tuesday, wednesday, thursday, friday; booked citizens would "
        "be called ever later after their slot starts: fewer places, a longer slot or more "
        "counters",
    ]


def test_the_docs_warning_example_is_what_config_check_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/configuration.md shows the capacity warning for 7 places of 10 minutes on 2
    counters; it is the warning of that file, word for word."""
    text = edit(("places = 4\npriority_places = 1", "places = 5\npriority_places = 2"))
    path, warnings = _check(tmp_path, text, capsys)
    shown = next(ln.strip() for ln in DOC.splitlines() if "warning: gedung.toml: lines[A]" in ln)
    assert warnings == [shown.replace("gedung.toml", path)]
