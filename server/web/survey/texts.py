"""Every word of the citizen's voice pages (issue 20), in Bahasa Indonesia and in English.

The survey and complaint forms of a ticket's phone page, the exit kiosk's page, the counter
tablet's page and the public `/ikm` page. Indonesian is the default and the reference (KBBI:
antrean, silakan, nomor); English is reached with `?lang=en`, which every link and form keeps,
as on the booking pages (server/web/booking/texts.py, whose `Lang` and `date_words` these pages
share). Both tables have the same keys and the same {placeholders}: a test holds them together.

The questionnaire itself (the nine elements, their questions and worded answers, the profile's
options) is the regulation's and lives with the figures in server/core/skm.py, in both languages;
the complaint categories in server/core/complaints.py. The core's refusals are Indonesian
(server/core/errors.py); `REFUSALS_EN` words in English the ones a citizen meets here.

Numbers are written the way the reader's language writes them: "86,52" and "1.234" in Indonesian,
"86.52" and "1,234" in English (`decimal_words`, `count_words`).

Pure: no I/O.
"""

from __future__ import annotations

from typing import Any, Final

from server.core import skm
from server.web.booking.texts import Lang, date_words

__all__ = [
    "EN",
    "ID",
    "REFUSALS_EN",
    "TEXTS",
    "Lang",
    "count_words",
    "date_words",
    "decimal_words",
    "refusal_words",
    "t",
]

