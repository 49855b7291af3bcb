"""The admin app's model, without sockets: replies in the spec's shapes become lists and forms,
and what an administrator types becomes a value of the field's type."""

from __future__ import annotations

import pytest

from display.admin_model import (
    AdminModel,
    ValueError_,
    form_rows,
    history_list,
    history_rows,
    kind_of,
    new_target,
    parse_value,
    read_refusal,
    show_value,
)

# An `admin_state` reply as docs/protocol.md's contract has it: {version, entities: {kind: […]}}.
STATE = {
    "type": "ok",
    "version": 3,
    "entities": {
        "policy": [{"target": "policy", "value": {"max_wait_min": 60}}],
        "running_text": [{"target": "running_text", "value": "Selamat datang"}],
        "line": [
            {
                "target": "line:A",
                "value": {
                    "prefix": "A",
                    "agency": "DUKCAPIL",
                    "name": "KTP-el",
                    "quota_walk_in": 300,
                },
            }
        ],
        "counter": [
            {
                "target": "counter:L01",
                "value": {"id": "L01", "name": "Loket 1", "number": 1, "serves": ["A", "B"]},
            }
        ],
        "officer": [
            {"target": "officer:DKP01", "value": {"id": "DKP01", "name": "Siti", "disabled": True}}
        ],
        "holiday": [
            {"target": "holiday:2026-12-25", "value": {"date": "2026-12-25", "name": "Natal"}}
        ],
        "gizmo": [{"target": "gizmo", "value": {"x": 1}}],
    },
}


def test_state_becomes_kinds_in_the_apps_order_and_labelled_entities():
    model = AdminModel()
    model.load_state(STATE)
    assert model.version == 3
    # Layanan first; a kind the app does not know (a newer server's) last, by its own name.
    assert [k.label for k in model.kinds()] == [
        "Layanan", "Loket", "Petugas", "Hari libur", "Teks berjalan", "Kebijakan", "gizmo",
    ]  # fmt: skip
    assert model.targets("line") == [("line:A", "A — KTP-el")]
    assert model.targets("counter") == [("counter:L01", "L01 — Loket 1 (A, B)")]
    assert model.targets("officer") == [("officer:DKP01", "DKP01 — Siti · nonaktif")]
    assert model.targets("holiday") == [("holiday:2026-12-25", "2026-12-25 — Natal")]
    assert model.targets("running_text") == [("running_text", "Selamat datang")]


def test_value_is_a_copy_the_form_may_change():
    model = AdminModel()
    model.load_state(STATE)
    value = model.value("counter:L01")
    value["serves"].append("C")
    assert model.value("counter:L01")["serves"] == ["A", "B"]
    assert model.value("line:Z") is None


def test_form_rows_show_text_plainly_and_the_rest_as_toml():
    value = {
        "prefix": "A", "target_service_min": 10, "serves": ["A", "B"], "disabled": False,
        "booking": {"slot_min": 30, "documents": "KK asli"}, "ratio": 0.5,
    }  # fmt: skip
    assert form_rows(value) == [
        ("prefix", "A"),
        ("target_service_min", "10"),
        ("serves", '["A", "B"]'),
        ("disabled", "false"),
        ("booking", '{ slot_min = 30, documents = "KK asli" }'),
        ("ratio", "0.5"),
    ]
    assert form_rows("Selamat datang") == [("running_text", "Selamat datang")]
    assert form_rows(None) == []


@pytest.mark.parametrize(
    ("typed", "old", "value"),
    [
        ("250", 300, 250),  # a quota
        (" 250 ", 300, 250),
        ("1", "2", "1"),  # a zone is text: "1" must not become the number 1
        ('"Loket 7"', "Loket 1", "Loket 7"),  # quotes typed around text are taken off
        ("14:00", "14:30", "14:00"),
        ("true", False, True),
        ('["A", "K"]', ["A"], ["A", "K"]),
        ('{ open = "08:00", close = "14:00" }', {}, {"open": "08:00", "close": "14:00"}),
        ("2026-12-25", None, "2026-12-25"),  # a date: the ISO text the wire carries
        ("true", None, True),  # a new field: read as TOML
        ("apa saja", None, "apa saja"),  # a new field that is no TOML value: text
    ],
)
def test_typed_values_take_the_fields_type(typed, old, value):
    assert parse_value(typed, old) == value


