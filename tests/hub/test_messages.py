"""Every message a citizen or an officer reads is natural Indonesian, by hand-written rules.

Each template (the core's refusals in server/core/errors.py, the hub's in server/refusals.py,
the kiosk's texts, the phone page's and the counter console's words) is filled with sample
values as the building would fill it, and every result is read against rules written here, not
taken from the code: no English word of a list, no snake_case identifier (a request type, a role
code, a field name), no quoted code, no doubled word ("Loket Loket 8"), no placeholder left
unfilled, KBBI spelling (antrean, silakan, nomor, izin, salat, kedaluwarsa), and a time of day
always with its zone ("pukul 13.00 WITA"). The known bad sentences of issue 17 get their exact
replacements, from the code's tables and from a live server.
"""

from __future__ import annotations

import dataclasses
import re
import string
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hubtest import Server, demo_building, hello_for

from counter.texts import ACTION_LABELS, CALL_REASONS, PAUSE_REASONS, PRIORITY_LABELS
from kiosk.texts import TEXTS, Lang
from server import refusals
from server.core.building import Building, DayHours, TimeRange
from server.core.calendar import plan_for
from server.core.complaints import CATEGORY_PROBLEM, STEP_WORDS, checked_text
from server.core.errors import COUNTER_STATE_LABELS, MESSAGES, TICKET_STATE_LABELS
from server.core.issuing import hours_refusal
from server.core.model import DomainError
from server.core.skm import survey_problem
from server.protocol import REQUEST_TYPES
from server.roles import ALLOWED, Role
from server.web.phone import NO_COUNTER_WORDS, STATE_LABELS

REPO = Path(__file__).resolve().parents[2]

# English words that have no place in what a citizen or an officer reads. ("server", "printer",
# "token", "PIN", "ID" are Indonesian usage and stay.)
ENGLISH = {
    "allowed", "and", "cancelled", "closed", "command", "counter", "display", "error", "failed",
    "field", "for", "hello", "invalid", "is", "kiosk", "line", "manager", "message", "not",
    "officer", "offline", "online", "open", "please", "queue", "request", "required", "role",
    "service", "session", "the", "ticket", "type", "unknown", "wait",
}  # fmt: skip
# Non-standard spellings and the KBBI word to write instead.
NOT_KBBI = {
    r"antri\w*": "antre, antrean",
    r"ngantri": "antre",
    r"silahkan": "silakan",
    r"nomer": "nomor",
    r"ijin": "izin",
    r"jum'at": "Jumat",
    r"sholat": "salat",
    r"resiko": "risiko",
    r"praktek": "praktik",
    r"sekedar": "sekadar",
    r"merubah": "mengubah",
    r"aktifitas": "aktivitas",
    r"kadaluarsa|kadaluwarsa": "kedaluwarsa",
}
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
QUOTED = re.compile(r"'[^']*'")
TIME = re.compile(r"\b\d{2}\.\d{2}\b")
TIME_WITH_ZONE = re.compile(r"\b\d{2}\.\d{2} (WIB|WITA|WIT)\b")
# "08.00–14.00 WITA": a range names its zone once, after its end.
RANGE_START = re.compile(r"\b\d{2}\.\d{2}–(?=\d{2}\.\d{2} (?:WIB|WITA|WIT)\b)")