ID: Final[dict[str, str]] = {
    "switch": "English",
    "switch_lang": "en",
    "back_ticket": "Kembali ke halaman tiket",
    # What a ticket is.
    "number": "Nomor antrean",
    "service": "Layanan",
    "agency": "Instansi",
    "date": "Tanggal",
    # The survey form.
    "survey_title": "Survei Kepuasan Masyarakat",
    "survey_intro": (
        "Bagaimana pelayanan yang baru Anda terima? Pilih satu jawaban untuk setiap pertanyaan. "
        "Petugas yang melayani Anda tidak dapat melihat jawaban Anda."
    ),
    "profile_title": "Data responden (boleh dikosongkan)",
    "profile_intro": "Data ini hanya untuk pengolahan survei; nama Anda tidak ditanyakan.",
    "age": "Usia",
    "sex": "Jenis kelamin",
    "education": "Pendidikan terakhir",
    "occupation": "Pekerjaan utama",
    "not_said": "Tidak diisi",
    "suggestion": "Saran untuk perbaikan pelayanan (boleh dikosongkan)",
    "suggestion_hint": "Paling banyak {max} huruf.",
    "submit_survey": "Kirim jawaban",
    "problems": "Ada isian yang perlu diperiksa kembali (ditandai di bawah).",
    "answer_missing": "Pilih salah satu jawaban.",
    "choice_bad": "Pilihan ini tidak dikenal. Pilih dari daftar.",
    "suggestion_too_long": "Saran terlalu panjang (paling banyak {max} huruf).",
    "thanks_title": "Terima kasih",
    "thanks": "Terima kasih, jawaban Anda sudah tercatat.",
    "survey_answered": "Survei untuk tiket ini sudah diisi. Terima kasih.",
    "survey_not_yet": "Survei dapat diisi setelah layanan Anda selesai.",
    "survey_closed": "Masa pengisian survei untuk kunjungan ini sudah berakhir.",
    "survey_disabled": "Survei kepuasan sedang tidak dibuka.",
    # The phone page's section.
    "section_survey": "Survei kepuasan",
    "survey_invite": "Bagaimana pelayanan kami? Isi survei singkat: sembilan pertanyaan.",
    "survey_link": "Isi survei kepuasan",
    "section_complaints": "Pengaduan",
    "complaint_invite": (
        "Ada yang tidak sesuai? Sampaikan kepada pengelola MPP. Tanggapannya tampil di halaman ini."
    ),
    "complaint_link": "Sampaikan pengaduan",
    "earlier_note": "Tiket ini dari hari lain: halaman ini tidak diperbarui otomatis.",
    # The complaint form.
    "complaint_title": "Sampaikan pengaduan",
    "complaint_intro": (
        "Pengaduan Anda dicatat bersama layanan, loket, dan waktu kunjungan pada tiket ini. "
        "Pengelola MPP menindaklanjutinya paling lambat {take} hari kerja sejak diterima dan "
        "menjawabnya paling lambat {answer} hari kerja setelah itu."
    ),
    "category": "Jenis pengaduan",
    "text": "Isi pengaduan",
    "text_hint": "Ceritakan apa yang terjadi. Paling banyak {max} huruf.",
    "contact_title": "Kontak (boleh dikosongkan)",
    "contact_intro": (
        "Kosongkan bila ingin mengadu tanpa identitas (anonim). Nama dan nomor HP hanya dilihat "
        "pengelola MPP untuk menghubungi Anda."
    ),
    "name": "Nama",
    "phone": "Nomor HP",
    "phone_hint": "Contoh: 0812 3456 7890",
    "submit_complaint": "Kirim pengaduan",
    "category_missing": "Pilih jenis pengaduan.",
    "text_missing": "Isi pengaduan belum ditulis.",
    "text_too_long": "Isi pengaduan terlalu panjang (paling banyak {max} huruf).",
    "name_too_long": "Nama terlalu panjang (paling banyak {max} huruf).",
    "name_bad": "Nama hanya boleh berisi huruf, spasi, dan tanda baca nama.",
    "phone_bad": "Nomor HP tidak valid. Tulis seperti 0812 3456 7890.",
    "complaint_sent": "Pengaduan Anda sudah diterima dengan nomor {id}.",
    "complaint_limit": "Anda sudah menyampaikan {max} pengaduan untuk tiket ini.",
    "complaint_not_yet": "Pengaduan dapat disampaikan setelah nomor Anda dipanggil.",
    "your_complaints": "Pengaduan Anda",
    "complaint_id": "Nomor pengaduan",
    "filed": "Dikirim",
    "state": "Status",
    "deadline": "Batas waktu tanggapan",
    "answer": "Jawaban",
    "state_received": "Diterima",
    "state_in_progress": "Diproses",
    "state_answered": "Dijawab",
    "state_closed": "Selesai",
    # The exit kiosk.
    "exit_title": "Survei kepuasan",
    "exit_intro": (
        "Sudah selesai dilayani? Ketik nomor antrean pada tiket Anda, atau pindai kode QR "
        "tiket Anda."
    ),
    "number_hint": "Contoh: A-017",
    "next": "Lanjut",
    "number_bad": "Nomor antrean tidak dikenali. Tulis seperti pada tiket, misalnya A-017.",
    "number_unknown": "Nomor {number} tidak ditemukan hari ini.",
    "already_answered": "Survei untuk nomor {number} sudah diisi. Terima kasih.",
    "exit_again": "Kembali ke awal",
    "exit_soon": "Halaman ini kembali ke awal dalam {seconds} detik.",
    "device_title": "Perangkat belum terdaftar",
    "device_refused": (
        "Perangkat ini belum terdaftar. Buka halaman ini dengan alamat dan token dari pengelola "
        "MPP."
    ),
    # The counter tablet.
    "tablet_title": "Survei kepuasan",
    "tablet_idle": "Selamat datang di {counter}",
    "tablet_idle_text": (
        "Setelah Anda selesai dilayani, survei kepuasan singkat muncul di layar ini."
    ),
    "tablet_for": "Survei untuk nomor {number}",
    "tablet_sending": "Mengirim jawaban…",
    "tablet_failed": "Jawaban belum terkirim: {message}",
    "tablet_offline": "Menyambung ulang ke server…",
    # The public page.
    "ikm_title": "Indeks Kepuasan Masyarakat",
    "ikm_intro": (
        "Hasil Survei Kepuasan Masyarakat (PermenPANRB 14/2017) di {building}, dari jawaban "
        "warga setelah dilayani. Hanya nilai yang ditampilkan."
    ),
    "period_now": "{label} (sampai {day})",
    "unit": "Unit layanan",
    "ikm": "IKM",
    "grade": "Mutu pelayanan",
    "respondents": "Responden",
    "no_answers": "Belum ada jawaban",
    "whole_building": "Seluruh gedung",
    "ikm_note": (
        "IKM = rata-rata nilai sembilan unsur pelayanan × 25. Mutu pelayanan: A Sangat Baik "
        "(88,31–100), B Baik (76,61–88,30), C Kurang Baik (65,00–76,60), D Tidak Baik "
        "(25,00–64,99)."
    ),
    "running_text": "IKM {building}: {ikm} ({letter} — {words}), {count} responden, {period}",
    # Errors and refusals.
    "not_found_title": "Nomor antrean tidak ditemukan",
    "not_found": ("Periksa kembali tautan atau kode QR pada tiket Anda."),
    "expired_title": "Halaman kedaluwarsa",
    "expired": (
        "Formulir ini sudah tidak berlaku atau tidak dikirim dari halaman ini. Tidak ada yang "
        "diubah. Silakan buka kembali formulirnya."
    ),
    "too_many_title": "Terlalu banyak permintaan",
    "too_many": (
        "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam {seconds} detik."
    ),
    "too_large": "Isian terlalu panjang.",
    "error_title": "Tidak dapat diproses",
    "not_allowed": "Permintaan ini tidak dapat dilayani.",
}