@pytest.mark.parametrize(
    ("typed", "old", "words"),
    [
        ("dua ratus", 300, "Tulis angka"),
        ("ya", False, "Tulis true atau false"),
        ("A", ["A"], "Tulis daftar"),
        ("", 300, "Nilai kosong"),
        ('"300"', 300, "bukan jenis yang benar"),
        ("nan", 1.5, "Tulis angka"),
    ],
)
def test_values_of_the_wrong_type_are_refused_in_indonesian(typed, old, words):
    with pytest.raises(ValueError_, match=words):
        parse_value(typed, old)


def test_show_value_round_trips_through_parse_value():
    for old in (300, True, ["A", "B"], {"open": "08:00"}, "Loket 1", 0.25):
        assert parse_value(show_value(old), old) == old


def test_a_saved_reply_replaces_adds_or_removes_the_entity():
    model = AdminModel()
    model.load_state(STATE)
    model.saved(
        "line:A", {"version": 4, "value": {"prefix": "A", "name": "KTP", "quota_walk_in": 250}}
    )
    assert model.version == 4 and model.value("line:A")["quota_walk_in"] == 250
    model.saved("line:K", {"version": 5, "value": {"prefix": "K", "name": "Paspor"}})
    assert [t for t, _ in model.targets("line")] == ["line:A", "line:K"]
    model.saved("holiday:2026-12-25", {"version": 6, "value": None})
    assert model.targets("holiday") == [] and model.version == 6


def test_a_new_entitys_target_comes_from_its_key_field():
    assert new_target(kind_of("line"), {"prefix": "K"}) == "line:K"
    assert new_target(kind_of("holiday"), {"date": "2026-12-31"}) == "holiday:2026-12-31"
    assert (
        new_target(kind_of("special_hours"), {"start": "2027-02-08"}) == "special_hours:2027-02-08"
    )
    with pytest.raises(ValueError_, match="Isi prefix dahulu"):
        new_target(kind_of("line"), {"prefix": " "})


def test_history_rows_read_the_audit_reply():
    reply = {
        "type": "ok",
        "history": [
            {"version": 7, "at": "2026-11-23T09:15:00+07:00", "by": "manager:ADMIN",
             "target": "line:A", "before": {}, "after": {}, "undoes": 5,
             "text": "Kuota A: 300 → 250"},
            {"version": 6, "at": "2026-11-23T09:10:00+07:00", "by": "manager:LANTAI",
             "target": "running_text", "before": "a", "after": "b", "undoes": None,
             "text": "Teks berjalan diubah"},
        ],
    }  # fmt: skip
    assert history_rows(history_list(reply)) == [
        ("7", ["7", "23-11 09.15", "ADMIN", "Kuota A: 300 → 250", "membatalkan versi 5"]),
        ("6", ["6", "23-11 09.10", "LANTAI", "Teks berjalan diubah", ""]),
    ]


def test_refusals_carry_their_message_problems_and_current_value():
    stale = read_refusal(
        {"type": "error", "code": "edit_stale", "message": "Sudah diubah orang lain.",
         "details": {"current": {"prefix": "A", "quota_walk_in": 200}}}
    )  # fmt: skip
    assert stale.stale and stale.current == {"prefix": "A", "quota_walk_in": 200}
    invalid = read_refusal(
        {"type": "error", "code": "edit_invalid", "message": "Perubahan tidak disimpan: …",
         "problems": [{"field": "quota_walk_in", "message": "harus bilangan bulat ≥ 0"}]}
    )  # fmt: skip
    assert not invalid.stale
    assert invalid.problems == (("quota_walk_in", "harus bilangan bulat ≥ 0"),)
    assert invalid.message == "Perubahan tidak disimpan: …"
    elsewhere = read_refusal(
        {"type": "error", "code": "edit_invalid", "message": "Perubahan tidak disimpan: …",
         "details": {"problems": [{"field": "", "key": "counters[L01].serves",
                                   "message": 'melayani layanan "A" yang tidak dikenal'}]}}
    )  # fmt: skip
    assert elsewhere.problems == (
        ("counters[L01].serves", 'melayani layanan "A" yang tidak dikenal'),
    )
