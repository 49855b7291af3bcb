"""The demo building "MPP Kota Contoh" shipped in the package."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, time
from pathlib import Path

import pytest

from server.auth import verify_pin, verify_token
from server.config import (
    demo_building_path,
    demo_credentials_path,
    load_building,
    load_demo_building,
    load_demo_credentials,
)
from server.core.building import (
    BookingSettings,
    Building,
    DeviceKind,
    ManagerRole,
    VoiceConfig,
)
from server.core.slots import day_slots

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="module")
def demo() -> Building:
    return load_demo_building()


def test_demo_files_live_in_the_package() -> None:
    """The demo TOML and credentials sit in server/demo, where package-data ships them."""
    assert demo_building_path() == REPO / "server" / "demo" / "mpp-kota-contoh.toml"
    assert demo_building_path().is_file() and demo_credentials_path().is_file()


def test_demo_counts(demo: Building) -> None:
    """The demo has 2 zones, 15 agencies, 21 lines, 31 counters, 6 devices and 19 people."""
    assert demo.name == "MPP Kota Contoh"
    assert (len(demo.zones), len(demo.agencies), len(demo.lines), len(demo.counters)) == (
        2,
        15,
        21,
        31,
    )
    assert [d.id for d in demo.devices] == [
        "KIOSK-1",
        "KIOSK-2",
        "TV-1",
        "TV-2",
        "TABLET-L01",
        "EXIT-1",
    ]
    assert len(demo.officers) == 17 and [m.id for m in demo.managers] == ["LANTAI", "ADMIN"]


def test_l07_is_dukcapils_priority_counter(demo: Building) -> None:
    """L07 is loket 7, a priority counter serving all Dukcapil lines A–D; no other is priority."""
    l07 = demo.counter("L07")
    assert l07 is not None
    assert (l07.number, l07.agency, l07.serves, l07.priority) == (
        7,
        "DUKCAPIL",
        ("A", "B", "C", "D"),
        True,
    )
    assert [c.id for c in demo.counters if c.priority] == ["L07"]


def test_demo_hours(demo: Building) -> None:
    """Mon–Fri 07:30–16:00 WIB, Friday break 11:30–13:00, closed at weekends."""
    assert demo.timezone == "WIB" and demo.zone_label == "WIB"
    for day in demo.weekly[:5]:
        assert day is not None and (day.open, day.close) == (time(7, 30), time(16))
    friday = demo.weekly[4]
    assert friday is not None and [(b.start, b.end) for b in friday.breaks] == [
        (time(11, 30), time(13))
    ]
    assert demo.weekly[0] is not None and demo.weekly[0].breaks == ()
    assert demo.weekly[5] is None and demo.weekly[6] is None


def test_demo_holidays(demo: Building) -> None:
    """Independence Day and Idulfitri 2026 are holidays, and 2027 is covered too."""
    days = {h.day: h.name for h in demo.holidays}
    assert days[date(2026, 8, 17)] == "Proklamasi Kemerdekaan"
    assert days[date(2026, 3, 21)] == "Idulfitri 1447 Hijriah"
    assert any(d.year == 2027 for d in days)


def test_demo_lines_follow_the_data(demo: Building) -> None:
    """Quotas and cutoffs are those of lines.csv: A capped 300+40 until 14:30, D uncapped."""
    a, d = demo.line("A"), demo.line("D")
    assert a is not None and d is not None
    assert (a.quota_walk_in, a.quota_priority, a.cutoff) == (300, 40, time(14, 30))
    assert (d.quota_walk_in, d.quota_priority, d.cutoff) == (None, None, time(15))
    assert {z.id for z in demo.zones} == {"1", "2"}


def test_demo_devices_and_people(demo: Building) -> None:
    """Kiosks see every zone, each TV one zone; Dukcapil and Samsat have two officers each."""
    kinds = {d.id: (d.kind, d.zone) for d in demo.devices}
    assert kinds["KIOSK-1"] == (DeviceKind.KIOSK, None)
    assert kinds["TV-2"] == (DeviceKind.DISPLAY, "2")
    per_agency = {
        a.code: [o.id for o in demo.officers if o.agency == a.code] for a in demo.agencies
    }
    assert per_agency["DUKCAPIL"] == ["DKP01", "DKP02"] and len(per_agency["SAMSAT"]) == 2
    assert all(per_agency.values())
    assert {m.id: m.role for m in demo.managers} == {
        "LANTAI": ManagerRole.FLOOR,
        "ADMIN": ManagerRole.ADMIN,
    }


def test_demo_credentials_match_the_hashes(demo: Building) -> None:
    """Every plaintext demo token and PIN verifies against the building's digest or hash."""
    secrets = load_demo_credentials()
    people = {p.id: p.pin_hash for p in (*demo.officers, *demo.managers)}
    devices = {d.id: d.token_sha256 for d in demo.devices}
    assert set(secrets) == set(people) | set(devices)
    for device_id, digest in devices.items():
        assert secrets[device_id].startswith("demo-") and len(secrets[device_id]) >= 40
        assert verify_token(secrets[device_id], digest), device_id
    for person_id, stored in people.items():
        assert len(secrets[person_id]) == 6 and secrets[person_id].isdigit()
        assert verify_pin(secrets[person_id], stored), person_id