# What the building fills in, by placeholder; a code-named thing where the code names it.
SAMPLES: dict[str, Any] = {
    "counter": "Loket 8",
    "other": "Loket 12",
    "line": "Perekaman dan Cetak KTP-el",
    "number": "A-017",
    "officer": "DKP99",
    "name": "Hari Raya Natal",
    "time": "13.00",
    "zone": "WITA",
    "minutes": 30,
    "subject": "nomor A-017",
    "state": "sudah selesai dilayani",
    "what": "PIN",
    "version": 2,
    "server_version": 1,
    "who": "Layar TV",
    "action": "memanggil nomor antrean",
    "building": "MPP Kabupaten Contoh",
    "agency": "Dukcapil",
    "n": 3,
    "duration": "± 25 menit",
    "reason": "kertas habis",
    "message": "Layanan dibuka pukul 07.30 WITA",
    # Part-week services and shared desks.
    "days": "Senin–Kamis",
    "hours": ", pukul 08.00–14.00 WITA",
    "schedule": "KUA pada hari Selasa dan Pengadilan Agama pada hari Kamis",
    "own": "KUA",
    # Online booking at the kiosk (issue 19).
    "slot": "09.00 WIB",
    "prefix": "A",
    "typed": "K0QM-4TXA",
    "code": "K7QM-4TXA",
    "chars": "“0”",
    "day": "Senin, 7 Desember 2026",
    "opens": "Senin, 23 November 2026",
    "limit": 3,
    # The kiosk's visit screens (kiosk/texts.py): the stop limit, a dependency's two services,
    # the priority group chosen, a later stop's step.
    "max": 4,
    "after": "BPJS Kesehatan",
    "before": "Kartu Keluarga dan Pindah Datang",
    "group": "Lansia",
    "k": 1,
    "next": "; jadwal berikutnya yang masih kosong pukul 10.00 WITA",
    "problem": "NIK harus 16 angka.",
    # The citizen's voice (issue 20): the survey's window, a complaint's tracking id.
    "days_open": 7,
    "complaint": "ADU-261203-007",
    # One visit, several agencies (issue 22): the service needed first, a visit's staff label.
    "needs": "Kartu Keluarga dan Pindah Datang",
    "visit": "KJ-007",
}
# Codes whose placeholder is the code a request carried, not a name.
OVERRIDES: dict[str, dict[str, Any]] = {
    "unknown_line": {"line": "Z"},
    "unknown_counter": {"counter": "L99"},
    "line_unknown": {"line": "Z"},
    "counter_unknown": {"counter": "L99"},
    # The check-in's time names its zone itself (the kiosk shows it as it comes).
    "booking_too_early": {"time": "08.30 WITA"},
}


def fill(template: str, key: str = "") -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = {name: SAMPLES[name] for name in names} | {
        k: v for k, v in OVERRIDES.get(key, {}).items() if k in names
    }
    return template.format(**values)


def problems(text: str) -> list[str]:
    """What is wrong with one message, by the rules above; [] when it reads well."""
    found = []
    # "pesan online" is how issue 19's shared design names booking for citizens ("Sudah pesan
    # online", "Pesanan online"): the one place "online" is the citizen's word.
    words = re.findall(
        r"[A-Za-z']+", re.sub(r"\b(pesan|pesanan) online\b", r"\1", text, flags=re.I)
    )
    found += [f"English word {w!r}" for w in words if w.lower() in ENGLISH]
    found += [f"identifier {m!r}" for m in SNAKE.findall(text)]
    found += [f"quoted code {m!r}" for m in QUOTED.findall(text)]
    found += [f"doubled word {m.group(0)!r}" for m in DOUBLED.finditer(text)]
    if "{" in text or "}" in text:
        found.append("placeholder left")
    for pattern, right in NOT_KBBI.items():
        found += [f"{m!r}: write {right}" for m in re.findall(rf"\b({pattern})\b", text, re.I)]
    times = RANGE_START.sub("", text)
    if len(TIME.findall(times)) != len(TIME_WITH_ZONE.findall(times)):
        found.append("a time without its zone")
    return found


def core_messages() -> dict[str, str]:
    out = {code: fill(template, code) for code, template in MESSAGES.items()}
    # Every state label, in the sentence it is read in.
    for state, label in TICKET_STATE_LABELS.items():
        out[f"illegal_transition/{state}"] = MESSAGES["illegal_transition"].format(
            subject="nomor A-017", state=label
        )
    for state, label in COUNTER_STATE_LABELS.items():
        out[f"illegal_transition/{state}"] = MESSAGES["illegal_transition"].format(
            subject="Loket 8", state=label
        )
    # Every complaint state as a step refusal reads it, and every sentence a survey answer or a
    # complaint's form may be refused with (the {problem} of survey_invalid, complaint_invalid).
    for state, words in STEP_WORDS.items():
        out[f"complaint_step/{state}"] = MESSAGES["complaint_step"].format(
            complaint="ADU-261203-007", state=words
        )
    for n, sentence in enumerate(form_problems()):
        out[f"form_problem/{n}"] = sentence
    return out


