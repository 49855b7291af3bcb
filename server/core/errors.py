"""Every reason the queue core refuses a command: a stable code and its Indonesian message.

The code is the contract: the hub sends it to clients, the kiosk and the counter app branch on it,
tests assert it. The message is what a citizen or an officer reads, in KBBI spelling (antrean,
silakan, nomor), so it is written once, here, and filled with the few facts it names (a line's
name, a time "13.00", a number "A-017"). Codes are never renamed; add new ones instead.
"""

from __future__ import annotations

from datetime import time
from typing import Any, Final

from server.core.model import CounterState, DomainError, TicketState

__all__ = [
    "COUNTER_STATE_LABELS",
    "MESSAGES",
    "TICKET_STATE_LABELS",
    "error",
    "format_clock",
]

MESSAGES: Final[dict[str, str]] = {
    # A move the transition tables do not allow, e.g. finishing a ticket that was never started.
    "illegal_transition": "Tindakan ini tidak dapat dilakukan: {subject} berstatus {state}",
    # Unknown names: a client bug or a stale configuration, never a citizen's fault.
    "unknown_line": "Layanan {line} tidak dikenal",
    "unknown_counter": "Loket {counter} tidak dikenal",
    "unknown_ticket": "Nomor antrean tidak ditemukan",
    "unknown_officer": "Petugas {officer} tidak terdaftar",
    "duplicate_token": "Kode tiket sudah dipakai, silakan coba lagi",
    # Issue rules (server.core.issuing): the citizen at the kiosk reads these.
    "holiday": "Hari ini libur: {name}",
    "closed_day": "Hari ini tidak ada layanan",
    "not_open_yet": "Layanan dibuka pukul {time}",
    "closed_hours": "Layanan hari ini sudah tutup pukul {time}",
    "on_break": "Layanan dibuka kembali pukul {time}",
    "no_more_today": "Pengambilan nomor antrean untuk layanan ini sudah ditutup untuk hari ini",
    "after_cutoff": "Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul {time}",
    "quota_exhausted": "Kuota layanan {line} hari ini sudah habis",
    # Counters and officers.
    "not_logged_in": "Belum ada petugas yang masuk di {counter}",
    "counter_occupied": "{counter} sedang digunakan oleh petugas lain",
    "officer_elsewhere": "Petugas sudah masuk di {counter}",
    "counter_busy": "Loket sedang melayani nomor {number}",
    "reason_required": "Alasan wajib diisi",
    # Calling and the active ticket.
    "queue_empty": "Tidak ada antrean yang menunggu",
    "no_active_ticket": "Loket tidak sedang memanggil atau melayani nomor antrean",
    "line_not_served": "{counter} tidak melayani layanan {line}",
    "noshow_window_passed": "Batas waktu {minutes} menit untuk nomor {number} sudah lewat",
    "same_line": "Nomor {number} sudah berada di layanan {line}",
    # Part-week services and shared desks (server.core.part_week). {days} reads "Senin–Kamis"
    # or "Selasa dan Kamis"; {hours} is "" or ", pukul 08.00–14.00 WITA" (the line's own).
    "service_off_day": "Hari ini tidak melayani — buka {days}{hours}",
    "desk_unassigned": "{counter} tidak dipakai hari ini; loket ini dipakai {schedule}",
    "desk_other_day": "Hari ini {counter} dipakai {agency}; {own} memakainya pada hari {days}",
    "desk_other_agency": "{counter} adalah loket {agency}, bukan loket instansi Anda",
}

# How a state reads inside an "illegal_transition" message.
TICKET_STATE_LABELS: Final[dict[TicketState, str]] = {
    TicketState.PRINTING: "sedang dicetak",
    TicketState.WAITING: "menunggu",
    TicketState.CALLED: "dipanggil",
    TicketState.SERVING: "sedang dilayani",
    TicketState.DONE: "selesai",
    TicketState.NO_SHOW: "tidak hadir",
    TicketState.CANCELLED: "dibatalkan",
    TicketState.EXPIRED: "kedaluwarsa",
}

COUNTER_STATE_LABELS: Final[dict[CounterState, str]] = {
    CounterState.CLOSED: "tutup",
    CounterState.OPEN: "buka",
    CounterState.PAUSED: "jeda",
}


def format_clock(t: time) -> str:
    """A time of day as Indonesians write it: 13.00 (a dot, not a colon)."""
    if t == time.max:  # building.END_OF_DAY: a closing time of "24:00", the end of the day
        return "24.00"
    return f"{t.hour:02d}.{t.minute:02d}"


def error(code: str, **params: Any) -> DomainError:
    """The DomainError for `code`, its message filled with `params` (also kept as details)."""
    return DomainError(code, MESSAGES[code].format(**params), **params)
