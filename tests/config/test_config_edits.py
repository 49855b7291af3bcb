"""Live building edits (issue 23, server/config/edits.py): one entity changed, validated by the
config check itself, refused whole, reversible, and told in Indonesian for the audit view.

Every expectation is written by hand from `SMALL` below (a building of two agencies, three lines,
two counters, one officer, one kiosk), not computed by the code under test.
"""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from test_config_errors import DIGEST, PIN_HASH

from server.config import load_building, parse_building
from server.config.edits import (
    KINDS,
    Edit,
    EditRefused,
    Place,
    all_entities,
    apply_edit,
    apply_edits,
    describe,
    entities,
    entity,
    inverse,
    places,
)
from server.core.building import Building

SMALL = f"""\
[building]
name = "MPP Kecil"
timezone = "WIB"
running_text = "Selamat datang di MPP Kecil."

[hours]
monday = {{ open = "07:30", close = "16:00" }}
tuesday = {{ open = "07:30", close = "16:00" }}
wednesday = {{ open = "07:30", close = "16:00" }}
thursday = {{ open = "07:30", close = "16:00" }}
friday = {{ open = "07:30", close = "16:00" }}
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
short_name = "Dukcapil"
zone = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
short_name = "Imigrasi"
zone = "1"
days = ["monday", "tuesday"]
open = "08:00"
close = "14:00"

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "Perekaman KTP-el"
target_service_min = 10
quota_walk_in = 300

[[lines]]
prefix = "P"
agency = "IMIGRASI"
name = "Paspor baru"
target_service_min = 20

[[lines]]
prefix = "Q"
agency = "IMIGRASI"
name = "Paspor hilang"
target_service_min = 30
close = "12:00"

[[counters]]
id = "L01"
name = "Loket 1"
number = 1
zone = "1"
agency = "DUKCAPIL"
serves = ["A"]

[[counters]]
id = "L02"
name = "Loket 2"
number = 2
zone = "1"
agency = "IMIGRASI"
serves = ["P", "Q"]

[[devices]]
id = "KIOSK-1"
kind = "kiosk"
zone = "1"
token_sha256 = "{DIGEST}"

[[officers]]
id = "DKP01"
name = "Siti Rahmawati"
agency = "DUKCAPIL"
pin_hash = "{PIN_HASH}"
"""

NEW_LINE = {"prefix": "Y", "agency": "DUKCAPIL", "name": "Pembuatan Akta", "target_service_min": 15}
NEW_COUNTER = {
    "id": "L03",
    "name": "Loket 3",
    "number": 3,
    "zone": "1",
    "agency": "DUKCAPIL",
    "serves": ["Y"],
}
LINE_A = {
    "prefix": "A",
    "agency": "DUKCAPIL",
    "name": "Perekaman KTP-el",
    "target_service_min": 10,
    "quota_walk_in": 300,
}
COUNTER_L01 = {
    "id": "L01",
    "name": "Loket 1",
    "number": 1,
    "zone": "1",
    "agency": "DUKCAPIL",
    "serves": ["A"],
}
CHRISTMAS = {"date": "2026-12-25", "name": "Kelahiran Yesus Kristus"}


@pytest.fixture(scope="module")
def small() -> Building:
    return parse_building(SMALL, "small.toml")


def refused(building: Building, *edits: Edit) -> EditRefused:
    """The refusal of the edits, checking on the way that the building given is unchanged."""
    again = parse_building(SMALL, "small.toml")
    assert building == again
    with pytest.raises(EditRefused) as caught:
        apply_edits(building, list(edits))
    assert building == again  # nothing half-applied
    return caught.value


# --------------------------------------------------------------------------------------------
# Reading entities
# --------------------------------------------------------------------------------------------