def test_demo_credentials_file_is_a_readable_table() -> None:
    """After the # comments, each line is `kind id secret` with a known kind."""
    lines = demo_credentials_path().read_text(encoding="utf-8").splitlines()
    body = [ln.split() for ln in lines if ln and not ln.startswith("#")]
    assert lines[0].startswith("#") and len(body) == 6 + 17 + 2
    assert all(len(row) == 3 for row in body)
    kinds = {"kiosk", "display", "tablet", "exit", "officer", "manager"}
    assert {row[0] for row in body} == kinds


def test_the_demo_survey_tablet_faces_a_dukcapil_counter(demo: Building) -> None:
    """The SKM tablet (issue 20) stands at Loket 1, Dukcapil's, where the README's walk
    finishes a ticket; the exit page is a device of its own."""
    kinds = {
        d.id: (d.kind.value, d.counter) for d in demo.devices if d.kind.value in ("tablet", "exit")
    }
    assert kinds == {"TABLET-L01": ("tablet", "L01"), "EXIT-1": ("exit", None)}
    l01 = demo.counter("L01")
    assert l01 is not None and l01.agency == "DUKCAPIL"


def test_demo_voice_reads_digit_by_digit(demo: Building) -> None:
    """The demo's [voice] spells every field out, with the defaults: digits, no agency, 140 wpm."""
    assert demo.voice == VoiceConfig()
    assert "[voice]" in demo_building_path().read_text(encoding="utf-8")


def test_running_text_uses_kbbi_spelling(demo: Building) -> None:
    """The running text says "antrean" and "silakan", never "antrian" or "silahkan"."""
    text = demo.running_text.lower()
    assert "antrean" in text and "silakan" in text
    assert "antrian" not in text and "silahkan" not in text


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is not here")
def test_generator_reproduces_the_committed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerating from the shared CSVs gives the committed TOML and credentials byte for byte."""
    spec = importlib.util.spec_from_file_location("make_demo", REPO / "tools/make_demo_building.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_demo", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    toml_path, creds_path = module.generate(SHARED_DATA, tmp_path)
    assert toml_path.read_text(encoding="utf-8") == demo_building_path().read_text(encoding="utf-8")
    assert creds_path.read_text(encoding="utf-8") == demo_credentials_path().read_text(
        encoding="utf-8"
    )


def test_the_demo_promise_is_one_overtaking_or_a_quarter(demo: Building) -> None:
    """The demo keeps the guard on at 25 % with no extra floor (issue 18): the promise is "one
    overtaking or a quarter of the wait". regular_delay_min is no longer in the file."""
    policy = demo.policy
    assert (policy.protect_regular, policy.regular_delay_pct, policy.regular_delay_min) == (
        True,
        25,
        0,
    )
    assert "regular_delay_min" not in demo_building_path().read_text(encoding="utf-8")