EN: Final[dict[str, str]] = {
    "switch": "Bahasa Indonesia",
    "switch_lang": "id",
    "back_ticket": "Back to the ticket's page",
    "number": "Queue number",
    "service": "Service",
    "agency": "Agency",
    "date": "Date",
    "survey_title": "Public Satisfaction Survey",
    "survey_intro": (
        "How was the service you just received? Choose one answer for each question. The "
        "officer who served you cannot see your answers."
    ),
    "profile_title": "About you (optional)",
    "profile_intro": "Only for processing the survey; your name is not asked.",
    "age": "Age",
    "sex": "Sex",
    "education": "Highest education",
    "occupation": "Main occupation",
    "not_said": "Not given",
    "suggestion": "Your suggestion to improve the service (optional)",
    "suggestion_hint": "At most {max} letters.",
    "submit_survey": "Send my answers",
    "problems": "Some answers need another look (marked below).",
    "answer_missing": "Please choose one answer.",
    "choice_bad": "This choice is unknown. Please choose from the list.",
    "suggestion_too_long": "The suggestion is too long (at most {max} letters).",
    "thanks_title": "Thank you",
    "thanks": "Thank you, your answers have been recorded.",
    "survey_answered": "The survey for this ticket has already been filled in. Thank you.",
    "survey_not_yet": "The survey can be filled in once your service is finished.",
    "survey_closed": "The survey for this visit is closed.",
    "survey_disabled": "The satisfaction survey is not open at the moment.",
    "section_survey": "Satisfaction survey",
    "survey_invite": "How did we do? Fill in a short survey: nine questions.",
    "survey_link": "Fill in the satisfaction survey",
    "section_complaints": "Complaints",
    "complaint_invite": (
        "Something not right? Tell the MPP's management. Their response is shown on this page."
    ),
    "complaint_link": "Make a complaint",
    "earlier_note": "This ticket is from another day: this page does not update by itself.",
    "complaint_title": "Make a complaint",
    "complaint_intro": (
        "Your complaint is recorded with the service, counter and time of this ticket's visit. "
        "The MPP's management takes it up within {take} working days of receiving it and "
        "answers within {answer} working days after that."
    ),
    "category": "Kind of complaint",
    "text": "Your complaint",
    "text_hint": "Tell us what happened. At most {max} letters.",
    "contact_title": "Contact (optional)",
    "contact_intro": (
        "Leave empty to complain anonymously. Your name and mobile number are seen only by the "
        "MPP's management, to contact you."
    ),
    "name": "Name",
    "phone": "Mobile number",
    "phone_hint": "For example: 0812 3456 7890",
    "submit_complaint": "Send the complaint",
    "category_missing": "Please choose the kind of complaint.",
    "text_missing": "Please write your complaint.",
    "text_too_long": "The complaint is too long (at most {max} letters).",
    "name_too_long": "The name is too long (at most {max} letters).",
    "name_bad": "A name may contain only letters, spaces and the punctuation of names.",
    "phone_bad": "This mobile number is not valid. Write it like 0812 3456 7890.",
    "complaint_sent": "Your complaint has been received with number {id}.",
    "complaint_limit": "You have already made {max} complaints about this ticket.",
    "complaint_not_yet": "A complaint can be made once your number has been called.",
    "your_complaints": "Your complaints",
    "complaint_id": "Complaint number",
    "filed": "Sent",
    "state": "Status",
    "deadline": "Response due by",
    "answer": "Answer",
    "state_received": "Received",
    "state_in_progress": "In progress",
    "state_answered": "Answered",
    "state_closed": "Closed",
    "exit_title": "Satisfaction survey",
    "exit_intro": (
        "Finished at the counter? Type the queue number on your ticket, or scan your ticket's QR "
        "code."
    ),
    "number_hint": "For example: A-017",
    "next": "Next",
    "number_bad": "This queue number is not recognised. Write it as on the ticket, e.g. A-017.",
    "number_unknown": "Number {number} was not found today.",
    "already_answered": "The survey for number {number} has already been filled in. Thank you.",
    "exit_again": "Back to the start",
    "exit_soon": "This page returns to the start in {seconds} seconds.",
    "device_title": "Device not registered",
    "device_refused": (
        "This device is not registered. Open this page with the address and token from the "
        "MPP's management."
    ),
    "tablet_title": "Satisfaction survey",
    "tablet_idle": "Welcome to {counter}",
    "tablet_idle_text": "Once you have been served, a short satisfaction survey appears here.",
    "tablet_for": "Survey for number {number}",
    "tablet_sending": "Sending your answers…",
    "tablet_failed": "Your answers were not sent: {message}",
    "tablet_offline": "Reconnecting to the server…",
    "ikm_title": "Public Satisfaction Index",
    "ikm_intro": (
        "Results of the Public Satisfaction Survey (PermenPANRB 14/2017) at {building}, from "
        "citizens' answers after their service. Only the scores are shown."
    ),
    "period_now": "{label} (up to {day})",
    "unit": "Service unit",
    "ikm": "IKM",
    "grade": "Service quality",
    "respondents": "Respondents",
    "no_answers": "No answers yet",
    "whole_building": "Whole building",
    "ikm_note": (
        "IKM = the mean score of the nine service elements × 25. Quality: A Very good "
        "(88.31–100), B Good (76.61–88.30), C Poor (65.00–76.60), D Bad (25.00–64.99)."
    ),
    "running_text": "IKM {building}: {ikm} ({letter} — {words}), {count} respondents, {period}",
    "not_found_title": "Queue number not found",
    "not_found": "Please check the link or the QR code on your ticket.",
    "expired_title": "Page expired",
    "expired": (
        "This form is no longer valid or was not sent from this page. Nothing was changed. "
        "Please open the form again."
    ),
    "too_many_title": "Too many requests",
    "too_many": "Too many requests from your address. Please try again in {seconds} seconds.",
    "too_large": "The form is too long.",
    "error_title": "Cannot be done",
    "not_allowed": "This request cannot be served.",
}