def test_entities_are_the_tables_of_the_building_file_as_plain_values(small: Building) -> None:
    assert entity(small, "line:A") == LINE_A
    # a line inheriting its agency's hours shows none; one with its own shows only that
    assert entity(small, "line:P") == {
        "prefix": "P",
        "agency": "IMIGRASI",
        "name": "Paspor baru",
        "target_service_min": 20,
    }
    assert entity(small, "line:Q")["close"] == "12:00"
    assert entity(small, "counter:L01") == COUNTER_L01
    assert entity(small, "holiday:2026-12-25") == CHRISTMAS  # the date as a string
    assert entity(small, "officer:DKP01") == {
        "id": "DKP01",
        "name": "Siti Rahmawati",
        "agency": "DUKCAPIL",
        "pin_hash": PIN_HASH,
    }
    assert entity(small, "agency:IMIGRASI")["days"] == ["monday", "tuesday"]
    assert entity(small, "running_text") == "Selamat datang di MPP Kecil."
    assert entity(small, "policy")["max_wait_min"] == 60  # written in full, defaults included
    assert entity(small, "line:Z") is None
    assert entity(small, "holiday:2026-12-24") is None
    assert [t for t, _ in entities(small, "line")] == ["line:A", "line:P", "line:Q"]
    assert [t for t, _ in entities(small, "zone")] == ["zone:1"]
    assert entities(small, "running_text") == [("running_text", "Selamat datang di MPP Kecil.")]


@pytest.mark.parametrize("target", ["lines:A", "line:", "kiosk:1", "building", "", "line"])
def test_an_unknown_target_is_refused(small: Building, target: str) -> None:
    with pytest.raises(EditRefused) as caught:
        entity(small, target)
    assert caught.value.code == "edit_unknown_target"
    assert refused(small, Edit(target, None, {})).code == "edit_unknown_target"


# --------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------


def test_a_new_line_and_its_counter_are_added_together(small: Building) -> None:
    new = apply_edits(
        small, [Edit("line:Y", None, NEW_LINE), Edit("counter:L03", None, NEW_COUNTER)]
    )
    line = new.line("Y")
    assert line is not None
    assert (line.agency, line.name, line.target_service_min) == ("DUKCAPIL", "Pembuatan Akta", 15)
    assert line.quota_walk_in is None  # none given: no quota
    assert [c.id for c in new.counters] == ["L01", "L02", "L03"]  # added last
    assert new.counters[2].serves == ("Y",)
    assert [ln.prefix for ln in new.lines] == ["A", "P", "Q", "Y"]
    assert small.line("Y") is None  # the building given is untouched


def test_a_line_alone_is_refused_since_no_counter_serves_it(small: Building) -> None:
    error = refused(small, Edit("line:Y", None, NEW_LINE))
    assert error.code == "edit_invalid"
    assert error.details["problems"] == [
        {
            "field": "",
            "key": "lines[Y]",
            "message": 'layanan "Y" tidak dilayani loket mana pun; tambahkan ke serves sebuah '
            "loket",
        }
    ]
    assert error.message.startswith("Perubahan tidak disimpan: ")


def test_a_quota_lowered(small: Building) -> None:
    new = apply_edit(small, Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": 250}))
    assert new.line("A").quota_walk_in == 250
    assert small.line("A").quota_walk_in == 300


def test_a_key_set_to_null_is_left_out(small: Building) -> None:
    new = apply_edit(small, Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": None}))
    assert new.line("A").quota_walk_in is None


def test_holidays_added_and_removed(small: Building) -> None:
    eve = {"date": "2026-12-24", "name": "Cuti bersama Natal"}
    added = apply_edit(small, Edit("holiday:2026-12-24", None, eve))
    assert [(h.day, h.name) for h in added.holidays] == [
        (date(2026, 12, 24), "Cuti bersama Natal"),
        (date(2026, 12, 25), "Kelahiran Yesus Kristus"),
    ]
    removed = apply_edit(small, Edit("holiday:2026-12-25", CHRISTMAS, None))
    assert removed.holidays == ()


def test_running_text_edited_and_emptied(small: Building) -> None:
    old = "Selamat datang di MPP Kecil."
    new = apply_edit(small, Edit("running_text", old, "Blanko KTP-el habis hari ini."))
    assert new.running_text == "Blanko KTP-el habis hari ini."
    assert apply_edit(small, Edit("running_text", old, "")).running_text == ""


def test_an_agencys_hours_move_the_lines_that_inherit_them(small: Building) -> None:
    imigrasi = entity(small, "agency:IMIGRASI")
    new = apply_edit(
        small,
        Edit("agency:IMIGRASI", imigrasi, {**imigrasi, "close": "15:00", "days": ["monday"]}),
    )
    p, q = new.line("P").service_hours, new.line("Q").service_hours
    assert (p.days, p.open, p.close) == (frozenset({0}), time(8, 0), time(15, 0))
    assert (q.days, q.open, q.close) == (frozenset({0}), time(8, 0), time(12, 0))  # its own close


def test_a_policy_setting_changed(small: Building) -> None:
    policy = entity(small, "policy")
    new = apply_edit(small, Edit("policy", policy, {**policy, "max_wait_min": 45}))
    assert new.policy.max_wait_min == 45


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (
            Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": -5}),
            "quota_walk_in",
            "harus ≥ 0, tertulis -5",
        ),
        (
            Edit("line:A", LINE_A, {**LINE_A, "agency": "BPJS"}),
            "agency",
            'instansi "BPJS" tidak dikenal; yang ada: DUKCAPIL, IMIGRASI',
        ),
        (
            Edit("counter:L01", COUNTER_L01, {**COUNTER_L01, "serves": ["A", "X"]}),
            "serves",
            'melayani layanan "X" yang tidak dikenal',
        ),
        (
            Edit("line:A", LINE_A, {**LINE_A, "cutoff": "25:00"}),
            "cutoff",
            '"25:00" bukan jam yang sah; tulis "HH:MM" dari "00:00" sampai "23:59"',
        ),
    ],
)
def test_an_invalid_value_names_the_field_with_the_config_checks_message_in_indonesian(
    small: Building, edit: Edit, field: str, message: str
) -> None:
    error = refused(small, edit)
    assert error.code == "edit_invalid"
    assert {"field": field, "message": message} in [
        {"field": p["field"], "message": p["message"]} for p in error.details["problems"]
    ]
    assert f"{field}: {message}" in error.message


