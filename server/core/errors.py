"""Every reason the queue core refuses a command: a stable code and its Indonesian message.

The code is the contract: the hub sends it to clients, the kiosk and the counter app branch on it,
tests assert it. The message is what a citizen or an officer reads, in KBBI spelling (antrean,
silakan, nomor), so it is written once, here, and filled with the few facts it names (a line's
name, a time "13.00" with its zone "WITA", a number "A-017"). Codes are never renamed; add new
ones instead. A message is a sentence a person would say: it names things as the building does
("Loket 8", "Perekaman KTP-el"), never a request type, a role or an id's field name, and a time
names its zone ("pukul 13.00 WITA": the building may not be in WIB). tests/hub/test_messages.py
reads every template with sample values against hand-written rules.
"""

from __future__ import annotations

from typing import Any, Final

from server.core.dates import format_clock
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
    # {subject} is "nomor A-017" or a counter's name, {state} one of the labels below.
    "illegal_transition": "Tindakan ini tidak dapat dilakukan karena {subject} {state}",
    # Unknown names: a client bug or a stale configuration, never a citizen's fault. They name
    # the code the request carried, since nothing else is known about it.
    "unknown_line": "Layanan dengan kode {line} tidak terdaftar",
    "unknown_counter": "Loket dengan kode {counter} tidak terdaftar",
    "unknown_ticket": "Nomor antrean tidak ditemukan",
    "unknown_officer": "Petugas dengan ID {officer} tidak terdaftar",
    "duplicate_token": "Kode tiket sudah dipakai, silakan coba lagi",
    # Issue rules (server.core.issuing): the citizen at the kiosk reads these. {time} is
    # "13.00", {zone} the building's WIB/WITA/WIT.
    "holiday": "Hari ini libur: {name}",
    "closed_day": "Hari ini tidak ada layanan",
    "not_open_yet": "Layanan dibuka pukul {time} {zone}",
    "closed_hours": "Layanan hari ini sudah tutup pukul {time} {zone}",
    "on_break": "Layanan dibuka kembali pukul {time} {zone}",
    "no_more_today": "Pengambilan nomor antrean untuk layanan ini sudah ditutup untuk hari ini",
    "after_cutoff": "Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul {time} {zone}",
    "quota_exhausted": "Kuota layanan {line} hari ini sudah habis",
    # Counters and officers: {counter} is the counter's name ("Loket 8").
    "not_logged_in": "Belum ada petugas yang masuk di {counter}",
    "counter_occupied": "{counter} sedang digunakan oleh petugas lain",
    "officer_elsewhere": "Anda masih tercatat masuk di {counter}; keluar dulu dari loket itu",
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
    # Online booking (server.core.booking_rules, booking_decide; issue 19): the citizen reads
    # these on the booking page, the portal passes them on, the kiosk shows the check-in ones.
    # {day} is "Senin, 7 Desember 2026"; {time} "09.00" with its {zone}.
    "booking_unavailable": "Layanan {line} tidak menerima pemesanan",
    "booking_not_open": "Pemesanan untuk {day} belum dibuka; dibuka {opens} pukul {time} {zone}",
    "booking_too_late": "Pemesanan untuk {day} pukul {time} {zone} sudah ditutup",
    "slot_unknown": "Tidak ada jadwal layanan {line} pada {day} pukul {time} {zone}",
    # {next} is "" or "; jadwal berikutnya yang masih kosong pukul 10.00 WIB" (details: next_slot);
    # for a visit's stop "; jam kedatangan berikutnya yang masih bisa dipesan untuk seluruh
    # kunjungan pukul 10.30 WIB" (details: next_arrival) or "; silakan pilih jam kedatangan lain".
    "slot_full": "Jadwal {day} pukul {time} {zone} sudah penuh{next}",
    "booking_nik_taken": "NIK ini sudah dipakai untuk pesanan layanan {line} pada {day}",
    "booking_phone_limit": "Nomor telepon ini sudah dipakai untuk {limit} pesanan yang belum "
    "digunakan",
    "booking_code_taken": "Kode pesanan sudah dipakai, silakan coba lagi",
    "booking_name_required": "Nama wajib diisi",
    "booking_phone_invalid": "Nomor telepon tidak valid; tulis nomor ponsel, misalnya "
    "0812 3456 7890",
    "booking_nik_invalid": "{problem}",  # server/core/nik.py's sentence: what part is wrong
    "reschedule_too_late": "Jadwal pesanan hanya dapat diubah paling lambat sehari sebelum {day}",
    # Check-in at the kiosk ("Sudah pesan online"). {time} here is "08.30 WIB", zone included.
    "booking_not_found": "Kode pesanan tidak ditemukan; periksa kembali kodenya",
    "booking_other_day": "Pesanan ini untuk {day}, bukan untuk hari ini",
    "booking_too_early": "Lapor kedatangan untuk pesanan ini dibuka pukul {time}; silakan "
    "kembali nanti",
    "booking_lapsed": "Pesanan hangus karena batas waktu lapor kedatangan sudah lewat",
    "booking_cancelled": "Pesanan ini sudah dibatalkan",
    "booking_checked_in": "Pesanan ini sudah lapor kedatangan dengan nomor antrean {number}",
    "booking_printing": "Tiket pesanan ini sedang dicetak dengan nomor antrean {number}; "
    "silakan tunggu tiketnya keluar",
    # The SKM survey (server.core.surveys; issue 20): the citizen reads these on the phone page,
    # the counter's tablet and the exit page. {days_open} is the building's `[survey] days_open`.
    "survey_disabled": "Survei kepuasan masyarakat sedang tidak dibuka",
    "survey_not_finished": "Survei dapat diisi setelah layanan untuk nomor {number} selesai",
    "survey_closed": "Survei untuk nomor {number} sudah ditutup; survei dapat diisi paling lama "
    "{days_open} hari setelah layanan selesai",
    "survey_answered": "Survei untuk nomor {number} sudah diisi; satu nomor antrean hanya dapat "
    "mengisi survei satu kali",
    "survey_invalid": "{problem}",  # server/core/skm.py's sentence: what is missing or wrong
    # One visit, several agencies (issue 22): the whole visit is answered about, once.
    "survey_visit_open": "Survei dapat diisi setelah semua layanan dalam kunjungan selesai",
    # Complaints (server.core.complaints): the citizen on the phone page, staff at the help desk
    # and managers on the floor. {complaint} is the tracking id "ADU-261203-007"; {state} how
    # its state reads ("sudah dijawab").
    "complaint_not_found": "Pengaduan {complaint} tidak ditemukan",
    "complaint_step": "Tindakan ini tidak dapat dilakukan karena pengaduan {complaint} {state}",
    "complaint_invalid": "{problem}",  # which text is empty or too long, or the category
    "complaint_closed": "Pengaduan tentang nomor {number} sudah tidak dapat disampaikan; "
    "batasnya {days_open} hari setelah kunjungan",
    "complaint_limit": "Pengaduan tentang nomor {number} sudah {limit} kali; satu nomor antrean "
    "paling banyak {limit} pengaduan",
    # One visit, several agencies (server.core.visits; issue 22): the citizen at the kiosk reads
    # the first four, the officer at the counter and the floor the others. {line} and {needs}
    # are services as the building names them ("BPJS Kesehatan"), {visit} a label "KJ-007".
    "visit_too_short": "Pilih paling sedikit dua layanan untuk satu kunjungan",
    "visit_too_long": "Satu kunjungan paling banyak {limit} layanan",
    "visit_duplicate_line": "Layanan {line} sudah dipilih; setiap layanan cukup satu kali",
    "visit_order": "Layanan {line} memerlukan hasil layanan {needs}; {needs} harus lebih dulu",
    "visit_unknown": "Kunjungan {visit} tidak ditemukan",
    # A visit booked online (server.core.booking_decide): a stop's line has no slot that day.
    "booking_visit_no_slot": "Layanan {line} tidak memiliki jadwal pada {day}",
    "stop_already_planned": "Layanan {line} sudah ada dalam kunjungan ini",
    "stop_not_pending": "Layanan {line} dalam kunjungan ini sudah berjalan dan tidak dapat "
    "dilewati",
    "stop_unknown": "Layanan {line} tidak ada dalam kunjungan ini",
    "complaint_not_finished": "Pengaduan tentang nomor {number} dapat disampaikan setelah "
    "nomor itu selesai dilayani",
    # Counter-closure requests (server.core.closures; issue 23): the officer at the counter
    # and the floor read these. {counter} is the counter's name ("Loket 3"). The keys U and P
    # are the counter console's (counter/).
    "closure_needs_approval": "{counter} masih dalam jam layanan: ajukan penutupan kepada "
    "pengelola lebih dulu (tombol U), atau jeda loket (P)",
    "closure_pending": "Permintaan tutup loket sudah diajukan; tunggu keputusan pengelola",
    "no_closure_request": "Tidak ada permintaan tutup loket untuk {counter}",
    "closure_note_required": "Tuliskan alasan penolakan",
    "closure_approved": "Penutupan {counter} sudah disetujui: selesaikan layanan ini, lalu "
    "loket ditutup",
}

# How a state reads inside an "illegal_transition" message: "… karena nomor A-017 sudah selesai
# dilayani", "… karena Loket 8 sedang tutup".
TICKET_STATE_LABELS: Final[dict[TicketState, str]] = {
    TicketState.PRINTING: "masih dicetak",
    TicketState.WAITING: "masih menunggu",
    TicketState.CALLED: "sedang dipanggil",
    TicketState.SERVING: "sedang dilayani",
    TicketState.DONE: "sudah selesai dilayani",
    TicketState.NO_SHOW: "tercatat tidak hadir",
    TicketState.CANCELLED: "sudah dibatalkan",
    TicketState.EXPIRED: "sudah kedaluwarsa",
}

COUNTER_STATE_LABELS: Final[dict[CounterState, str]] = {
    CounterState.CLOSED: "sedang tutup",
    CounterState.OPEN: "sedang buka",
    CounterState.PAUSED: "sedang jeda",
}


def error(code: str, **params: Any) -> DomainError:
    """The DomainError for `code`, its message filled with `params` (also kept as details)."""
    return DomainError(code, MESSAGES[code].format(**params), **params)