def form_problems() -> list[str]:
    """The sentences of skm.survey_problem and the complaint decisions, provoked one by one."""
    bad_answers = [
        dict(scores=(4,) * 8),
        dict(scores=(4, 4, 5, 4, 4, 4, 4, 4, 4)),
        dict(scores=(4,) * 9, age="x"),
        dict(scores=(4,) * 9, sex="x"),
        dict(scores=(4,) * 9, education="x"),
        dict(scores=(4,) * 9, occupation="x"),
        dict(scores=(4,) * 9, suggestion="x" * 501),
    ]
    out = [survey_problem(**kw) for kw in bad_answers] + [CATEGORY_PROBLEM]
    for what in ("Isi pengaduan", "Nama", "Nomor telepon", "Catatan", "Jawaban"):
        with pytest.raises(DomainError) as empty:
            checked_text("", what, 10, required=True)
        with pytest.raises(DomainError) as long:
            checked_text("x" * 11, what, 10, required=True)
        out += [empty.value.message, long.value.message]
    return [text for text in out if text is not None]


def hub_messages() -> dict[str, str]:
    out = {key: fill(template, key) for key, template in refusals.REFUSALS.items()}
    for role in Role:  # every refusal of the role table that can happen
        for kind in sorted(REQUEST_TYPES - ALLOWED[role] - {"hello"}):
            out[f"not_allowed/{role.value}/{kind}"] = refusals.not_allowed(role.value, kind)
    for name in refusals.HELLO_FIELDS:
        out[f"hello_missing/{name}"] = refusals.say(
            "hello_missing", what=refusals.HELLO_FIELDS[name]
        )
    return out


def client_words() -> dict[str, str]:
    # "English" is the name of the language button: the one English word a kiosk shows.
    out = {f"kiosk/{k}": fill(v[Lang.ID]) for k, v in TEXTS.items() if k != "switch_language"}
    out |= {f"phone/{k}": v for k, v in STATE_LABELS.items()}
    out["phone/no_counter"] = NO_COUNTER_WORDS
    out |= {f"counter/{a.value}": v for a, v in ACTION_LABELS.items()}
    out |= {f"counter/pause/{v}": v for v in PAUSE_REASONS}
    out |= {f"counter/call/{v}": v for v in CALL_REASONS}
    out |= {f"counter/priority/{k}": v for k, v in PRIORITY_LABELS.items()}
    return out


ALL = core_messages() | hub_messages() | client_words()


@pytest.mark.parametrize("key", sorted(ALL))
def test_the_message_reads_as_natural_indonesian(key: str) -> None:
    """No English, no identifier, no doubled word, KBBI spelling, a zone with every time."""
    assert problems(ALL[key]) == [], ALL[key]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Perintah 'call_next' tidak diizinkan untuk peran display.", 3),  # issue 17, verbatim
        ("Petugas DKP01 bukan petugas instansi loket Loket 8.", 1),  # issue 17: "loket Loket"
        ("Layanan dibuka pukul 13.00", 1),  # a time without its zone
        ("Silahkan ambil nomer antrian", 3),
        ("Layanan dibuka pukul 13.00 WITA", 0),
    ],
)
def test_the_rules_catch_what_issue_17_found(text: str, expected: int) -> None:
    """The rules themselves: the sentences the issue quoted fail them, a good one passes."""
    assert len(problems(text)) == expected, problems(text)


def test_every_request_type_and_role_has_its_words() -> None:
    """A refusal by the role table can always say what and who: no generic fallback in use."""
    assert set(refusals.ACTIONS) == set(REQUEST_TYPES)
    assert set(refusals.ROLE_NAMES) == {role.value for role in Role}


def test_the_known_refusals_read_as_a_person_says_them() -> None:
    """Issue 17's two sentences, rewritten (hand-written expectations)."""
    assert refusals.not_allowed("display", "call_next") == (
        "Layar TV tidak dapat memanggil nomor antrean."
    )
    assert refusals.say("officer_other_agency", counter="Loket 8") == (
        "Petugas ini bukan dari instansi yang melayani Loket 8."
    )
    assert refusals.not_allowed("ticket", "snapshot") == (
        "Halaman tiket di ponsel tidak dapat meminta gambaran seluruh antrean."
    )
    assert refusals.not_allowed("kiosk", "cancel_ticket") == (
        "Kios tidak dapat membatalkan nomor antrean."
    )


# -- times name the building's zone --------------------------------------------------------------

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)  # the demo building's Friday break: 11.30-13.00