def test_a_duplicate_counter_number_is_refused_without_a_line_number(small: Building) -> None:
    error = refused(small, Edit("counter:L03", None, {**NEW_COUNTER, "number": 1, "serves": ["A"]}))
    assert error.code == "edit_invalid"
    assert error.details["problems"] == [
        {
            "field": "number",
            "key": "counters[L03].number",
            "message": "nomor loket 1 sudah dipakai oleh counters[L01]; nomor dibacakan, jadi "
            "harus berbeda",
        }
    ]


def test_removing_a_line_its_counter_still_serves_names_the_counter(small: Building) -> None:
    error = refused(small, Edit("line:A", LINE_A, None))
    assert error.details["problems"][0]["field"] == "counters[L01].serves"


def test_a_stale_before_is_refused_with_the_current_value(small: Building) -> None:
    seen = {**LINE_A, "quota_walk_in": 280}  # another admin's change since
    error = refused(small, Edit("line:A", seen, {**LINE_A, "quota_walk_in": 250}))
    assert error.code == "edit_stale"
    assert error.details["current"] == LINE_A
    # adding what exists is stale too, and shows it
    error = refused(small, Edit("holiday:2026-12-25", None, CHRISTMAS))
    assert (error.code, error.details["current"]) == ("edit_stale", CHRISTMAS)


