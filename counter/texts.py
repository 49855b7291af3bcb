"""What the counter console's officer reads: labels, durations and the panels' texts.

Pure, like counter/view.py whose `ConsoleModel` every function here reads: the app renders the
console with the `*_text` functions, and offers the choices of `call_options` and
`transfer_options`. Every text an officer reads is Indonesian; durations read "12 mnt",
"1 jam 5 mnt".
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from counter.view import Action, ConsoleModel, allowed_actions, parse_time
from server import protocol as p

__all__ = [
    "ACTION_LABELS",
    "CALL_REASONS",
    "CLOSURE_REASONS",
    "PAUSE_REASONS",
    "PRIORITY_LABELS",
    "SKIP_REASONS",
    "add_stop_options",
    "booking_text",
    "call_options",
    "closure_text",
    "counter_state_text",
    "done_text",
    "format_timer",
    "format_wait",
    "hint_text",
    "holder_text",
    "identity_text",
    "lines_text",
    "next_text",
    "normalize_number",
    "normalize_server_url",
    "priority_label",
    "skip_stop_options",
    "ticket_detail_text",
    "transfer_options",
    "visit_text",
]

# What the footer and the messages call each action.
ACTION_LABELS: Final = {
    Action.CALL_NEXT: "Panggil",
    Action.RECALL: "Panggil ulang",
    Action.START: "Mulai",
    Action.FINISH: "Selesai",
    Action.NO_SHOW: "Tidak hadir",
    Action.TRANSFER: "Alihkan",
    Action.PAUSE: "Jeda",
    Action.RESUME: "Lanjut",
    Action.CALL_TICKET: "Panggil nomor",
    Action.REACTIVATE: "Aktifkan lagi",
    Action.OPEN: "Buka loket",
    Action.LOGOUT: "Keluar",
    Action.ADD_STOP: "Tambah layanan",
    Action.SKIP_STOP: "Lewati layanan",
    Action.REQUEST_CLOSURE: "Ajukan tutup",
    Action.WITHDRAW_CLOSURE: "Batalkan pengajuan",
}

# Why a counter pauses; the officer may also type another reason.
PAUSE_REASONS: Final = ("istirahat", "salat", "urusan dinas", "rapat", "gangguan sistem")
# Why a number is called out of order; the officer may also type another reason.
CALL_REASONS: Final = (
    "berkas susulan",
    "kembali dari loket lain",
    "kondisi darurat",
    "salah panggil",
)

# Why an officer asks to close the counter during service hours (a break is a pause, P); the
# officer may also type another reason. The floor reads them as written.
CLOSURE_REASONS: Final = (
    "Gangguan sistem instansi",
    "Blanko/formulir habis",
    "Petugas sakit",
    "Pergantian petugas",
)
# The longest reason the server takes (docs/protocol.md, `request_closure`).
CLOSURE_REASON_MAX: Final = 200

# Why a stop of a visit is no longer needed; the officer may also type another reason.
SKIP_REASONS: Final = (
    "tidak diperlukan lagi",
    "berkas belum lengkap",
    "warga membatalkan",
    "sudah diurus di loket ini",
)

# Mirrors protocol.PRIORITY_GROUPS, in the words the officer reads.
PRIORITY_LABELS: Final = {
    "lansia": "Lansia",
    "disabilitas": "Penyandang disabilitas",
    "ibu_hamil": "Ibu hamil / menyusui",
    "balita": "Membawa balita",
}

_TICKET_STATES: Final = {
    "waiting": "menunggu",
    "called": "DIPANGGIL",
    "serving": "SEDANG DILAYANI",
    "no_show": "tidak hadir",
}

# A visit's stop states (docs/protocol.md, the itinerary view), as the officer reads them.
_STOP_STATES: Final = {
    "pending": "belum giliran",
    "printing": "dicetak",
    "waiting": "menunggu",
    "called": "dipanggil",
    "serving": "sedang dilayani",
    "done": "selesai",
    "no_show": "tidak hadir",
    "cancelled": "dibatalkan",
    "expired": "kedaluwarsa",
    "skipped": "dilewati",
}

# --------------------------------------------------------------------------------------------
# Small formatting
# --------------------------------------------------------------------------------------------


def format_wait(seconds: float) -> str:
    """A waiting time as an officer says it: "< 1 mnt", "12 mnt", "1 jam 5 mnt"."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "< 1 mnt"
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes} mnt"
    return f"{hours} jam" if minutes == 0 else f"{hours} jam {minutes} mnt"


