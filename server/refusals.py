"""What the hub says when it refuses: the Indonesian sentences of the protocol's refusals.

The queue core's refusals have their messages in server/core/errors.py; these are the others —
who may send what (`forbidden`), what a request may name (`not_found`), the hello and its
credentials (`auth_failed`, `hello_required`…). Officers read them on the counter console, a
TV or a kiosk shows them when it is refused, so they are written once, here, as a person would
say them: what the device or the person cannot do, in the building's names ("Loket 8",
"nomor A-017"), never a request type, a role's code or a field's name. Codes stay in
server/protocol/codes.py and never change; only these words may. tests/hub/test_messages.py
reads every template with sample values against hand-written rules.

Messages that only a broken client can cause (a frame that is not JSON, a field of the wrong
type: server/protocol/requests.py) name the field, for the developer who reads them; they are
not here.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ACTIONS", "HELLO_FIELDS", "REFUSALS", "ROLE_NAMES", "not_allowed", "say"]

# Who a session is, as the refusal names it (server/roles.py `Role` values).
ROLE_NAMES: Final[dict[str, str]] = {
    "kiosk": "Kios",
    "display": "Layar TV",
    "officer": "Petugas loket",
    "floor": "Pengelola lantai",
    "admin": "Admin",
    "ticket": "Halaman tiket di ponsel",
    "tablet": "Tablet survei",
}

# What each request does, as the end of "… tidak dapat …" (every request type of the protocol:
# a test holds this table to server/protocol/requests.py).
ACTIONS: Final[dict[str, str]] = {
    "hello": "memperkenalkan diri",
    "ping": "memeriksa sambungan",
    "snapshot": "meminta gambaran seluruh antrean",
    "list_lines": "melihat daftar layanan",
    "issue_ticket": "mengambil nomor antrean",
    "confirm_printed": "mengonfirmasi tiket yang tercetak",
    "print_failed": "melaporkan tiket yang gagal dicetak",
    "record_reprint": "mencatat cetak ulang tiket",
    "printer_status": "melaporkan keadaan printer",
    "check_in": "melapor kedatangan pesanan",
    "plan_visit": "menyusun urutan kunjungan beberapa layanan",
    "issue_visit": "mengambil nomor antrean untuk beberapa layanan",
    "login": "masuk di loket",
    "logout": "keluar dari loket",
    "open_counter": "membuka loket",
    "pause_counter": "menjeda loket",
    "resume_counter": "melanjutkan layanan loket",
    "close_counter": "menutup loket",
    "call_next": "memanggil nomor antrean",
    "call_ticket": "memanggil nomor antrean tertentu",
    "recall": "memanggil ulang nomor antrean",
    "request_closure": "mengajukan penutupan loket",
    "withdraw_closure": "membatalkan pengajuan penutupan loket",
    "decide_closure": "memutuskan permintaan tutup loket",
    "start_service": "memulai layanan",
    "finish_service": "menyelesaikan layanan",
    "no_show": "mencatat warga yang tidak hadir",
    "transfer": "mengalihkan nomor antrean ke layanan lain",
    "reactivate": "mengaktifkan kembali nomor antrean",
    "booking_holder": "melihat data pemesan",
    "add_stop": "menambah layanan ke kunjungan",
    "skip_stop": "melewati layanan dalam kunjungan",
    "visit": "melihat rencana kunjungan",
    "cancel_ticket": "membatalkan nomor antrean",
    "unlock_pin": "membuka kunci PIN petugas",
    "answer_survey": "mengirim jawaban survei kepuasan",
    "take_complaint": "memproses pengaduan",
    "answer_complaint": "menjawab pengaduan",
    "close_complaint": "menutup pengaduan",
    "complaint_contact": "melihat kontak pengadu",
    "file_complaint": "mencatat pengaduan",
    # Live administration (issue 23).
    "admin_state": "membuka data gedung",
    "admin_edit": "mengubah data gedung",
    "admin_undo": "membatalkan perubahan data gedung",
    "admin_history": "melihat riwayat perubahan data gedung",
    "admin_reset_pin": "mengatur ulang PIN",
    "admin_new_device": "menambah perangkat",
    "admin_new_token": "membuat token perangkat baru",
}

REFUSALS: Final[dict[str, str]] = {
    # forbidden: the role table (server/roles.py ALLOWED). {who} is a ROLE_NAMES value.
    "not_allowed": "{who} tidak dapat {action}.",
    # forbidden: scope (server/hub/scope.py). {counter} and {other} are counter names.
    "other_counter": "Anda masuk di {counter}; tindakan untuk {other} tidak dapat dilakukan "
    "dari sini.",
    "other_agency_ticket": "Nomor {number} adalah antrean instansi lain.",
    "other_kiosk_ticket": "Nomor {number} tidak dicetak oleh kios ini.",
    # not_found
    "ticket_not_today": "Nomor {number} tidak ada dalam antrean hari ini.",
    "not_booked": "Nomor {number} bukan nomor dari pesanan.",
    # booking_holder: a holder's name only for the citizen at the officer's own desk.
    "not_at_your_counter": "Nomor {number} tidak sedang dilayani di loket Anda.",
    "line_unknown": "Layanan dengan kode {line} tidak terdaftar.",
    # Issue 22: a visit an officer may not see (no stop of their agency), and a floor
    # manager's skip that names no visit.
    "other_agency_visit": "Kunjungan nomor {number} tidak melewati layanan instansi Anda.",
    "visit_required": "Pilih kunjungan yang layanannya akan dilewati.",
    "visit_not_at_your_counter": "Kunjungan {visit} tidak sedang dilayani di loket Anda.",
    # answer_survey: a tablet answers only the ticket it was last offered, while it shows it.
    "survey_not_offered": "Survei untuk nomor {number} tidak sedang ditawarkan di tablet ini.",
    # complaint_contact of an anonymous complaint, or one whose contact was deleted.
    "no_contact": "Pengaduan {complaint} tidak menyertakan kontak, atau kontaknya sudah dihapus.",
    "counter_unknown": "Loket dengan kode {counter} tidak terdaftar.",
    # bad_message a floor manager's console can cause: closing a counter without naming it.
    "counter_required": "Pilih loket yang akan ditutup.",
    # The hello (server/hub/connection.py, server/roles.py).
    "hello_timeout": "Perangkat tidak memperkenalkan diri; sambungan ditutup.",
    "hello_first": "Perangkat harus memperkenalkan diri lebih dulu.",
    "hello_again": "Perangkat ini sudah tersambung; tidak perlu memperkenalkan diri lagi.",
    "hello_missing": "Data masuk belum lengkap: {what} wajib diisi.",
    "version": "Aplikasi ini memakai protokol versi {version}, sedangkan server memakai versi "
    "{server_version}. Perbarui aplikasi.",
    "officer_other_agency": "Petugas ini bukan dari instansi yang melayani {counter}.",
    # Load and failure.
    "internal": "Terjadi kesalahan di server; silakan coba lagi.",
}

# What a hello lacks, in the words of the form that asks for it.
HELLO_FIELDS: Final[dict[str, str]] = {
    "token": "token perangkat",
    "counter": "kode loket",
    "officer": "ID petugas",
    "manager": "ID pengelola",
    "pin": "PIN",
}


def say(key: str, **params: object) -> str:
    """The refusal `key` filled with `params`."""
    return REFUSALS[key].format(**params)


def not_allowed(role: str, request_type: str) -> str:
    """'Layar TV tidak dapat memanggil nomor antrean.': a role refused a request type."""
    who = ROLE_NAMES.get(role, "Perangkat ini")
    action = ACTIONS.get(request_type, "melakukan tindakan ini")
    return say("not_allowed", who=who, action=action)