def test_the_booking_allowance_defaults_to_half_and_a_file_may_set_it(tmp_path: Path) -> None:
    """Issue 19: booked citizens may cost a walk-in at most half its wait in arrival order by
    default (docs/configuration.md, `booking_delay_pct = 50`); a building may set its own."""
    assert load_demo_building().policy.booking_delay_pct == 50
    text = demo_building_path().read_text(encoding="utf-8")
    path = tmp_path / "gedung.toml"
    path.write_text(
        text.replace("regular_delay_pct = 25", "regular_delay_pct = 25\nbooking_delay_pct = 100"),
        encoding="utf-8",
    )
    assert load_building(path).policy.booking_delay_pct == 100


def test_a_building_file_that_still_sets_the_old_floor_keeps_loading(tmp_path: Path) -> None:
    """A file written before issue 18 with `regular_delay_min = 5` loads: the five minutes are
    now an extra floor beside one overtaking (docs/configuration.md)."""
    text = demo_building_path().read_text(encoding="utf-8")
    old = text.replace("regular_delay_pct = 25", "regular_delay_pct = 25\nregular_delay_min = 5")
    path = tmp_path / "gedung.toml"
    path.write_text(old, encoding="utf-8")
    assert load_building(path).policy.regular_delay_min == 5


def test_demo_booking_lines_are_sized_as_the_script_says(demo: Building) -> None:
    """Dukcapil's A and B, Polres' SKCK (G), BPJS Kesehatan's registration (J, issue 22) and
    Imigrasi's passports (P) take bookings, with the
    slots and places tools/make_demo_building.py explains: on Monday 23 November 2026 slots from
    07:30 while they start before the cutoff, on Friday 27 November none inside the prayer
    break 11:30–13:00."""
    assert [ln.prefix for ln in demo.lines if ln.booking is not None] == ["A", "B", "G", "J", "P"]
    # prefix: (slot_min, places, priority_places, Monday's slots, Friday's slots, places Monday)
    expected = {
        "A": (30, 4, 1, 14, 11, 70),  # 07:30 … 14:00, cutoff 14:30
        "B": (60, 4, 1, 7, 5, 35),  # 07:30 … 13:30, cutoff 14:30
        "G": (30, 2, 0, 13, 10, 26),  # 07:30 … 13:30, cutoff 14:00
        "J": (30, 3, 1, 16, 13, 64),  # 07:30 … 15:00, cutoff 15:30
        "P": (60, 4, 1, 6, 4, 30),  # 07:30 … 12:30, cutoff 13:00
    }
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    for prefix, (slot_min, places, priority, on_monday, on_friday, booked) in expected.items():
        line = demo.line(prefix)
        rules = line.booking
        assert (rules.slot_min, rules.places, rules.priority_places) == (slot_min, places, priority)
        assert len(day_slots(demo, line, monday)) == on_monday, prefix
        assert len(day_slots(demo, line, friday)) == on_friday, prefix
        assert on_monday * rules.capacity == booked, prefix
    assert day_slots(demo, demo.line("A"), friday) == tuple(
        time(h, m)
        for h, m in [(7, 30), (8, 0), (8, 30), (9, 0), (9, 30), (10, 0), (10, 30), (11, 0),
                     (13, 0), (13, 30), (14, 0)]
    )  # fmt: skip
    a, p = demo.line("A").booking, demo.line("P").booking
    assert (a.release_unused_at, p.release_unused_at) == (time(11), time(10))
    assert demo.line("B").booking.release_unused_at is None
    assert (p.days_ahead, p.opens_at, p.check_in_early_min) == (30, time(7), 60)
    assert demo.booking == BookingSettings(
        public_url=None, retention_days=30, max_active_per_phone=3, requests_per_minute=20
    )
