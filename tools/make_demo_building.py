"""Regenerate the demo building "MPP Kota Contoh" from the shared data CSVs.

    .venv/bin/python tools/make_demo_building.py [--data ../shared/data] [--out server/demo]

Writes `mpp-kota-contoh.toml` (hashes and digests only) and `credentials.txt` (the plaintext
demo tokens and PINs). Both files are committed: Antre must run without ../shared, so this script
is only for regenerating them when the CSVs or the choices below change. The secrets and salts
come from a seeded generator, so running it twice writes the same bytes and a regenerated file
diffs cleanly. They are public demo secrets, never to be used in a real building.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from server.auth import hash_pin, token_digest  # noqa: E402

__all__ = ["HOLIDAYS", "generate", "main"]

# The seed fixes every secret and salt; change it to rotate all demo credentials at once.
SEED = "antre/mpp-kota-contoh/1"

ZONES = {"1": "Lantai 1", "2": "Lantai 2"}

# Officer id prefix and officers per agency: two at the busiest desks, one elsewhere.
OFFICERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "DUKCAPIL": ("DKP", ("Siti Rahmawati", "Budi Santoso")),
    "SAMSAT": ("SMS", ("Agus Prasetyo", "Dewi Lestari")),
    "POLRES": ("POL", ("Yusuf Hidayat",)),
    "BPJSKES": ("BKS", ("Rina Wulandari",)),
    "BPJSTK": ("BTK", ("Hendra Gunawan",)),
    "BANKDA": ("BNK", ("Fitri Handayani",)),
    "DPMPTSP": ("DPM", ("Andi Saputra",)),
    "IMIGRASI": ("IMI", ("Maria Sitorus",)),
    "KPP": ("KPP", ("Wahyu Nugroho",)),
    "BPN": ("BPN", ("Ni Made Suartini",)),
    "BAPENDA": ("BPD", ("Rudi Hartono",)),
    "KEMENAG": ("KMG", ("Nur Aisyah",)),
    "PDAM": ("PAM", ("Ketut Ardana",)),
    "PLN": ("PLN", ("Lina Marlina",)),
    "PA": ("PAG", ("Ahmad Fauzi",)),
}

MANAGERS = (
    ("LANTAI", "Bambang Sutrisno", "floor"),
    ("ADMIN", "Ratna Kusumawati", "admin"),
)

DEVICES = (  # id, kind, zone (None = every zone), token stem
    ("KIOSK-1", "kiosk", None, "demo-kiosk-1"),
    ("KIOSK-2", "kiosk", None, "demo-kiosk-2"),
    ("TV-1", "display", "1", "demo-tv-1"),
    ("TV-2", "display", "2", "demo-tv-2"),
)

# The SKM survey's devices (issue 20): a tablet facing the citizen at Dukcapil's Loket 1 (the
# README's walk finishes a ticket there) and the survey page at the exit. Their tokens come from
# a generator of their own, so that adding them left every earlier demo secret as it was.
SURVEY_SEED = SEED + "/survey"
SURVEY_DEVICES = (  # id, kind, counter (a tablet's), token stem
    ("TABLET-L01", "tablet", "L01", "demo-tablet-l01"),
    ("EXIT-1", "exit", None, "demo-exit-1"),
)

# Online booking (issue 19) on five lines, as these agencies book today (DOMAIN.md §9): Dukcapil's
# KTP-el (A) and family card (B), Imigrasi's passports (P), Polres' SKCK (G), and BPJS Kesehatan's
# registration (J, issue 22: booked in one visit after the family card). Sizing rule: a slot's
# booked places, regular and priority (its capacity), need capacity × target_service_min minutes
# of counter time, and each line's are kept well under what the line's counters have in one slot
# (slot_min × counters serving it), so walk-in citizens are still called between booked ones;
# `antre config check` warns when a slot would need more. The walk-in quotas of lines.csv stay as
# they are: they are caps that a normal day (about 1,000 tickets, demand.csv) does not reach, and
# booked places come on top of them, like Tuban's 250 online of 400–450 a day. Slots run from
# 07:30 while they start before the line's cutoff; Friday's prayer break (11:30–13:00) skips the
# slots starting inside it (server/core/slots.py).
#   A  4 counters (L01, L02, L03, L07), 10 min: 30-min slots of 4 + 1 priority = 50 of 120
#      counter-minutes; 14 slots 07:30–14:00 (cutoff 14:30) = 70 booked places a day (11 slots,
#      55, on Friday) beside A's normal-day demand of about 160; unused places join the walk-in
#      quota at 11:00.
#   B  3 counters (L03, L04, L07), 12 min: 60-min slots of 4 + 1 = 60 of 180; 7 slots
#      07:30–13:30 = 35 a day (5, 25, on Friday); bookable a month ahead, as Tuban's "a date this
#      month"; no release: a family-card appointment keeps its place all day.
#   P  2 counters (L22, L23), 15 min: 60-min slots of 4 + 1 = 75 of 120; 6 slots 07:30–12:30
#      (cutoff 13:00) = 30 a day (20 on Friday); booking a month ahead opening at 07:00, check-in
#      from an hour before the slot (documents are checked first, as at a Kanim); unused places
#      join the walk-in quota at 10:00.
#   G  2 counters (L11, L12), 15 min: 30-min slots of 2 = 30 of 60; 13 slots 07:30–13:30
#      (cutoff 14:00) = 26 a day (20 on Friday), no priority places (priority citizens walk in);
#      unused places join the walk-in quota at 10:00.
#   J  2 counters (L14, L15), 12 min: 30-min slots of 3 + 1 = 48 of 60; 16 slots 07:30–15:00
#      (cutoff 15:30) = 64 a day (13, 52, on Friday); bookable a month ahead like B, so that a
#      visit "Kartu Keluarga, then BPJS Kesehatan" can be booked online at once (issue 22).

# One visit, several agencies (issue 22): a line needing another's result first, in a visit
# holding both — BPJS Kesehatan after the Kartu Keluarga, NPWP after the NIB (OSS), the land
# office's transfer after the BPHTB is paid at Bapenda.
REQUIRES: dict[str, tuple[str, ...]] = {"J": ("B",), "R": ("M",), "S": ("T",)}

BOOKING: dict[str, tuple[str, ...]] = {
    "A": (
        "slot_min = 30",
        "places = 4",
        "priority_places = 1",
        "days_ahead = 14",
        'opens_at = "06:00"',
        "closes_min_before = 60",
        "check_in_early_min = 30",
        "check_in_late_min = 15",
        'release_unused_at = "11:00"',
        'documents = "Kartu Keluarga asli; KTP-el lama bila mengganti yang rusak."',
    ),
    "B": (
        "slot_min = 60",
        "places = 4",
        "priority_places = 1",
        "days_ahead = 30",
        'opens_at = "06:00"',
        "closes_min_before = 60",
        "check_in_early_min = 30",
        "check_in_late_min = 15",
        'documents = "Kartu Keluarga asli, KTP-el, dan surat pindah atau dokumen perubahan data."',
    ),
    "G": (
        "slot_min = 30",
        "places = 2",
        "days_ahead = 14",
        'opens_at = "06:00"',
        "closes_min_before = 60",
        "check_in_early_min = 30",
        "check_in_late_min = 15",
        'release_unused_at = "10:00"',
        'documents = "KTP-el asli dan fotokopinya, fotokopi Kartu Keluarga dan akta kelahiran, '
        'pasfoto 4×6 berlatar merah 6 lembar."',
    ),
    "J": (
        "slot_min = 30",
        "places = 3",
        "priority_places = 1",
        "days_ahead = 30",
        'opens_at = "06:00"',
        "closes_min_before = 60",
        "check_in_early_min = 30",
        "check_in_late_min = 15",
        'documents = "KTP-el dan Kartu Keluarga terbaru."',
    ),
    "P": (
        "slot_min = 60",
        "places = 4",
        "priority_places = 1",
        "days_ahead = 30",
        'opens_at = "07:00"',
        "closes_min_before = 60",
        "check_in_early_min = 60",
        "check_in_late_min = 15",
        'release_unused_at = "10:00"',
        'documents = "KTP-el, Kartu Keluarga, dan akta kelahiran, buku nikah, atau ijazah (asli); '
        'paspor lama bila mengganti."',
    ),
}

# The announcement, as server/core/voice_text.DEFAULT_TEMPLATE: [...] is said only with a value.
VOICE_TEMPLATE = "Nomor antrean {number}, silakan menuju {desk}[, {agency}]"
RUNNING_TEXT = (
    "Selamat datang di Mal Pelayanan Publik Kota Contoh. "
    "Silakan ambil nomor antrean di anjungan, lalu tunggu hingga nomor Anda dipanggil. "
    "Lansia, penyandang disabilitas, ibu hamil dan menyusui, serta pengunjung yang membawa balita "
    "berhak atas pelayanan prioritas. "
    "Jam layanan Senin–Jumat pukul 07.30–16.00 WIB, istirahat Jumat pukul 11.30–13.00. "
    "Waspadai calo: semua layanan diurus langsung di loket."
)

# National holidays (libur nasional) and collective leave (cuti bersama).
# 2026: SKB 3 Menteri (Menteri Agama No. 1497, Menteri Ketenagakerjaan No. 2, Menteri PANRB No. 5,
# all of 2025). 2027: ESTIMATES from the lunar and Balinese calendars, since the 2027 SKB was not
# known when this was written; Islamic dates and Nyepi may move by a day, and the 2027 cuti
# bersama are not listed at all. Check both years against the SKB every year.
HOLIDAYS: tuple[tuple[str, str, str], ...] = (  # date, name, kind ("libur" or "cuti")
    ("2026-01-01", "Tahun Baru 2026 Masehi", "libur"),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad S.A.W.", "libur"),
    ("2026-02-16", "Cuti bersama Tahun Baru Imlek 2577 Kongzili", "cuti"),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili", "libur"),
    ("2026-03-18", "Cuti bersama Hari Suci Nyepi", "cuti"),
    ("2026-03-19", "Hari Suci Nyepi (Tahun Baru Saka 1948)", "libur"),
    ("2026-03-20", "Cuti bersama Idulfitri 1447 Hijriah", "cuti"),
    ("2026-03-21", "Idulfitri 1447 Hijriah", "libur"),
    ("2026-03-22", "Idulfitri 1447 Hijriah", "libur"),
    ("2026-03-23", "Cuti bersama Idulfitri 1447 Hijriah", "cuti"),
    ("2026-03-24", "Cuti bersama Idulfitri 1447 Hijriah", "cuti"),
    ("2026-04-03", "Wafat Yesus Kristus", "libur"),
    ("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)", "libur"),
    ("2026-05-01", "Hari Buruh Internasional", "libur"),
    ("2026-05-14", "Kenaikan Yesus Kristus", "libur"),
    ("2026-05-15", "Cuti bersama Kenaikan Yesus Kristus", "cuti"),
    ("2026-05-27", "Iduladha 1447 Hijriah", "libur"),
    ("2026-05-28", "Cuti bersama Iduladha 1447 Hijriah", "cuti"),
    ("2026-05-31", "Hari Raya Waisak 2570 BE", "libur"),
    ("2026-06-01", "Hari Lahir Pancasila", "libur"),
    ("2026-06-16", "1 Muharam Tahun Baru Islam 1448 Hijriah", "libur"),
    ("2026-08-17", "Proklamasi Kemerdekaan", "libur"),
    ("2026-08-25", "Maulid Nabi Muhammad S.A.W.", "libur"),
    ("2026-12-24", "Cuti bersama Kelahiran Yesus Kristus", "cuti"),
    ("2026-12-25", "Kelahiran Yesus Kristus", "libur"),
    ("2027-01-01", "Tahun Baru 2027 Masehi", "libur"),
    ("2027-01-05", "Isra Mikraj Nabi Muhammad S.A.W.", "libur"),
    ("2027-02-06", "Tahun Baru Imlek 2578 Kongzili", "libur"),
    ("2027-03-09", "Hari Suci Nyepi (Tahun Baru Saka 1949)", "libur"),
    ("2027-03-10", "Idulfitri 1448 Hijriah", "libur"),
    ("2027-03-11", "Idulfitri 1448 Hijriah", "libur"),
    ("2027-03-26", "Wafat Yesus Kristus", "libur"),
    ("2027-03-28", "Kebangkitan Yesus Kristus (Paskah)", "libur"),
    ("2027-05-01", "Hari Buruh Internasional", "libur"),
    ("2027-05-06", "Kenaikan Yesus Kristus", "libur"),
    ("2027-05-17", "Iduladha 1448 Hijriah", "libur"),
    ("2027-05-20", "Hari Raya Waisak 2571 BE", "libur"),
    ("2027-06-01", "Hari Lahir Pancasila", "libur"),
    ("2027-06-06", "1 Muharam Tahun Baru Islam 1449 Hijriah", "libur"),
    ("2027-08-15", "Maulid Nabi Muhammad S.A.W.", "libur"),
    ("2027-08-17", "Proklamasi Kemerdekaan", "libur"),
    ("2027-12-25", "Kelahiran Yesus Kristus", "libur"),
)

_TOKEN_ALPHABET = string.ascii_letters + string.digits

_HEADER = """\
# MPP Kota Contoh: the demo building of Antre.
#
# GENERATED by tools/make_demo_building.py from the shared data CSVs: edit the script
# and run it again rather than editing this file. Every field is described in
# docs/configuration.md. The plaintext demo tokens and PINs are in credentials.txt
# next to this file; here are only their SHA-256 digests and scrypt hashes. Check with:
#     antre config check server/demo/mpp-kota-contoh.toml