def in_zone(label: str) -> Building:
    """The demo building moved to another time zone (WIB, WITA or WIT)."""
    return dataclasses.replace(demo_building(), timezone=label)


@pytest.mark.parametrize(
    ("zone", "day", "at", "code", "message"),
    [
        ("WITA", MONDAY, time(7, 0), "not_open_yet", "Layanan dibuka pukul 07.30 WITA"),
        (
            "WIT",
            MONDAY,
            time(16, 0),
            "closed_hours",
            "Layanan hari ini sudah tutup pukul 16.00 WIT",
        ),
        ("WITA", FRIDAY, time(12, 0), "on_break", "Layanan dibuka kembali pukul 13.00 WITA"),
        (
            "WITA",
            MONDAY,
            time(14, 45),
            "after_cutoff",
            "Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul 14.30 WITA",
        ),
        ("WIB", MONDAY, time(7, 0), "not_open_yet", "Layanan dibuka pukul 07.30 WIB"),
    ],
)
def test_a_refusal_that_names_a_time_names_the_buildings_zone(
    zone: str, day: date, at: time, code: str, message: str
) -> None:
    """Line A (cutoff 14.30) of the demo building, moved to each zone: the refusal says which."""
    building = in_zone(zone)
    refused = hours_refusal(plan_for(building, day), building.line("A"), at)
    assert refused is not None
    assert (refused.code, refused.message) == (code, message)
    assert refused.details["zone"] == zone


def test_a_break_in_another_zone_names_it_too() -> None:
    """A break of the building's own: the time it reopens carries the zone."""
    building = in_zone("WIT")
    hours = DayHours(time(8, 0), time(15, 0), (TimeRange(time(12, 0), time(12, 30)),))
    building = dataclasses.replace(building, weekly=(hours,) * 5 + (None, None))
    refused = hours_refusal(plan_for(building, MONDAY), building.line("B"), time(12, 10))
    assert refused is not None and refused.message == "Layanan dibuka kembali pukul 12.30 WIT"


# -- the same words on the wire -----------------------------------------------------------------


async def test_a_tv_that_calls_a_number_hears_what_it_cannot_do(server: Server) -> None:
    """A display sending call_next is refused in words, not with a request type and a role."""
    tv = await server.raw(hello_for("TV-1"))
    reply = await tv.reply({"type": "call_next", "id": 1, "request_id": "r1"})
    assert (reply["code"], reply["message"]) == (
        "forbidden",
        "Layar TV tidak dapat memanggil nomor antrean.",
    )


async def test_an_officer_naming_another_counter_reads_both_names(server: Server) -> None:
    """The counter of the hello and the one named, as the building names them."""
    officer = await server.raw(hello_for("DKP01@L01"))
    reply = await officer.reply({"type": "login", "id": 2, "request_id": "r2", "counter": "L08"})
    assert (reply["code"], reply["message"]) == (
        "forbidden",
        "Anda masuk di Loket 1; tindakan untuk Loket 8 tidak dapat dilakukan dari sini.",
    )


async def test_an_officer_calling_another_agencys_number_reads_whose_it_is(server: Server) -> None:
    """A Samsat number called from a Dukcapil counter: whose queue it is, by its number."""
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.issue_ticket("E")  # Samsat's line
    await kiosk.confirm_printed(ticket["id"])
    officer = await server.raw(hello_for("DKP01@L01"))
    for n, kind in enumerate(("login", "open_counter")):
        assert (await officer.reply({"type": kind, "id": n, "request_id": kind}))["type"] == "ok"
    answer = await officer.reply(
        {"type": "call_ticket", "id": 3, "request_id": "r3", "ticket": "E-001", "reason": "x"}
    )
    assert (answer["code"], answer["message"]) == (
        "forbidden",
        "Nomor E-001 adalah antrean instansi lain.",
    )


# -- no misspelling anywhere in what the product shows -------------------------------------------


def test_no_source_file_a_person_reads_from_spells_against_kbbi() -> None:
    """The non-KBBI spellings above appear in no string of the server or a client."""
    offenders = []
    for folder in ("server", "kiosk", "counter", "display"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix not in {".py", ".js", ".html", ".toml"}:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in NOT_KBBI:
                for m in re.finditer(rf"\b({pattern})\b", text, re.IGNORECASE):
                    line = text.count("\n", 0, m.start()) + 1
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {m.group(0)}")
    assert offenders == []
