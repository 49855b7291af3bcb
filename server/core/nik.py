"""A NIK (Nomor Induk Kependudukan) checked for form, and the only ways it is ever shown.

Theory of operation: a booking asks for the citizen's NIK so that one NIK holds at most one
booking a service a day (the broker's trick is to book under invented numbers). Antre cannot ask
Dukcapil whether a NIK exists, but it can refuse what is not a NIK at all, with a sentence that
says which part is wrong. A NIK is 16 digits (../shared/DOMAIN.md §9):

    PP KK CC DDMMYY SSSS
    PP     province code (kode provinsi)
    KK     regency or city within it (kabupaten/kota), never 00
    CC     district within that (kecamatan), never 00
    DDMMYY date of birth; a woman's day has 40 added (a woman born on the 7th writes 47)
    SSSS   serial among those born that day in that district, from 0001

The full NIK never leaves the edge that received it: the edge keeps a keyed hash of
`nik_digits` (HMAC with the store's key: not computed here, this module is pure) and the last
four digits, and a person only ever sees `mask_nik` of those four.

Pure: standard library only, no I/O.
"""

from __future__ import annotations

import calendar
import re

__all__ = ["PROVINCE_CODES", "mask_nik", "nik_digits", "nik_last4", "nik_problem"]

# Province codes of Kemendagri's area codes (kode wilayah, Permendagri 72/2019 and Kepmendagri
# 100.1.1-6117/2022), which a NIK begins with. DOMAIN.md §9 gives the NIK's layout but no list;
# the list is Kemendagri's: 11–19 Sumatra (Aceh … Kepulauan Bangka Belitung), 21 Kepulauan Riau,
# 31–36 Java (DKI Jakarta … Banten), 51–53 Bali and Nusa Tenggara, 61–65 Kalimantan, 71–76
# Sulawesi, 81–82 Maluku. Papua: a NIK keeps the code of the province that issued it, so NIKs
# of Papua Barat (91) and Papua (94) from before the 2022 split stand beside those of the new
# provinces, numbered 91–96 by Kemendagri (92–97 by BPS for the same provinces); every code from
# 91 to 97 is accepted. A plausibility check only: a real but unknown NIK is worse to refuse than
# an invented one with a real province code is to accept.
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 98),
    )
)

# What a person may type between the digits: spaces, dots and dashes, as a NIK is often written
# "3273.0101.1980.0002" or copied with spaces from a photocopy of the KTP.
_SEPARATORS = re.compile(r"[\s.\-‐–—]+")
_DIGITS = re.compile(r"[0-9]{16}")  # ASCII digits only: "١" is a digit to str.isdigit
_WOMAN = 40  # added to a woman's day of birth


def nik_digits(text: str) -> str:
    """The NIK as typed, without the spaces, dots and dashes a person puts between digits.

    Not checked: call `nik_problem` first; what it accepts comes back as 16 ASCII digits.
    """
    return _SEPARATORS.sub("", text)


def nik_problem(text: str) -> str | None:
    """None when `text` is a plausible NIK, else one Indonesian sentence saying what is wrong.

    The parts are checked in the order they are written, so the sentence names the first part
    that is wrong.
    """
    digits = nik_digits(text)
    if not digits:
        return "NIK belum diisi."
    if not _DIGITS.fullmatch(digits):
        return "NIK harus 16 angka."
    if digits[:2] not in PROVINCE_CODES:
        return "Kode provinsi pada NIK tidak dikenal."
    if digits[2:4] == "00":
        return "Kode kabupaten/kota pada NIK tidak valid."
    if digits[4:6] == "00":
        return "Kode kecamatan pada NIK tidak valid."
    if not _is_birth_date(digits[6:12]):
        return "Tanggal lahir pada NIK tidak valid."
    if digits[12:] == "0000":
        return "Nomor urut pada NIK tidak valid."
    return None


def _is_birth_date(ddmmyy: str) -> bool:
    """DDMMYY a real date, a woman's day less 40; the century is not written, so 29 February
    is a real date when the year is a leap year in either century (00: 2000 was, 1900 not)."""
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    if day > _WOMAN:
        day -= _WOMAN
    if not 1 <= month <= 12 or day < 1:
        return False
    if month == 2 and day == 29:
        return calendar.isleap(1900 + yy) or calendar.isleap(2000 + yy)
    return day <= calendar.monthrange(2001, month)[1]  # 2001: a year without 29 February


def nik_last4(digits: str) -> str:
    """The last four digits of a checked NIK (`nik_digits` of one `nik_problem` accepted)."""
    if not _DIGITS.fullmatch(digits):
        raise ValueError("nik_last4 takes the 16 digits of a checked NIK")
    return digits[-4:]


def mask_nik(last4: str) -> str:
    """The NIK as an officer sees it to compare with the KTP: "•••• •••• •••• 1234"."""
    if not re.fullmatch(r"[0-9]{4}", last4):
        raise ValueError("mask_nik takes the last four digits of a NIK")
    return f"•••• •••• •••• {last4}"