def format_timer(seconds: float) -> str:
    """A running service timer: "04:12", or "1:04:12" past an hour."""
    total = int(max(seconds, 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def priority_label(group: str | None) -> str:
    return PRIORITY_LABELS.get(group, group) if group else "Reguler"


_NUMBER = re.compile(r"^\s*([A-Za-z]{1,3})\s*-?\s*(\d{1,4})\s*$")


def normalize_number(text: str) -> str | None:
    """A typed ticket number in the printed form: "a7", "A 7", "a-007" -> "A-007"; else None."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    prefix, digits = match.groups()
    return f"{prefix.upper()}-{int(digits):03d}"


def normalize_server_url(text: str) -> str:
    """The websocket URL of a server given as "host:port", "http://host:port" or a ws URL."""
    text = text.strip()
    if "://" not in text:
        text = "ws://" + text
    parts = urlsplit(text)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path if parts.path not in ("", "/") else "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


# --------------------------------------------------------------------------------------------
# What the officer reads
# --------------------------------------------------------------------------------------------


def hint_text(model: ConsoleModel) -> str:
    """The next step, in one line: the officer never has to wonder which key applies."""
    state = model.counter_state
    active = model.active
    if active is not None:
        number = active.get("number", "")
        skip = " · L: lewati layanan" if Action.SKIP_STOP in allowed_actions(model) else ""
        if active.get("state") == "serving":
            return f"Melayani {number}. F: selesai · T: alihkan · K: tambah layanan{skip}"
        return (
            f"{number} dipanggil. S: mulai layani · R: panggil ulang · X: tidak hadir · T: alihkan"
            f"{skip}"
        )
    if state == "paused":
        return "Loket sedang jeda. P: lanjutkan melayani"
    if state == "closed":
        return "Loket tutup. O: buka loket · Q: keluar"
    if state == "open":
        return "N: panggil berikutnya · C: panggil nomor tertentu · P: jeda · Q: keluar"
    return ""


def closure_text(model: ConsoleModel) -> str:
    """Where this counter's closure request stands, in one line; "" when there is none."""
    closure = model.closure
    if closure is not None and not closure.get("approved_at"):
        return f"Menunggu persetujuan pengelola: tutup loket (alasan: {closure.get('reason')})"
    if closure is not None:
        head = f"Penutupan disetujui oleh {model.manager_name(closure.get('by'))}."
        if model.active is not None:
            return f"{head} Selesaikan layanan ini; loket lalu ditutup."
        return f"{head} Loket ditutup."
    news = model.closure_news
    if news is None:
        return ""
    if news.get("approved"):
        return f"Penutupan disetujui oleh {model.manager_name(news.get('by'))}. Loket ditutup."
    return f"Permintaan tutup loket ditolak: {news.get('note') or '—'}"


def counter_state_text(model: ConsoleModel) -> str:
    state = model.counter_state
    if state == "open":
        return "BUKA"
    if state == "paused":
        reason = model.counter.get("pause_reason")
        return f"JEDA — {reason}" if reason else "JEDA"
    if state == "closed":
        return "TUTUP"
    return "—"


def identity_text(model: ConsoleModel) -> str:
    """Who works at which counter for which lines."""
    lines = ", ".join(f"{p} {model.line_name(p)}" for p in model.serves) or "—"
    officer = f"{model.officer_name} ({model.officer_id})" if model.officer_id else "—"
    return f"{model.counter_name} · {officer} · {model.agency_name} · Layanan: {lines}"


def ticket_detail_text(model: ConsoleModel, now: datetime) -> str:
    """The active ticket: line, priority, how long it waited, and the call or service timer."""
    t = model.active
    if t is None:
        return "Tidak ada nomor aktif."
    line = t.get("line", "")
    rows = [
        f"{t.get('number', '')}  ·  {line} {model.line_name(line)}",
        f"Kategori: {priority_label(t.get('priority'))}",
    ]
    booked, holder = booking_text(model, t), holder_text(model)
    rows += [text for text in (booked, holder) if text is not None]
    queued, called = parse_time(t.get("queued_at")), parse_time(t.get("called_at"))
    if queued is not None and called is not None:
        rows.append(f"Menunggu: {format_wait((called - queued).total_seconds())}")
    started = parse_time(t.get("started_at"))
    state = t.get("state", "")
    if state == "serving" and started is not None:
        rows.append(f"SEDANG DILAYANI  {format_timer((now - started).total_seconds())}")
    else:
        since = f" — sejak {format_timer((now - called).total_seconds())}" if called else ""
        calls = t.get("calls") or 1
        rows.append(f"{_TICKET_STATES.get(state, state)}{since} · {calls}× dipanggil")
    if t.get("call_reason") == "dipilih_petugas":
        rows.append("Dipanggil di luar urutan (alasan dicatat)")
    visit = visit_text(model)
    if visit:
        rows += ["", visit]
    return "\n".join(rows)


def visit_text(model: ConsoleModel) -> str:
    """The active ticket's visit: "Kunjungan KJ-007 · langkah 1 dari 2 · berikutnya: BPJS
    Kesehatan", then each stop on a line (▶ the one here); "" when it is not in a visit."""
    active = model.active
    vid = model.visit_id(active)
    if active is None or vid is None:
        return ""
    plan = model.itinerary()
    summary = active.get("visit") if isinstance(active.get("visit"), dict) else {}
    label = (plan or {}).get("label") or summary.get("label") or vid.rpartition("/")[2]
    head = [f"Kunjungan {label}"]
    step = model.visit_step()
    if step is not None:
        head.append(f"langkah {step[0]} dari {step[1]}")
    if plan is None:
        return " · ".join([*head, "memuat rencana kunjungan…"])
    after = model.next_stop()
    head.append(f"berikutnya: {_stop_agency(model, after)}" if after else "langkah terakhir")
    rows = [" · ".join(head)]
    for i, stop in enumerate(plan.get("stops") or []):
        here = "▶" if stop.get("ticket") == active["id"] else " "
        name = stop.get("name") or model.line_name(stop.get("line", ""))
        parts = [f"{here} {i + 1}. {_stop_agency(model, stop)} — {name}"]
        if stop.get("number"):
            parts.append(stop["number"])
        state = _stop_state(model, stop)
        parts.append(_STOP_STATES.get(state, state))
        if stop.get("added"):
            parts.append("ditambahkan")
        rows.append(" · ".join(parts))
    return "\n".join(rows)


def _stop_state(model: ConsoleModel, stop: dict[str, Any]) -> str:
    """A stop's state: its ticket's as the console's events keep it (called, then serving…:
    no visit event says so), else as the itinerary was fetched."""
    known = model.tickets.get(stop.get("ticket") or "")
    return str((known or {}).get("state") or stop.get("state", ""))


def _stop_agency(model: ConsoleModel, stop: dict[str, Any]) -> str:
    return stop.get("agency_name") or model.line_agency_name(stop.get("line", ""))


def add_stop_options(model: ConsoleModel) -> list[tuple[str | None, str]]:
    """The lines a stop may be added for, grouped by agency in the building's order: a
    heading (None, agency) before its lines (prefix, label). Lines of the visit's stops not
    done or skipped are left out (the server would refuse them as already planned)."""
    planned = model.planned_lines()
    out: list[tuple[str | None, str]] = []
    for code, agency in model.agencies.items():
        lines = [
            (prefix, f"{prefix}  {line.get('name', '')}")
            for prefix, line in model.line_defs.items()
            if line.get("agency") == code and prefix not in planned
        ]
        if lines:
            out += [(None, agency.get("short_name") or agency.get("name") or code), *lines]
    return out


def skip_stop_options(model: ConsoleModel) -> list[tuple[str, str]]:
    """The visit's stops not begun yet, as (line, "2. BPJS Kesehatan — Pendaftaran …")."""
    return [
        (stop.get("line", ""), f"{i + 1}. {_stop_agency(model, stop)} — {stop.get('name', '')}")
        for i, stop in model.pending_stops()
    ]


def booking_text(model: ConsoleModel, ticket: dict[str, Any]) -> str | None:
    """A booked ticket's mark: "Pesanan online · jadwal 09.00 WIB" (its slot's start in the
    building's zone, as the kiosk printed it on the ticket); None for a walk-in ticket."""
    if not ticket.get("booking"):
        return None
    slot = parse_time(ticket.get("slot"))
    if slot is None:
        return "Pesanan online"
    local = slot.astimezone(timezone(timedelta(minutes=model.utc_offset_min)))
    return f"Pesanan online · jadwal {p.format_clock_in_zone(local, model.zone_label)}"


def holder_text(model: ConsoleModel) -> str | None:
    """Who booked the active ticket, to compare with the citizen's KTP-el; None for a walk-in
    ticket. Only the name and the masked NIK ("•••• •••• •••• 1234") ever reach the console."""
    t = model.active
    if t is None or not t.get("booking"):
        return None
    holder = model.holders.get(t["id"])
    if holder is None:
        return "Pemesan: memuat…"
    name, nik = holder.get("name"), holder.get("nik_masked")
    if not name and not nik:
        return "Pemesan: data pemesan tidak tersedia"
    return f"Pemesan: {name or '—'} · NIK {nik or '—'} — cocokkan dengan KTP-el"


def lines_text(model: ConsoleModel) -> str:
    """Waiting per line this counter serves, with the longest current wait."""
    rows = []
    for prefix in model.serves:
        fig = model.lines.get(prefix, {})
        waiting = fig.get("waiting", 0)
        prio = fig.get("waiting_priority", 0)
        extra = f" ({prio} prioritas)" if prio else ""
        longest = f" · terlama {format_wait(fig.get('longest_wait_s', 0))}" if waiting else ""
        rows.append(f"{prefix}  {model.line_name(prefix)}: {waiting} menunggu{extra}{longest}")
    return "\n".join(rows) or "—"


def next_text(model: ConsoleModel) -> str:
    """The next numbers this counter would call; ★ marks a priority ticket."""
    numbers = [t.get("number", "") + ("★" if t.get("priority") else "") for t in model.next]
    return "Berikutnya: " + ("  ".join(numbers) if numbers else "—")


def done_text(
    action: Action, number: str | None, fields: dict[str, Any], model: ConsoleModel
) -> str:
    """What the officer reads after the server accepted an action."""
    active = model.active
    shown = (active or {}).get("number") or number or fields.get("ticket") or ""
    if action in (Action.CALL_NEXT, Action.CALL_TICKET):
        return f"{shown} dipanggil ke {model.counter_name}."
    if action is Action.TRANSFER:
        line = fields.get("line", "")
        return f"{number} dialihkan ke layanan {line} {model.line_name(line)}."
    if action is Action.FINISH and number in model.handed_on:
        then = model.handed_on[number]
        where = model.line_agency_name(then.get("line") or "")
        return f"{number} selesai, diteruskan ke {where} ({then.get('number')})."
    if action in (Action.ADD_STOP, Action.SKIP_STOP):
        return _visit_done_text(action, fields, model)
    texts = {
        Action.RECALL: f"{shown} dipanggil ulang.",
        Action.START: f"Mulai melayani {shown}.",
        Action.FINISH: f"{number} selesai dilayani.",
        Action.NO_SHOW: f"{number} dicatat tidak hadir.",
        Action.PAUSE: f"Loket dijeda: {fields.get('reason', '')}.",
        Action.RESUME: "Loket kembali melayani.",
        Action.REACTIVATE: f"{fields.get('ticket', '')} kembali ke antrean.",
        Action.OPEN: "Loket dibuka.",
        Action.LOGOUT: "Anda telah keluar.",
        Action.REQUEST_CLOSURE: "Permintaan tutup loket dikirim ke pengelola.",
        Action.WITHDRAW_CLOSURE: "Permintaan tutup loket dibatalkan.",
    }
    return texts[action]


def _visit_done_text(action: Action, fields: dict[str, Any], model: ConsoleModel) -> str:
    line = fields.get("line", "")
    what = f"{model.line_agency_name(line)} — {model.line_name(line)}"
    plan = model.itinerary()
    label = f"kunjungan {plan.get('label')}" if plan and plan.get("label") else "kunjungan"
    if action is Action.ADD_STOP:
        return f"{what} ditambahkan ke {label}."
    return f"{what} dilewati ({fields.get('reason', '')})."


def transfer_options(model: ConsoleModel) -> list[tuple[str, str]]:
    """Every line of the building but the active ticket's own, as (prefix, label)."""
    current = (model.active or {}).get("line")
    out = []
    for prefix, line in model.line_defs.items():
        if prefix != current:
            agency = model.agencies.get(line.get("agency", ""), {})
            short = agency.get("short_name") or line.get("agency", "")
            out.append((prefix, f"{prefix}  {line.get('name', '')} ({short})"))
    return out


def call_options(model: ConsoleModel) -> list[tuple[str, str]]:
    """Numbers this counter may call out of order: waiting or no-show on its lines."""
    serves = set(model.serves)
    found = [
        t
        for t in model.tickets.values()
        if t.get("line") in serves and t.get("state") in ("waiting", "no_show")
    ]
    found.sort(key=lambda t: t.get("number", ""))
    return [(t["number"], f"{t['number']}  ({_TICKET_STATES[t['state']]})") for t in found]
