"""Every word of the public booking pages: one table in Bahasa Indonesia, one in English.

Indonesian is the default and the reference (KBBI spelling: antrean, silakan, nomor, Jumat);
English is reached with `?lang=en`, which every link and form of the pages keeps. Both tables
have the same keys and the same {placeholders} (a test holds them together). Dates are written
"Senin, 23 November 2026" / "Monday, 23 November 2026", times "09.00 WIB" in both.

The core's refusals (server/core/errors.py) are Indonesian; `REFUSALS_EN` words the ones a
citizen can meet on these pages in English, filled from the same details the core sends; any
other code is shown in the core's own Indonesian words.

Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, Final

from server.core.dates import MONTH_NAMES, format_date

__all__ = [
    "EN",
    "ID",
    "NIK_EN",
    "REFUSALS_EN",
    "TEXTS",
    "Lang",
    "date_words",
    "problem_words",
    "refusal_words",
    "t",
]


class Lang(StrEnum):
    ID = "id"
    EN = "en"

    @classmethod
    def of(cls, value: str | None) -> Lang:
        """The language a request asked for: English for "en", Indonesian for anything else."""
        return cls.EN if value == "en" else cls.ID


ID: Final[dict[str, str]] = {
    "site": "Pesan antrean online",
    "switch": "English",
    "switch_lang": "en",
    "home": "Kembali ke awal",
    "back": "Kembali",
    # Step 1: the services.
    "services_title": "Pilih layanan",
    "services_intro": (
        "Pesan tempat antrean dari rumah, tanpa datang subuh. Datang pada jam yang Anda pilih, "
        "lalu lapor kedatangan di kios antrean."
    ),
    "no_services": "Belum ada layanan yang dapat dipesan online.",
    "choose": "Pilih",
    # Step 2: the day.
    "days_title": "Pilih tanggal",
    "day_places": "{count} tempat tersisa",
    "day_full": "Penuh",
    "day_closed": "Tutup",
    "day_holiday": "Libur: {name}",
    "day_not_open": "Dibuka pukul {time}",
    "no_days": "Tidak ada tanggal yang dapat dipesan saat ini.",
    # Step 3: the slot.
    "slots_title": "Pilih jam",
    "slot_places": "{count} tempat tersisa",
    "slot_priority": "{count} tempat untuk kelompok prioritas",
    "slot_full": "Penuh",
    "slot_priority_only": "Tersisa {count} tempat, khusus kelompok prioritas",
    "no_slots": "Tidak ada jam yang masih dapat dipesan pada tanggal ini.",
    # Step 4: the form.
    "form_title": "Data pemesan",
    "form_intro": "Isi sesuai KTP-el. Petugas mencocokkan nama dan NIK dengan KTP-el Anda.",
    "service": "Layanan",
    "agency": "Instansi",
    "date": "Tanggal",
    "time": "Jam",
    "name": "Nama lengkap",
    "name_hint": "Sesuai KTP-el",
    "nik": "NIK",
    "nik_hint": "16 angka, tertera di KTP-el",
    "phone": "Nomor HP",
    "phone_hint": "Contoh: 0812 3456 7890",
    "priority": "Kelompok prioritas",
    "priority_none": "Bukan kelompok prioritas",
    "prio_lansia": "Lansia (60 tahun ke atas)",
    "prio_disabilitas": "Penyandang disabilitas",
    "prio_ibu_hamil": "Ibu hamil atau menyusui",
    "prio_balita": "Membawa anak balita",
    "privacy": (
        "NIK tidak disimpan utuh dan tidak pernah ditampilkan; data pribadi dihapus {days} hari "
        "setelah tanggal pesanan."
    ),
    "submit_book": "Pesan sekarang",
    "problems": "Periksa kembali isian berikut:",
    "name_missing": "Nama belum diisi.",
    "name_too_long": "Nama terlalu panjang (paling banyak {max} huruf).",
    "name_bad": "Nama hanya boleh berisi huruf, spasi, dan tanda baca nama.",
    "phone_missing": "Nomor HP belum diisi.",
    "phone_bad": "Nomor HP tidak valid. Tulis seperti 0812 3456 7890.",
    "priority_bad": "Pilih kelompok prioritas dari daftar.",
    # The citizen's own page.
    "booking_title": "Pesanan Anda",
    "booking_made": "Pesanan berhasil dibuat.",
    "booking_moved": "Jadwal pesanan sudah diubah.",
    "booking_cancelled_now": "Pesanan sudah dibatalkan.",
    "code": "Kode pesanan",
    "qr_label": "Kode QR pesanan {code}",
    "state": "Status",
    "state_booked": "Aktif — silakan datang sesuai jadwal",
    "state_checked_in": "Sudah lapor kedatangan — nomor antrean {number}",
    "state_cancelled": "Dibatalkan",
    "state_lapsed": "Pesanan hangus (tidak lapor kedatangan tepat waktu)",
    "state_not_reached": "Tidak dilayani — kunjungan berakhir sebelum layanan ini",
    "holder": "Nama",
    "nik_masked": "NIK",
    "check_in": "Lapor kedatangan",
    "check_in_text": (
        "Datang ke {building} dan lapor kedatangan di kios antrean antara pukul {start} dan "
        "{end} pada tanggal di atas: sentuh \u201cSudah pesan online\u201d, lalu pindai kode QR "
        "ini atau ketik kode pesanan. Anda akan mendapat nomor antrean."
    ),
    "documents": "Dokumen yang perlu dibawa",
    "keep_link": (
        "Simpan tautan halaman ini untuk melihat, mengubah jadwal, atau membatalkan pesanan:"
    ),
    "change": "Ubah jadwal",
    "change_until": "Jadwal dapat diubah paling lambat sehari sebelum tanggal pesanan.",
    "cancel": "Batalkan pesanan",
    "cancel_title": "Batalkan pesanan?",
    "cancel_text": (
        "Tempat Anda akan diberikan kepada warga lain. Pembatalan tidak dapat diurungkan."
    ),
    "cancel_yes": "Ya, batalkan pesanan",
    "cancel_no": "Tidak, kembali",
    "change_title": "Ubah jadwal",
    "change_to": "Pindah ke jam ini",
    "visit_change_refused": "Jadwal kunjungan ini tidak dapat diubah; silakan batalkan lalu pesan "
    "ulang.",
    # A visit of several services (issue 22).
    "visit_entry": "Beberapa layanan dalam satu kunjungan",
    "visit_entry_hint": "Pesan sekaligus, lapor kedatangan sekali",
    "visit_title": "Pilih layanan kunjungan Anda",
    "visit_intro": (
        "Centang {min} sampai {max} layanan yang ingin Anda urus dalam satu kunjungan. Anda "
        "cukup lapor kedatangan sekali; setelah satu layanan selesai, nomor antrean layanan "
        "berikutnya langsung diberikan."
    ),
    "visit_next": "Lanjut",
    "visit_order": "Urutan kunjungan",
    "visit_reason": "{after} setelah {before}: memerlukan hasilnya lebih dulu",
    "visit_move_up": "Dahulukan layanan ini",
    "visit_day_open": "Dapat dipesan",
    "visit_slots_intro": (
        "Jam yang Anda pilih adalah jam layanan pertama. Di bawahnya tertera jam pesanan tiap "
        "layanan berikutnya."
    ),
    "visit_slot_closed": "Tidak dapat dipesan",
    "visit_slot_priority_only": "Khusus kelompok prioritas",
    "visit_priority_only": (
        "Pada jam ini hanya tersisa tempat untuk kelompok prioritas (lansia, penyandang "
        "disabilitas, ibu hamil atau menyusui, membawa anak balita): pilih kelompok Anda di bawah."
    ),
    "visit": "Kunjungan",
    "visit_one_code": (
        "Satu kode untuk seluruh kunjungan: lapor kedatangan sekali di kios antrean, lalu "
        "ikuti urutan di atas."
    ),
    "visit_whole": "Perubahan jadwal dan pembatalan berlaku untuk seluruh kunjungan.",
    # Errors and refusals.
    "not_found_title": "Pesanan tidak ditemukan",
    "not_found": "Periksa kembali tautan halaman pesanan Anda.",
    "page_not_found": "Halaman tidak ditemukan",
    "unknown_service": "Layanan ini tidak dapat dipesan online.",
    "bad_day": "Tanggal ini tidak dapat dipesan. Silakan pilih tanggal lain.",
    "bad_slot": "Jam ini tidak dapat dipesan. Silakan pilih jam lain.",
    "expired_title": "Halaman kedaluwarsa",
    "expired": (
        "Formulir ini sudah tidak berlaku atau tidak dikirim dari halaman ini. Tidak ada yang "
        "diubah. Silakan ulangi dari halaman sebelumnya."
    ),
    "too_many_title": "Terlalu banyak permintaan",
    "too_many": (
        "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam {seconds} detik."
    ),
    "too_large": "Isian terlalu panjang.",
    "error_title": "Terjadi kesalahan",
    "server_error": "Terjadi kesalahan di server. Silakan coba lagi sebentar lagi.",
    "not_allowed": "Permintaan ini tidak dapat dilayani.",
}

EN: Final[dict[str, str]] = {
    "site": "Book a queue place online",
    "switch": "Bahasa Indonesia",
    "switch_lang": "id",
    "home": "Back to the start",
    "back": "Back",
    "services_title": "Choose a service",
    "services_intro": (
        "Book your place in the queue from home, no need to come at dawn. Come at the time you "
        "choose and check in at the queue kiosk."
    ),
    "no_services": "No service can be booked online yet.",
    "choose": "Choose",
    "days_title": "Choose a date",
    "day_places": "{count} places left",
    "day_full": "Full",
    "day_closed": "Closed",
    "day_holiday": "Holiday: {name}",
    "day_not_open": "Opens at {time}",
    "no_days": "No date can be booked at the moment.",
    "slots_title": "Choose a time",
    "slot_places": "{count} places left",
    "slot_priority": "{count} places for priority groups",
    "slot_full": "Full",
    "slot_priority_only": "{count} places left, for priority groups only",
    "no_slots": "No time can still be booked on this date.",
    "form_title": "Your details",
    "form_intro": "As on your KTP-el. The officer checks your name and NIK against your KTP-el.",
    "service": "Service",
    "agency": "Agency",
    "date": "Date",
    "time": "Time",
    "name": "Full name",
    "name_hint": "As on your KTP-el",
    "nik": "NIK",
    "nik_hint": "16 digits, printed on your KTP-el",
    "phone": "Mobile number",
    "phone_hint": "For example: 0812 3456 7890",
    "priority": "Priority group",
    "priority_none": "Not in a priority group",
    "prio_lansia": "Senior (60 or older)",
    "prio_disabilitas": "Person with a disability",
    "prio_ibu_hamil": "Pregnant or nursing",
    "prio_balita": "With a child under five",
    "privacy": (
        "Your NIK is not stored whole and never shown; personal data is deleted {days} days "
        "after the booked date."
    ),
    "submit_book": "Book now",
    "problems": "Please check the following:",
    "name_missing": "Please fill in your name.",
    "name_too_long": "The name is too long (at most {max} letters).",
    "name_bad": "A name may contain only letters, spaces and the punctuation of names.",
    "phone_missing": "Please fill in your mobile number.",
    "phone_bad": "This mobile number is not valid. Write it like 0812 3456 7890.",
    "priority_bad": "Choose a priority group from the list.",
    "booking_title": "Your booking",
    "booking_made": "Your booking is made.",
    "booking_moved": "Your booking has been moved.",
    "booking_cancelled_now": "Your booking has been cancelled.",
    "code": "Booking code",
    "qr_label": "QR code of booking {code}",
    "state": "Status",
    "state_booked": "Active — please come at the booked time",
    "state_checked_in": "Checked in — queue number {number}",
    "state_cancelled": "Cancelled",
    "state_lapsed": "Lapsed (not checked in on time)",
    "state_not_reached": "Not reached — the visit ended before this service",
    "holder": "Name",
    "nik_masked": "NIK",
    "check_in": "Checking in",
    "check_in_text": (
        "Come to {building} and check in at a queue kiosk between {start} and {end} on the date "
        "above: touch \u201cSudah pesan online\u201d (booked online), then scan this QR code or "
        "type the booking code. You will get a queue number."
    ),
    "documents": "Documents to bring",
    "keep_link": "Keep the link of this page to see, move or cancel your booking:",
    "change": "Change the time",
    "change_until": "A booking can be moved until the day before its date.",
    "cancel": "Cancel the booking",
    "cancel_title": "Cancel the booking?",
    "cancel_text": "Your place will go to another citizen. A cancellation cannot be undone.",
    "cancel_yes": "Yes, cancel the booking",
    "cancel_no": "No, go back",
    "change_title": "Change the time",
    "change_to": "Move to this time",
    "visit_change_refused": "This visit's time cannot be changed; please cancel it and book again.",
    "visit_entry": "Several services in one visit",
    "visit_entry_hint": "Book them together, check in once",
    "visit_title": "Choose the services of your visit",
    "visit_intro": (
        "Tick {min} to {max} services you want in one visit. You check in once; when one "
        "service is done, you get the next service's queue number at once."
    ),
    "visit_next": "Continue",
    "visit_order": "Order of the visit",
    "visit_reason": "{after} after {before}: it needs its result first",
    "visit_move_up": "Do this service first",
    "visit_day_open": "Can be booked",
    "visit_slots_intro": (
        "The time you choose is the first service's. Below it, the time booked at each later "
        "service."
    ),
    "visit_slot_closed": "Cannot be booked",
    "visit_slot_priority_only": "For priority groups only",
    "visit_priority_only": (
        "At this time only places for priority groups are left (seniors, persons with a "
        "disability, pregnant or nursing mothers, those with a child under five): choose your "
        "group below."
    ),
    "visit": "Visit",
    "visit_one_code": (
        "One code for the whole visit: check in once at a queue kiosk, then follow the order above."
    ),
    "visit_whole": "A change of time or a cancellation applies to the whole visit.",
    "not_found_title": "Booking not found",
    "not_found": "Please check the link of your booking's page.",
    "page_not_found": "Page not found",
    "unknown_service": "This service cannot be booked online.",
    "bad_day": "This date cannot be booked. Please choose another date.",
    "bad_slot": "This time cannot be booked. Please choose another time.",
    "expired_title": "Page expired",
    "expired": (
        "This form is no longer valid or was not sent from this page. Nothing was changed. "
        "Please try again from the previous page."
    ),
    "too_many_title": "Too many requests",
    "too_many": "Too many requests from your address. Please try again in {seconds} seconds.",
    "too_large": "The form is too long.",
    "error_title": "Something went wrong",
    "server_error": "Something went wrong on the server. Please try again shortly.",
    "not_allowed": "This request cannot be served.",
}

TEXTS: Final[dict[Lang, dict[str, str]]] = {Lang.ID: ID, Lang.EN: EN}

# English words of the core's refusals a citizen can meet here, by code, with the same
# placeholders as the details the core sends (server/core/errors.py has the Indonesian).
REFUSALS_EN: Final[dict[str, str]] = {
    "slot_full": "This time is full.",
    "booking_nik_taken": "This NIK already has a booking for this service on that date.",
    "booking_phone_limit": "This mobile number already has as many bookings as allowed.",
    "booking_not_open": "Booking for this date is not open yet.",
    "booking_too_late": "This time can no longer be booked.",
    "slot_unknown": "The service has no such time on that date.",
    "reschedule_too_late": "A booking can only be moved until the day before its date.",
    "booking_unavailable": "This service cannot be booked online.",
    "booking_not_found": "Booking not found.",
    "booking_cancelled": "This booking was cancelled.",
    "booking_lapsed": "This booking has lapsed.",
    "booking_checked_in": "This booking has already been checked in.",
    "visit_too_short": "Choose at least two services for one visit.",
    "visit_too_long": "One visit cannot hold that many services.",
    "visit_duplicate_line": "A service was chosen twice; each service once is enough.",
    "visit_order": "This order is not possible: a service needs another one's result first.",
}

# English of the NIK check's sentences (server/core/nik.py), by the Indonesian sentence.
NIK_EN: Final[dict[str, str]] = {
    "NIK belum diisi.": "Please fill in your NIK.",
    "NIK harus 16 angka.": "A NIK has 16 digits.",
    "Kode provinsi pada NIK tidak dikenal.": "The NIK's province code is unknown.",
    "Kode kabupaten/kota pada NIK tidak valid.": "The NIK's regency or city code is not valid.",
    "Kode kecamatan pada NIK tidak valid.": "The NIK's district code is not valid.",
    "Tanggal lahir pada NIK tidak valid.": "The NIK's date of birth is not valid.",
    "Nomor urut pada NIK tidak valid.": "The NIK's serial number is not valid.",
}

_DAYS_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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
assert len(_MONTHS_EN) == len(MONTH_NAMES)


def t(lang: Lang, key: str, **values: Any) -> str:
    """The text `key` in `lang`, its {placeholders} filled."""
    text = TEXTS[lang][key]
    return text.format(**values) if values else text


def date_words(day: date, lang: Lang) -> str:
    """ "Senin, 23 November 2026" or "Monday, 23 November 2026"."""
    if lang is Lang.ID:
        return format_date(day)
    return f"{_DAYS_EN[day.weekday()]}, {day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def refusal_words(
    code: str, message: str, lang: Lang, details: dict[str, Any] | None = None
) -> str:
    """What a citizen reads for a core refusal: the core's Indonesian, or its English here
    (a full slot names the next one with a place, as the Indonesian does)."""
    if lang is Lang.ID or code not in REFUSALS_EN:
        return message
    text = REFUSALS_EN[code]
    service = (details or {}).get("service")
    if isinstance(service, str):
        text = f"{service}: {text}"  # a visit's stop refused: which one (issue 22)
    following = (details or {}).get("next_slot")
    arrival = (details or {}).get("next_arrival")
    zone = (details or {}).get("zone", "")
    if code == "slot_full" and isinstance(following, str):
        text += f" The next time with a place left is {following.replace(':', '.')} {zone}."
    elif code == "slot_full" and isinstance(arrival, str):
        # A visit's stop: the next arrival time the whole visit may be booked at.
        clock = arrival.replace(":", ".")
        text += f" The next arrival time open for the whole visit is {clock} {zone}."
    elif code == "slot_full" and isinstance(service, str):
        text += " Please choose another arrival time."
    return text.strip()


def problem_words(problem: str, lang: Lang, **values: Any) -> str:
    """A form field's problem in the page's language: a key of these tables (its blanks filled
    from `values`), or the NIK check's own Indonesian sentence (English if NIK_EN has it)."""
    if problem in ID:
        return TEXTS[lang][problem].format(**values)
    return NIK_EN.get(problem, problem) if lang is Lang.EN else problem