"""

_HOLIDAYS_COMMENT = """\
# National holidays (libur nasional) and collective leave (cuti bersama): closed all day.
# 2026 follows the SKB 3 Menteri of 2025 (Menag 1497, Menaker 2, MenPANRB 5).
# 2027 is an ESTIMATE made before the 2027 SKB was known: Islamic dates and Nyepi may
# move by a day, and its cuti bersama are missing.
# CHECK THIS LIST AGAINST THE SKB 3 MENTERI EVERY YEAR.
# Public services may be told to stay open on cuti bersama: delete those days if so.
"""

_SPECIAL_HOURS_COMMENT = """\
# Special hours replace the weekly hours between two dates (inclusive); weekdays a
# period does not list keep their usual hours. Ramadan hours follow the ministry's
# circular each year; uncomment and adjust this one when it is published.
# [[special_hours]]
# name = "Ramadan 1448 H"
# start = 2027-02-08
# end = 2027-03-09
# monday = { open = "08:00", close = "14:00" }
# tuesday = { open = "08:00", close = "14:00" }
# wednesday = { open = "08:00", close = "14:00" }
# thursday = { open = "08:00", close = "14:00" }
# friday = { open = "08:00", close = "14:30", breaks = [["11:30", "13:00"]] }
"""

_CREDENTIALS_HEADER = """\
# Demo credentials of MPP Kota Contoh. FOR TRYING ANTRE OUT ONLY: they are public.
# GENERATED by tools/make_demo_building.py with mpp-kota-contoh.toml, which keeps
# only the SHA-256 of each device token and the scrypt hash of each PIN.
# Format: after these comment lines, one `kind id secret` per line, split by spaces;
# kind is kiosk, display, tablet, exit, officer or manager; ids are those of the
# building file.
#
"""


@dataclass(frozen=True)
class Credential:
    kind: str  # kiosk, display, tablet, exit, officer, manager
    id: str
    secret: str


def _q(text: str) -> str:
    """A TOML basic string: JSON's escapes are valid TOML, and non-ASCII stays readable."""
    return json.dumps(text, ensure_ascii=False)


