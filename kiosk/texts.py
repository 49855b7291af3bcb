"""Every word the kiosk shows or prints, in Bahasa Indonesia (default) and English.

Citizens read these, so they are written once, here, in KBBI spelling (antrean, silakan, nomor,
Jumat) and with Indonesian number and time habits: times with a dot ("08.15"), dates as
"Senin, 23 November 2026". Everything in this module is pure: no I/O, no clock.

The server's refusal messages are Indonesian only; `refusal_text` gives the English form by the
refusal's stable code, taking the time it names ("13.00") from the Indonesian message.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from server import protocol as p

__all__ = [
    "PRIORITY_CHOICES",
    "TEXTS",
    "Lang",
    "date_in",
    "days_in",
    "format_clock",
    "format_datetime_id",
    "format_duration",
    "printer_problem",
    "priority_label",
    "refusal_text",
    "t",
]


class Lang(StrEnum):
    ID = "id"
    EN = "en"


TEXTS: Final[dict[str, dict[Lang, str]]] = {
    # The start: agencies by zone.
    "welcome": {
        Lang.ID: "Selamat datang di {building}",
        Lang.EN: "Welcome to {building}",
    },
    "choose_agency": {
        Lang.ID: "Silakan sentuh instansi yang Anda tuju",
        Lang.EN: "Please touch the agency you need",
    },
    "connecting": {
        Lang.ID: "Menghubungkan ke server antrean…",
        Lang.EN: "Connecting to the queue server…",
    },
    "switch_language": {Lang.ID: "English", Lang.EN: "Bahasa Indonesia"},
    # Online booking: the start's button and the check-in ("lapor kedatangan").
    "booked_online": {Lang.ID: "Sudah pesan online", Lang.EN: "Booked online"},
    "booked_online_note": {
        Lang.ID: "Pindai kode QR pesanan Anda di sini",
        Lang.EN: "Scan your booking's QR code here",
    },
    "checkin_prompt": {
        Lang.ID: "Pindai kode QR pada bukti pesanan Anda, atau ketik kode pesanan lalu sentuh "
        "Lanjut.",
        Lang.EN: "Scan the QR code of your booking, or type the booking code and touch Continue.",
    },
    "checkin_placeholder": {
        Lang.ID: "Kode pesanan, mis. K7QM-4TXA",
        Lang.EN: "Booking code, e.g. K7QM-4TXA",
    },
    "checkin_go": {Lang.ID: "Lanjut", Lang.EN: "Continue"},
    "checkin_erase": {Lang.ID: "Hapus", Lang.EN: "Delete"},
    "checking": {
        Lang.ID: "Memeriksa pesanan Anda, mohon tunggu…",
        Lang.EN: "Checking your booking, please wait…",
    },
    # The kiosk's own refusals of a code that cannot be one (no server round trip).
    "code_empty": {
        Lang.ID: "Silakan pindai kode QR pesanan Anda, atau ketik kode pesanannya.",
        Lang.EN: "Please scan your booking's QR code, or type the booking code.",
    },
    "code_characters": {
        Lang.ID: "Kode pesanan tidak pernah memuat {chars}. Periksa kembali kode Anda: 8 huruf "
        "dan angka, misalnya K7QM-4TXA. Terbaca: {typed}",
        Lang.EN: "Booking codes never contain {chars}. Please check your code: 8 letters and "
        "digits, e.g. K7QM-4TXA. Read: {typed}",
    },
    "code_length": {
        Lang.ID: "Kode pesanan terdiri dari 8 huruf dan angka, misalnya K7QM-4TXA. Terbaca "
        "{n} karakter: {typed}",
        Lang.EN: "A booking code has 8 letters and digits, e.g. K7QM-4TXA. Read {n}: {typed}",
    },
    # The server's answers to a check-in.
    "booked_slot": {
        Lang.ID: "Pesanan online · jadwal {slot}",
        Lang.EN: "Online booking · slot {slot}",
    },
    "booked_code": {Lang.ID: "Kode pesanan {code}", Lang.EN: "Booking code {code}"},
    "already_printed": {
        Lang.ID: "Nomor antrean Anda sudah dicetak",
        Lang.EN: "Your number was already printed",
    },
    "reprint_by_staff": {
        Lang.ID: "Kios tidak mencetak nomor kedua. Tiket hilang? Silakan minta cetak ulang "
        "kepada petugas.",
        Lang.EN: "The kiosk prints no second number. Lost your ticket? Please ask a member of "
        "staff for a reprint.",
    },
    "walk_in_possible": {
        Lang.ID: "Anda masih dapat mengambil nomor antrean biasa untuk layanan ini.",
        Lang.EN: "You can still take a regular number for this service.",
    },
    "walk_in_take": {
        Lang.ID: "Ambil nomor antrean {prefix} · {name}",
        Lang.EN: "Take a number: {prefix} · {name}",
    },
    "code_again": {Lang.ID: "Ketik ulang kode", Lang.EN: "Enter the code again"},
    "booking_print_failed": {
        Lang.ID: "Tiket Anda tidak dapat dicetak ({reason}). Pesanan Anda tetap berlaku; "
        "silakan menghubungi petugas.",
        Lang.EN: "Your ticket could not be printed ({reason}). Your booking still stands; "
        "please ask a member of staff.",
    },
    # The agency's lines.
    "choose_line": {
        Lang.ID: "{agency}: silakan pilih layanan",
        Lang.EN: "{agency}: please choose a service",
    },
    "waiting": {Lang.ID: "{n} orang menunggu", Lang.EN: "{n} waiting"},
    "estimated_wait": {Lang.ID: "perkiraan tunggu {duration}", Lang.EN: "wait {duration}"},
    # In place of an estimate while no counter serving the line is open (the server sends none):
    # nobody can say when one opens. The phone page says the same (server/web/phone.py).
    "wait_for_counter": {
        Lang.ID: "menunggu loket dibuka",
        Lang.EN: "waiting for a counter to open",
    },
    "quota_left": {Lang.ID: "sisa kuota {n}", Lang.EN: "{n} numbers left today"},
    "priority_only": {
        Lang.ID: "Kuota umum habis: hanya untuk layanan prioritas",
        Lang.EN: "Regular quota used up: priority visitors only",
    },
    "no_counter_open": {
        Lang.ID: "Loket belum buka, nomor tetap dapat diambil",
        Lang.EN: "No counter open yet; you can still take a number",
    },
    "closed": {Lang.ID: "Tutup", Lang.EN: "Closed"},
    # A part-week agency on a day it does not come (every one of its lines says so).
    "off_today": {Lang.ID: "Tutup hari ini", Lang.EN: "Closed today"},
    "off_today_days": {
        Lang.ID: "Tutup hari ini · buka {days}",
        Lang.EN: "Closed today · open {days}",
    },
    # Priority.
    "ask_priority": {
        Lang.ID: "Apakah Anda termasuk layanan prioritas?",
        Lang.EN: "Do you need priority service?",
    },
    "priority_note": {
        Lang.ID: "Petugas akan memeriksa di loket.",
        Lang.EN: "The officer will check at the counter.",
    },
    "prio_lansia": {Lang.ID: "Lansia (60 tahun ke atas)", Lang.EN: "Senior (60 or older)"},
    "prio_disabilitas": {Lang.ID: "Penyandang disabilitas", Lang.EN: "Person with a disability"},
    "prio_ibu_hamil": {Lang.ID: "Ibu hamil / menyusui", Lang.EN: "Pregnant or nursing"},
    "prio_balita": {Lang.ID: "Membawa balita", Lang.EN: "With a small child"},
    "prio_none": {Lang.ID: "Tidak", Lang.EN: "No"},
    # Printing and the result.
    "printing": {
        Lang.ID: "Tiket sedang dicetak, mohon tunggu…",
        Lang.EN: "Printing your ticket, please wait…",
    },
    "take_ticket": {Lang.ID: "Silakan ambil tiket Anda", Lang.EN: "Please take your ticket"},
    "wait_called": {
        Lang.ID: "Mohon menunggu nomor Anda dipanggil",
        Lang.EN: "Please wait until your number is called",
    },
    "people_ahead": {Lang.ID: "{n} orang di depan Anda", Lang.EN: "{n} people ahead of you"},
    "sorry": {Lang.ID: "Mohon maaf", Lang.EN: "Sorry"},
    "print_failed": {
        Lang.ID: "Tiket Anda tidak dapat dicetak ({reason}) dan nomornya dibatalkan. "
        "Silakan menghubungi petugas.",
        Lang.EN: "Your ticket could not be printed ({reason}) and its number was cancelled. "
        "Please ask a member of staff.",
    },
    "out_of_order": {
        Lang.ID: "Mohon maaf, mesin sedang gangguan. Silakan menghubungi petugas.",
        Lang.EN: "Sorry, this machine is out of order. Please ask a member of staff.",
    },
    "server_down": {
        Lang.ID: "Tidak terhubung ke server antrean.",
        Lang.EN: "No connection to the queue server.",
    },
    "server_refused": {
        Lang.ID: "Server antrean menolak kios ini: periksa token perangkat.",
        Lang.EN: "The queue server refused this kiosk: check its device token.",
    },
    "printer_down": {Lang.ID: "Printer: {reason}.", Lang.EN: "Printer: {reason}."},
    "recovers": {
        Lang.ID: "Mesin akan kembali melayani dengan sendirinya.",
        Lang.EN: "The machine will resume by itself.",
    },
    "retry_hint": {
        Lang.ID: "Nomor Anda belum tercetak. Sentuh Coba lagi setelah mesin kembali normal.",
        Lang.EN: "Your number was not printed yet. Touch Try again once the machine is back.",
    },
    "error": {
        Lang.ID: "Terjadi kesalahan: {message}",
        Lang.EN: "Something went wrong: {message}",
    },
    # One visit, several agencies (kiosk/visit_screens.py): choose 2–4 services, see the order
    # the kiosk proposes, accept, one ticket for the first stop.
    "visit_start": {Lang.ID: "Beberapa layanan sekaligus", Lang.EN: "Several services"},
    "visit_start_note": {
        Lang.ID: "Satu tiket untuk 2–{max} layanan",
        Lang.EN: "One ticket for 2–{max} services",
    },
    "visit_intro": {
        Lang.ID: "Pilih 2 sampai {max} layanan. Kios akan mengusulkan urutannya; nomor untuk "
        "langkah berikutnya diberikan otomatis setelah langkah sebelumnya selesai.",
        Lang.EN: "Choose 2 to {max} services. The kiosk proposes their order; the next step's "
        "number is given automatically once the step before it is finished.",
    },
    "visit_empty": {
        Lang.ID: "Belum ada layanan yang dipilih.",
        Lang.EN: "No service chosen yet.",
    },
    "visit_need_more": {
        Lang.ID: "Pilih paling sedikit 2 layanan.",
        Lang.EN: "Choose at least 2 services.",
    },
    "visit_full": {
        Lang.ID: "Paling banyak {max} layanan dalam satu kunjungan.",
        Lang.EN: "At most {max} services in one visit.",
    },
    "visit_add": {Lang.ID: "Tambah layanan", Lang.EN: "Add a service"},
    "visit_remove": {Lang.ID: "Hapus", Lang.EN: "Remove"},
    "visit_plan": {Lang.ID: "Lanjut: lihat urutan", Lang.EN: "Next: see the order"},
    "visit_choose_agency": {
        Lang.ID: "Layanan ke-{n}: silakan sentuh instansi yang Anda tuju",
        Lang.EN: "Service {n}: please touch the agency you need",
    },
    "visit_chosen": {Lang.ID: "Sudah dipilih", Lang.EN: "Already chosen"},
    "visit_planning": {
        Lang.ID: "Menyusun urutan kunjungan Anda…",
        Lang.EN: "Working out the order of your visit…",
    },
    "visit_plan_title": {
        Lang.ID: "Usulan urutan kunjungan Anda",
        Lang.EN: "The proposed order of your visit",
    },
    "visit_step_wait": {
        Lang.ID: "Perkiraan tunggu saat ini: {duration}",
        Lang.EN: "Estimated wait now: {duration}",
    },
    "visit_reason": {
        Lang.ID: "{after} setelah {before}: memerlukan hasilnya lebih dulu",
        Lang.EN: "{after} after {before}: it needs its result first",
    },
    "visit_shortest": {
        Lang.ID: "Urutan ini diperkirakan paling singkat.",
        Lang.EN: "This order is expected to be the quickest.",
    },
    "visit_total": {
        Lang.ID: "Perkiraan total waktu di gedung: {duration}",
        Lang.EN: "Estimated total time in the building: {duration}",
    },
    "visit_problem": {
        Lang.ID: "Tidak dapat diambil sekarang: {problem}",
        Lang.EN: "Not available now: {problem}",
    },
    "visit_drop": {Lang.ID: "Hapus {line} dari kunjungan", Lang.EN: "Remove {line}"},
    "visit_fix_first": {
        Lang.ID: "Hapus layanan yang tidak dapat diambil untuk melanjutkan.",
        Lang.EN: "Remove the service that is not available to continue.",
    },
    "visit_accept": {Lang.ID: "Setuju, cetak tiket", Lang.EN: "Agree, print the ticket"},
    "visit_as_priority": {
        Lang.ID: "Layanan prioritas: {group}",
        Lang.EN: "Priority service: {group}",
    },
    "visit_change": {Lang.ID: "Ubah pilihan", Lang.EN: "Change the choice"},
    "visit_refused": {
        Lang.ID: "Kunjungan belum dapat dicetak: {reason}",
        Lang.EN: "The visit could not be printed: {reason}",
    },
    "visit_yours": {Lang.ID: "Kunjungan Anda:", Lang.EN: "Your visit:"},
    "visit_now": {Lang.ID: "{number}, sekarang", Lang.EN: "{number}, now"},
    "visit_later": {
        Lang.ID: "nomor diberikan setelah langkah {k} selesai",
        Lang.EN: "number given once step {k} is finished",
    },
    "visit_auto": {
        Lang.ID: "Nomor langkah berikutnya diberikan otomatis; tidak perlu kembali ke kios.",
        Lang.EN: "The next step's number is given automatically; no need to come back here.",
    },
    "visit_print_failed": {
        Lang.ID: "Tiket Anda tidak dapat dicetak ({reason}) dan kunjungan Anda dibatalkan. "
        "Silakan menghubungi petugas.",
        Lang.EN: "Your ticket could not be printed ({reason}) and your visit was cancelled. "
        "Please ask a member of staff.",
    },
    # Buttons.
    "back": {Lang.ID: "Kembali", Lang.EN: "Back"},
    "done": {Lang.ID: "Selesai", Lang.EN: "Done"},
    "retry": {Lang.ID: "Coba lagi", Lang.EN: "Try again"},
    "cancel": {Lang.ID: "Batal", Lang.EN: "Cancel"},
    # Printer problems, as the citizen and the staff read them.
    "printer_ok": {Lang.ID: "siap", Lang.EN: "ready"},
    "printer_near_end": {Lang.ID: "kertas hampir habis", Lang.EN: "paper nearly out"},
    "printer_paper_out": {Lang.ID: "kertas habis", Lang.EN: "out of paper"},
    "printer_offline": {
        Lang.ID: "printer mati atau penutupnya terbuka",
        Lang.EN: "printer off or its cover open",
    },
    "printer_timeout": {Lang.ID: "printer tidak menjawab", Lang.EN: "printer not responding"},
    "printer_reset": {
        Lang.ID: "sambungan ke printer terputus",
        Lang.EN: "printer connection lost",
    },
}

# The order the priority buttons are shown in; "none" (Tidak) is the last, widest button.
PRIORITY_CHOICES: Final = ("lansia", "disabilitas", "ibu_hamil", "balita")

# What a ticket says when the citizen chose priority service (tickets are printed in Indonesian:
# the officer who checks the claim reads them too).
_PRIORITY_TICKET: Final = {
    "lansia": "LANSIA",
    "disabilitas": "DISABILITAS",
    "ibu_hamil": "IBU HAMIL / MENYUSUI",
    "balita": "MEMBAWA BALITA",
}

# English forms of the core's refusal codes; {time} ("13.00 WITA") is taken from the Indonesian
# message.
_REFUSALS_EN: Final = {
    "holiday": "Closed today for a public holiday",
    "closed_day": "No service today",
    "not_open_yet": "Service opens at {time}",
    "closed_hours": "Service closed for today at {time}",
    "on_break": "Service resumes at {time}",
    "no_more_today": "No more numbers for this service today",
    "after_cutoff": "Numbers for this service closed at {time}",
    "quota_exhausted": "Today's quota for this service is used up",
    "service_off_day": "Not served today — open {when}",
    # A check-in's refusals (the server's details fill them in).
    "booking_not_found": "No booking has this code. Please check the code.",
    "booking_other_day": "This booking is for another day: {day}.",
    "booking_too_early": "Too early to check in. Please come back at {time}.",
    "booking_lapsed": "This booking has lapsed: its check-in time is over.",
    "booking_cancelled": "This booking was cancelled.",
    "booking_checked_in": "This booking was already checked in: number {number}.",
    "booking_printing": "This booking's ticket, number {number}, is being printed. Please wait.",
}
# A check-in's refusals in the kiosk's own words, for a server that sent no message (it always
# should: the server's own words are shown whenever it has some).
_BOOKING_REFUSALS_ID: Final = {
    "booking_not_found": "Kode pesanan tidak ditemukan. Periksa kembali kode Anda.",
    "booking_other_day": "Pesanan ini untuk hari lain: {day}.",
    "booking_too_early": "Belum waktunya lapor kedatangan. Silakan kembali pukul {time}.",
    "booking_lapsed": "Pesanan hangus: waktu lapor kedatangan sudah lewat.",
    "booking_cancelled": "Pesanan ini sudah dibatalkan.",
    "booking_checked_in": "Pesanan ini sudah lapor kedatangan dengan nomor {number}.",
    "booking_printing": "Tiket pesanan ini sedang dicetak dengan nomor {number}. Silakan tunggu.",
}
_TIME = re.compile(r"\b(\d{2}\.\d{2}(?: WIB| WITA| WIT)?)\b")
_DAYS_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_ID = re.compile(r"\b(" + "|".join(p.DAY_NAMES) + r")\b")
_MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_ID = re.compile(r"\b(" + "|".join(p.MONTH_NAMES) + r")\b")


def t(key: str, lang: Lang = Lang.ID, /, **params: object) -> str:
    """The text `key` in `lang`, filled with `params`."""
    return TEXTS[key][lang].format(**params)


def priority_label(group: str | None, *, ticket: bool = False, lang: Lang = Lang.ID) -> str:
    """A priority group as a button says it, or (ticket=True) as the printed ticket says it."""
    if group is None:
        return "" if ticket else t("prio_none", lang)
    if ticket:
        return _PRIORITY_TICKET.get(group, group.upper())
    return t(f"prio_{group}", lang)


def printer_problem(state: str, lang: Lang = Lang.ID) -> str:
    """A printer state ("paper_out", "timeout"…) in plain words."""
    key = f"printer_{state}"
    return t(key, lang) if key in TEXTS else state


def refusal_text(
    code: str | None,
    message: str | None,
    lang: Lang = Lang.ID,
    details: dict[str, Any] | None = None,
) -> str:
    """Why the server said no, for the citizen: its Indonesian text, or the English by the
    refusal's code (the facts it names taken from the text, or from the refusal's `details`)."""
    facts = details or {}
    found = _TIME.search(message or "")
    params = {
        "time": found.group(1) if found else facts.get("time", "?"),
        "when": days_in(message or "", lang),
        "day": date_in(str(facts.get("day", "?")), lang),
        "number": facts.get("number", "?"),
    }
    if lang is Lang.EN and code in _REFUSALS_EN:
        return _REFUSALS_EN[code].format(**params)
    if not message and code in _BOOKING_REFUSALS_ID:
        return _BOOKING_REFUSALS_ID[code].format(**params)
    return message or code or ""


def days_in(message: str, lang: Lang = Lang.ID, *, with_hours: bool = True) -> str:
    """When a part-week service is open, from its `service_off_day` message ("Hari ini tidak
    melayani — buka Senin–Kamis, pukul 08.00–14.00 WITA"): "Senin–Kamis, pukul 08.00–14.00
    WITA", or in English "Monday–Thursday, 08.00–14.00 WITA"; the days alone without hours."""
    when = message.partition("buka ")[2]
    if not with_hours:
        # The hours follow ", pukul"; the days may hold commas ("Senin, Rabu, dan Jumat").
        when = when.partition(", pukul")[0]
    if lang is Lang.EN:
        when = _DAY_ID.sub(lambda m: _DAYS_EN[p.DAY_NAMES.index(m[1])], when)
        when = when.replace(" dan ", " and ").replace("pukul ", "")
    return when


def date_in(words: str, lang: Lang = Lang.ID) -> str:
    """A date as the server writes it ("Rabu, 2 Desember 2026"), in English when asked
    ("Wednesday, 2 December 2026")."""
    if lang is not Lang.EN:
        return words
    words = _DAY_ID.sub(lambda m: _DAYS_EN[p.DAY_NAMES.index(m[1])], words)
    return _MONTH_ID.sub(lambda m: _MONTHS_EN[p.MONTH_NAMES.index(m[1])], words)


def format_clock(at: datetime) -> str:
    """A time of day as Indonesians write it: 08.15 (the server's one way: server/core/dates.py)."""
    return p.format_clock(at)


def format_datetime_id(at: datetime, zone_label: str) -> str:
    """A local date-time as "Senin, 23 November 2026 · 08.15 WIB", as the phone page says it."""
    return p.format_date_time(at, zone_label)


def format_duration(seconds: float | None, lang: Lang = Lang.ID) -> str:
    """An estimated wait, honestly rounded: "± 25 menit", "± 1 jam 10 menit", "< 5 menit".

    Short waits are not promised to the minute (a counter may take one long case), and long
    ones are rounded to 5 minutes: the figure is an estimate, not an appointment. No estimate
    (None: no counter serving the line is open) reads "menunggu loket dibuka".
    """
    if seconds is None:
        return t("wait_for_counter", lang)
    minutes = math.ceil(max(0.0, seconds) / 60)
    if minutes < 5:
        return "< 5 menit" if lang is Lang.ID else "< 5 min"
    if minutes > 15:
        minutes = 5 * round(minutes / 5)
    hours, rest = divmod(minutes, 60)
    if lang is Lang.ID:
        parts = ([f"{hours} jam"] if hours else []) + ([f"{rest} menit"] if rest else [])
    else:
        parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest else [])
    return "± " + " ".join(parts)