@pytest.mark.parametrize(
    "edit",
    [
        Edit("line:A", LINE_A, "a quota of 250"),  # not a table
        Edit("line:A", LINE_A, {**LINE_A, "prefix": "B"}),  # a rename
        Edit("policy", "(the table now)", None),  # a settings table cannot go
        Edit("running_text", "Selamat datang di MPP Kecil.", 5),
        Edit("line:A", LINE_A, {**LINE_A, "requires": [None]}),  # TOML has no null
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(small: Building, edit: Edit) -> None:
    if edit.target == "policy":
        edit = Edit("policy", entity(small, "policy"), None)
    assert refused(small, edit).code == "edit_bad_value"


def test_an_edit_then_its_inverse_gives_the_building_back(small: Building) -> None:
    edits = [
        Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": 250}),
        Edit("holiday:2026-12-25", CHRISTMAS, None),
        Edit("holiday:2026-12-24", None, {"date": "2026-12-24", "name": "Cuti bersama"}),
        Edit("running_text", "Selamat datang di MPP Kecil.", "Teks baru"),
        Edit("officer:DKP01", entity(small, "officer:DKP01"), None),
    ]
    for edit in edits:
        assert apply_edit(apply_edit(small, edit), inverse(edit)) == small
    assert inverse(edits[1]) == Edit("holiday:2026-12-25", None, CHRISTMAS)


def test_undoing_a_removal_puts_the_entity_back_where_it_stood(small: Building) -> None:
    """Line P (between A and Q) removed with L02's service of it, then undone: P is back
    between A and Q, not last. Line A and counter L01 (both first) removed together, undone
    in reverse: both first again."""
    line_p = entity(small, "line:P")
    l02 = entity(small, "counter:L02")
    removal = [
        Edit("counter:L02", l02, {**l02, "serves": ["Q"]}),
        Edit("line:P", line_p, None),
    ]
    # L02 second of L01, L02 (last); P second of A, P, Q
    assert places(small, removal) == [Place(1, "L01", None), Place(1, "A", "Q")]
    removed = apply_edits(small, removal)
    assert [line.prefix for line in removed.lines] == ["A", "Q"]
    undo = [inverse(removal[1], Place(1, "A", "Q")), inverse(removal[0])]
    back = apply_edits(removed, undo)
    assert [line.prefix for line in back.lines] == ["A", "P", "Q"]
    assert back == small
    # Without the place (before this was kept), the line came back last: the kiosk's order.
    assert [ln.prefix for ln in apply_edits(removed, [inverse(removal[1]), undo[1]]).lines] == [
        "A",
        "Q",
        "P",
    ]

    both = [Edit("counter:L01", COUNTER_L01, None), Edit("line:A", LINE_A, None)]
    assert places(small, both) == [Place(0, None, "L02"), Place(0, None, "P")]
    gone = apply_edits(small, both)
    back = apply_edits(gone, [inverse(both[1], Place(0, None, "P")), inverse(both[0], Place(0))])
    assert [line.prefix for line in back.lines] == ["A", "P", "Q"]
    assert [counter.id for counter in back.counters] == ["L01", "L02"]
    # Both neighbours gone and the index past the end (the array shrank since): last.
    far = apply_edits(gone, [inverse(both[1], Place(0)), inverse(both[0], Place(9, "L00", "L09"))])
    assert [counter.id for counter in far.counters] == ["L02", "L01"]


def test_an_undone_removal_goes_back_beside_its_neighbours_not_at_its_index(
    small: Building,
) -> None:
    """Counters L01 … L05. L03 removed (between L02 and L04), then L02: undoing the first puts
    L03 before L04 (L02, before it, is gone), so after L01 — an index alone (2) put it after
    L04. With L02 back first, L03 goes after L02; with both L02 and L04 gone, at its index 2
    (last of L01, L05)."""

    def counter(n: int) -> dict[str, object]:
        return {
            **NEW_COUNTER,
            "id": f"L0{n}",
            "name": f"Loket {n}",
            "number": n,
            "agency": "IMIGRASI",
            "serves": ["P", "Q"],
        }

    five = apply_edits(small, [Edit(f"counter:L0{n}", None, counter(n)) for n in (3, 4, 5)])
    assert [c.id for c in five.counters] == ["L01", "L02", "L03", "L04", "L05"]
    l02, l03 = entity(five, "counter:L02"), entity(five, "counter:L03")
    first, second = Edit("counter:L03", l03, None), Edit("counter:L02", l02, None)
    (where,) = places(five, [first])
    assert where == Place(2, "L02", "L04")
    gone = apply_edits(five, [first, second])
    assert [c.id for c in gone.counters] == ["L01", "L04", "L05"]
    back = apply_edits(gone, [inverse(first, where)])
    assert [c.id for c in back.counters] == ["L01", "L03", "L04", "L05"]
    # L02 back first, then L03 (the other order): after L02, as it stood.
    both = apply_edits(gone, [inverse(second, Place(1, "L01", "L04")), inverse(first, where)])
    assert [c.id for c in both.counters] == ["L01", "L02", "L03", "L04", "L05"]
    # L02 still gone and L04 gone too: before the one that followed — none left; its index.
    l04 = entity(gone, "counter:L04")
    no_l04 = apply_edits(gone, [Edit("counter:L04", l04, None)])
    assert [c.id for c in apply_edits(no_l04, [inverse(first, where)]).counters] == [
        "L01",
        "L05",
        "L03",
    ]


# --------------------------------------------------------------------------------------------
# The audit line
# --------------------------------------------------------------------------------------------


def test_describe_says_what_changed_in_indonesian(small: Building) -> None:
    officer = entity(small, "officer:DKP01")
    kiosk = entity(small, "device:KIOSK-1")
    policy = entity(small, "policy")
    said = [
        describe(Edit("line:Y", None, NEW_LINE)),
        describe(Edit("line:Y", NEW_LINE, None)),
        describe(Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": 250})),
        describe(Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": 250, "name": "KTP-el"})),
        describe(Edit("counter:L03", None, NEW_COUNTER)),
        describe(Edit("counter:L01", COUNTER_L01, {**COUNTER_L01, "serves": ["A", "Y"]})),
        describe(Edit("holiday:2026-12-24", None, {"date": "2026-12-24", "name": "Cuti"})),
        describe(Edit("holiday:2026-12-25", CHRISTMAS, None)),
        describe(Edit("running_text", "lama", "baru")),
        describe(Edit("officer:DKP01", officer, {**officer, "pin_hash": "scrypt$x"})),
        describe(Edit("officer:DKP01", officer, {**officer, "disabled": True})),
        describe(Edit("device:KIOSK-1", kiosk, {**kiosk, "token_sha256": "f" * 64})),
        describe(Edit("policy", policy, {**policy, "max_wait_min": 45})),
        describe(Edit("agency:IMIGRASI", None, {"code": "IMIGRASI", "name": "Kantor Imigrasi"})),
    ]
    assert said == [
        "Layanan Y (Pembuatan Akta) ditambahkan",
        "Layanan Y (Pembuatan Akta) dihapus",
        "Kuota harian A: 300 → 250",
        "Layanan A (KTP-el) diubah: Nama layanan Perekaman KTP-el → KTP-el; Kuota harian 300 → 250",
        "Loket L03 (Loket 3) ditambahkan",
        "Layanan di loket L01: A → A, Y",
        "Hari libur 2026-12-24 ditambahkan",
        "Hari libur 2026-12-25 dihapus",
        "Teks berjalan diubah",
        "PIN petugas DKP01 diatur ulang",
        "Petugas DKP01 (Siti Rahmawati) dinonaktifkan",
        "Token perangkat KIOSK-1 diganti",
        "Kebijakan pemanggilan: max_wait_min 60 → 45",
        "Instansi IMIGRASI (Kantor Imigrasi) ditambahkan",
    ]
    hours = entity(small, "hours")
    saturday = {**hours, "saturday": {"open": "08:00", "close": "12:00"}}
    assert describe(Edit("hours", hours, saturday)) == "Jam buka gedung: Sabtu tutup → 08:00–12:00"
    # a hash is never shown, even beside other changes
    both = describe(Edit("officer:DKP01", officer, {**officer, "pin_hash": "x", "name": "Siti"}))
    assert (
        both == "Petugas DKP01 (Siti) diubah: PIN diatur ulang; Nama petugas Siti Rahmawati → Siti"
    )
    assert PIN_HASH not in both


def test_the_undo_of_a_credential_change_says_the_old_one_is_valid_again(small: Building) -> None:
    """Undoing a PIN reset or a new token gives the old credential back: the audit line says
    so, not "diatur ulang" as if a new PIN had been made (docs/configuration.md)."""
    officer = entity(small, "officer:DKP01")
    kiosk = entity(small, "device:KIOSK-1")
    reset = Edit("officer:DKP01", officer, {**officer, "pin_hash": "scrypt$x"})
    token = Edit("device:KIOSK-1", kiosk, {**kiosk, "token_sha256": "f" * 64})
    assert describe(inverse(reset), undo=True) == "PIN lama petugas DKP01 berlaku lagi"
    assert describe(inverse(token), undo=True) == "Token lama perangkat KIOSK-1 berlaku lagi"
    both = Edit("officer:DKP01", officer, {**officer, "pin_hash": "x", "name": "Siti"})
    assert describe(inverse(both), undo=True) == (
        "Petugas DKP01 (Siti Rahmawati) diubah: PIN lama berlaku lagi; "
        "Nama petugas Siti → Siti Rahmawati"
    )
    # An undo of anything else reads as the change it makes.
    quota = Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": 250})
    assert describe(inverse(quota), undo=True) == "Kuota harian A: 250 → 300"


REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "path",
    [
        REPO / "server" / "demo" / "mpp-kota-contoh.toml",
        REPO / "docs" / "examples" / "mpp-kabupaten-contoh.toml",
    ],
)
def test_every_entity_survives_json_and_an_unchanged_edit(path: Path) -> None:
    """Each value goes over the wire as JSON; written back unchanged it gives the same building
    (dates, times, nested booking tables, special hours, shared desks included)."""
    building = load_building(path)
    every = all_entities(building)
    assert set(every) == set(KINDS)
    for kind, listed in every.items():
        assert listed == entities(building, kind)
        for target, value in listed:
            wire = json.loads(json.dumps(value))
            assert wire == value
            assert apply_edit(building, Edit(target, wire, wire)) == building, target