def _csv(data: Path, name: str) -> list[dict[str, str]]:
    with (data / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _token(rng: random.Random, stem: str) -> str:
    return stem + "-" + "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(32))


def _pin(rng: random.Random) -> str:
    return f"{rng.randrange(10**6):06d}"


def _toml(data: Path, rng: random.Random, credentials: list[Credential]) -> Iterator[str]:
    agencies = _csv(data, "agencies.csv")
    lines = _csv(data, "lines.csv")
    counters = _csv(data, "counters.csv")

    yield from _HEADER.splitlines()
    yield "[building]"
    yield f"name = {_q('MPP Kota Contoh')}"
    yield "# The building's id among many: what its webhooks and central deliveries name it by."
    yield 'id = "mpp-kota-contoh"'
    yield 'timezone = "WIB"'
    yield f"running_text = {_q(RUNNING_TEXT)}"
    yield ""
    yield "# Service hours, local time. Friday has the break for Friday prayers."
    yield "[hours]"
    for day in ("monday", "tuesday", "wednesday", "thursday"):
        yield f'{day} = {{ open = "07:30", close = "16:00" }}'
    yield 'friday = { open = "07:30", close = "16:00", breaks = [["11:30", "13:00"]] }'
    yield 'saturday = "closed"'
    yield 'sunday = "closed"'
    yield ""
    yield from _HOLIDAYS_COMMENT.splitlines()
    year = ""
    for day, name, _kind in HOLIDAYS:
        if day[:4] != year:
            year = day[:4]
            yield ""
            yield f"# ---- {year} ----"
        yield ""
        yield "[[holidays]]"
        yield f"date = {date.fromisoformat(day).isoformat()}"
        yield f"name = {_q(name)}"
    yield ""
    yield from _SPECIAL_HOURS_COMMENT.splitlines()
    yield ""
    yield "# Zones group agencies by floor; each zone's TVs show its calls."
    for zone_id, zone_name in ZONES.items():
        yield "[[zones]]"
        yield f"id = {_q(zone_id)}"
        yield f"name = {_q(zone_name)}"
        yield ""
    yield "# ---- Agencies (instansi) ----"
    for a in agencies:
        yield ""
        yield "[[agencies]]"
        yield f"code = {_q(a['code'])}"
        yield f"name = {_q(a['name'])}"
        yield f"short_name = {_q(a['short_name'])}"
        yield f"zone = {_q(a['zone'])}"
    yield ""
    yield "# ---- Queue lines (layanan): one letter prefix, one number sequence a day ----"
    yield "# Quotas are tickets per day (none written = no cap); cutoff is the last time a new"
    yield "# ticket is issued. A [lines.booking] table after a line lets citizens book a slot"
    yield '# online (docs/configuration.md, "Online booking"); tools/make_demo_building.py says'
    yield "# how each line's slots and places were sized for its counters."
    for ln in lines:
        yield ""
        yield "[[lines]]"
        yield f"prefix = {_q(ln['prefix'])}"
        yield f"agency = {_q(ln['agency'])}"
        yield f"name = {_q(ln['name'])}"
        yield f"target_service_min = {int(ln['target_service_min'])}"
        if ln["quota_walk_in"]:
            yield f"quota_walk_in = {int(ln['quota_walk_in'])}"
        if ln["quota_priority"]:
            yield f"quota_priority = {int(ln['quota_priority'])}"
        if ln["cutoff"]:
            yield f"cutoff = {_q(ln['cutoff'])}"
        if ln["prefix"] in REQUIRES:
            needs = ", ".join(_q(p) for p in REQUIRES[ln["prefix"]])
            yield f"requires = [{needs}]  # in one visit holding both, these come first (issue 22)"
        if ln["prefix"] in BOOKING:
            yield ""
            yield "[lines.booking]"
            yield from BOOKING[ln["prefix"]]
    yield ""
    yield "# ---- Counters (loket): number defaults to the digits of the id (L07 is loket 7) ----"
    for c in counters:
        yield ""
        yield "[[counters]]"
        yield f"id = {_q(c['counter'])}"
        yield f"name = {_q(c['name'])}"
        yield f"zone = {_q(c['zone'])}"
        yield f"agency = {_q(c['agency'])}"
        yield "serves = [" + ", ".join(_q(p) for p in c["serves"].split(";")) + "]"
        if "Prioritas" in c["name"]:
            # Reserved for the elderly, the disabled, pregnant and nursing mothers (UU 25/2009).
            yield "priority = true"
    yield ""
    yield "# ---- Devices: kiosks and TVs; token_sha256 is the SHA-256 of the device's token ----"
    for device_id, kind, zone, stem in DEVICES:
        token = _token(rng, stem)
        credentials.append(Credential(kind, device_id, token))
        yield ""
        yield "[[devices]]"
        yield f"id = {_q(device_id)}"
        yield f"kind = {_q(kind)}"
        if zone is not None:
            yield f"zone = {_q(zone)}"
        yield f"token_sha256 = {_q(token_digest(token))}"
    yield ""
    yield "# The SKM survey: a tablet facing the citizen at a counter, the survey page at the exit."
    survey_rng = random.Random(SURVEY_SEED)
    for device_id, kind, counter, stem in SURVEY_DEVICES:
        token = _token(survey_rng, stem)
        credentials.append(Credential(kind, device_id, token))
        yield ""
        yield "[[devices]]"
        yield f"id = {_q(device_id)}"
        yield f"kind = {_q(kind)}"
        if counter is not None:
            yield f"counter = {_q(counter)}"
        yield f"token_sha256 = {_q(token_digest(token))}"
    yield ""
    yield "# ---- Officers (petugas): they log in at a counter of their agency with id and PIN ----"
    for a in agencies:
        stem, names = OFFICERS[a["code"]]
        for n, person in enumerate(names, 1):
            officer_id = f"{stem}{n:02d}"
            pin = _pin(rng)
            credentials.append(Credential("officer", officer_id, pin))
            yield ""
            yield "[[officers]]"
            yield f"id = {_q(officer_id)}"
            yield f"name = {_q(person)}"
            yield f"agency = {_q(a['code'])}"
            yield f"pin_hash = {_q(hash_pin(pin, salt=rng.randbytes(16)))}"
    yield ""
    yield '# ---- Managers (role "floor" or "admin"): they log in with id and PIN ----'
    for manager_id, person, role in MANAGERS:
        pin = _pin(rng)
        credentials.append(Credential("manager", manager_id, pin))
        yield ""
        yield "[[managers]]"
        yield f"id = {_q(manager_id)}"
        yield f"name = {_q(person)}"
        yield f"role = {_q(role)}"
        yield f"pin_hash = {_q(hash_pin(pin, salt=rng.randbytes(16)))}"
    yield ""
    yield "# ---- Calling policy: docs/calling-policy.md explains each knob ----"
    yield "[policy]"
    yield "regular_per_priority = 2     # one priority ticket after every two regular ones"
    yield "max_wait_min = 60            # anyone waiting longer is called first, oldest first"
    yield "priority_counter_first = true"
    yield "protect_regular = true       # a regular ticket pays at most one priority overtaking"
    yield "regular_delay_pct = 25       # ... or 25 % of its FIFO wait, whichever is more"
    yield "noshow_window_min = 30       # a no-show who comes back within this regains the place"
    yield "printing_timeout_s = 120     # an unconfirmed print reservation expires after this"
    yield "closing_grace_min = 60       # waiting tickets expire this long after closing"
    yield "estimate_window = 20         # recent services per line behind the wait estimate"
    yield "visit_credit_min = 15        # a visit's next stop: queued at max(start, hand-on - 15)"
    yield "visit_max_stops = 4          # services one visit (one kiosk ticket) may hold"
    yield "closure_approval = true      # closing a loket in service hours needs a manager's yes"
    yield ""
    yield "# ---- The TVs' voice: docs/configuration.md explains each field ----"
    yield "[voice]"
    yield 'style = "digits"             # "B nol satu tujuh"; "number" reads "B tujuh belas"'
    yield f"template = {_q(VOICE_TEMPLATE)}"
    yield "agency = false               # true: say the agency's short name after the loket"
    yield "speed_wpm = 140              # espeak-ng's speed, 80 to 250 words per minute"
    yield ""
    yield "# ---- Online booking, the building's part (each booking line has its own table) ----"
    yield "[booking]"
    yield "# public_url: the address the booking pages have on the internet, the base of every link"
    yield "# in QR codes and messages. The demo leaves it out, so links use the address the page"
    yield '# was reached at. A real building sets it: public_url = "https://antrean.example.go.id"'
    yield "retention_days = 30          # a booking's personal data kept 30 days after its day"
    yield "max_active_per_phone = 3     # bookings not yet used, per phone number"
    yield "requests_per_minute = 20     # per address, on the public booking pages"
    yield ""
    yield "# ---- The citizen's phone page (the ticket's QR code) ----"
    yield "[phone]"
    yield "warn_when_ahead = 3          # ring and vibrate once at most 3 people are ahead"
    yield ""
    yield "# ---- The satisfaction survey (SKM) and complaints: docs/configuration.md ----"
    yield "[survey]"
    yield "days_open = 7                # the phone page offers the survey for 7 days after"
    yield "wait_bands_min = [15, 60]    # IKM by wait: < 15, 15-60 and > 60 minutes"
    yield 'public_period = "quarter"    # the public page /ikm: this quarter so far, and the last'
    yield "running_text = false         # true: the TVs' running text also shows the IKM"
    yield "tablet_idle_s = 90           # a counter tablet shows an offer this long"
    yield ""
    yield "[complaints]"
    yield "take_days = 3                # working days to take a complaint in hand (SP4N-LAPOR!)"
    yield "answer_days = 5              # working days to answer it once taken"
    yield "close_days = 10              # days after the answer at which it closes"
    yield ""
    yield "# ---- Where the building's events go (issue 21): docs/configuration.md ----"
    yield "# None in the demo: `make run` delivers nothing. To receive a signed webhook, make a"
    yield "# secret (openssl rand -hex 32 > var/portal.secret), run tools/webhook_receiver.py"
    yield '# with it, and copy this file into var/ with (README, "Receive a signed webhook"):'
    yield "#   [[webhooks]]"
    yield '#   id = "PORTAL-KAB"'
    yield '#   url = "http://127.0.0.1:8800/"'
    yield '#   secret_file = "portal.secret"    # beside this file; the receiver\'s'
    yield '#   events = ["ticket_issued", "ticket_called"]   # leave out for every event'
    yield '# and a central server: [central] url = "https://pusat.example.go.id", key_file = …'


def _credentials_text(credentials: list[Credential]) -> Iterator[str]:
    yield from _CREDENTIALS_HEADER.splitlines()
    width_kind = max(len(c.kind) for c in credentials)
    width_id = max(len(c.id) for c in credentials)
    yield f"# {'kind':<{width_kind - 2}} {'id':<{width_id}} secret"
    for c in credentials:
        yield f"{c.kind:<{width_kind}} {c.id:<{width_id}} {c.secret}"


def generate(data: Path, out: Path) -> tuple[Path, Path]:
    """Write the demo building and its credentials into `out`; return both paths."""
    rng = random.Random(SEED)
    credentials: list[Credential] = []
    toml_text = "\n".join(_toml(data, rng, credentials)) + "\n"
    creds_text = "\n".join(_credentials_text(credentials)) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    toml_path, creds_path = out / "mpp-kota-contoh.toml", out / "credentials.txt"
    toml_path.write_text(toml_text, encoding="utf-8")
    creds_path.write_text(creds_text, encoding="utf-8")
    return toml_path, creds_path


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the demo files, then validate the building written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "server" / "demo")
    args = parser.parse_args(argv)
    if not (args.data / "agencies.csv").is_file():
        print(f"error: no agencies.csv in {args.data}; pass --data DIR", file=sys.stderr)
        return 1
    toml_path, creds_path = generate(args.data, args.out)
    from server.cli import check_main

    print(f"wrote {toml_path} and {creds_path}")
    return check_main(str(toml_path))


if __name__ == "__main__":
    sys.exit(main())