TEXTS: Final[dict[Lang, dict[str, str]]] = {Lang.ID: ID, Lang.EN: EN}

# English of the core's refusals a citizen can meet on these pages, by code (the Indonesian is
# the core's own message, server/core/errors.py). A code not here is shown in the core's words.
REFUSALS_EN: Final[dict[str, str]] = {
    "survey_disabled": "The satisfaction survey is not open at the moment.",
    "survey_not_finished": "The survey can be filled in once your service is finished.",
    "survey_closed": "The survey for this visit is closed.",
    "survey_answered": "The survey for this ticket has already been filled in.",
    "survey_invalid": "The answers could not be read. Please fill in the form again.",
    "complaint_invalid": "The complaint could not be read. Please check it and send it again.",
    "complaint_closed": "Complaints about this visit can no longer be made here.",
    "complaint_limit": "No more complaints can be made about this ticket.",
    "complaint_not_finished": "A complaint can be made once your number has been called.",
    "not_found": "Not found.",
}


def t(lang: Lang, key: str, **values: Any) -> str:
    """The text `key` in `lang`, its {placeholders} filled."""
    text = TEXTS[lang][key]
    return text.format(**values) if values else text


def refusal_words(code: str, message: str, lang: Lang) -> str:
    """What a citizen reads for a core refusal: the core's Indonesian, or its English here."""
    if lang is Lang.ID or code not in REFUSALS_EN:
        return message
    return REFUSALS_EN[code]


def decimal_words(value: float, lang: Lang) -> str:
    """An IKM with two decimals, rounded half up as it is graded: "86,52" in Indonesian,
    "86.52" in English (server/core/skm.py's `format_ikm`)."""
    return skm.format_ikm(value, lang.value)


def count_words(count: int, lang: Lang) -> str:
    """A count with its thousands marked: "1.234" in Indonesian, "1,234" in English."""
    text = f"{count:,}"
    return text.replace(",", ".") if lang is Lang.ID else text
