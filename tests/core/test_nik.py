"""A NIK checked for form, against NIKs written out by hand part by part.

Each NIK below is composed by hand as PP KK CC DDMMYY SSSS (../shared/DOMAIN.md §9: province,
regency, district, date of birth with 40 added to a woman's day, serial), and each expected
sentence is written here, not taken from the code.
"""

from __future__ import annotations

import pytest

from server.core.nik import mask_nik, nik_digits, nik_last4, nik_problem

# (why it is a plausible NIK, the NIK as a person types it)
VALID: list[tuple[str, str]] = [
    ("a man of Kota Bandung born 1 January 1980", "3273010101800002"),
    ("a woman of Kota Surabaya born 1 July 1992: day 01 + 40", "3578084107920003"),
    ("a woman born on the 31st: day 71", "3578087101850001"),
    ("a man born 31 December", "1171023112990001"),
    ("29 February 2000 (a leap year; 1900 was not)", "3171062902000001"),
    ("a woman born 29 February 1996: day 69", "3404016902960012"),
    ("29 February 2024", "6471052902240001"),
    ("Aceh, the first province code", "1101010101700001"),
    ("Kepulauan Riau, 21", "2171010101700001"),
    ("Kalimantan Utara, 65", "6501010101700001"),
    ("Sulawesi Barat, 76", "7601010101700001"),
    ("Maluku Utara, 82", "8271010101700001"),
    ("Papua Barat before the split, 91", "9101010101700001"),
    ("Papua before the split, 94", "9471010101700001"),
    ("one of the new Papua provinces, 95", "9501010101700001"),
    ("the last Papua code accepted, 97", "9701010101700001"),
    ("serial 9999", "3273010101809999"),
    ("typed with spaces, as on a photocopy", "3273 0101 0180 0002"),
    ("typed with dots", "32.73.01.010180.0002"),
    ("typed with dashes", "3273-0101-0180-0002"),
    ("pasted with a trailing newline", "3273010101800002\n"),
]

# (what is wrong, the NIK as typed, the sentence the citizen reads)
INVALID: list[tuple[str, str, str]] = [
    ("nothing typed", "", "NIK belum diisi."),
    ("only spaces", "   ", "NIK belum diisi."),
    ("15 digits", "327301010180000", "NIK harus 16 angka."),
    ("17 digits", "32730101018000021", "NIK harus 16 angka."),
    ("a letter for a digit", "32730101O1800002", "NIK harus 16 angka."),
    ("Arabic-Indic digits", "٣٢٧٣٠١٠١٠١٨٠٠٠٠٢", "NIK harus 16 angka."),
    ("a slash between digits", "3273/0101/0180/0002", "NIK harus 16 angka."),
    ("province 00", "0073010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 10", "1073010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 20", "2073010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 37", "3773010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 54", "5473010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 66", "6673010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 77", "7773010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 83", "8373010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 90", "9073010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("province 98", "9873010101800002", "Kode provinsi pada NIK tidak dikenal."),
    ("regency 00", "3200010101800002", "Kode kabupaten/kota pada NIK tidak valid."),
    ("district 00", "3273000101800002", "Kode kecamatan pada NIK tidak valid."),
    ("day 00", "3273010001800002", "Tanggal lahir pada NIK tidak valid."),
    ("day 32: no month has it", "3273013201800002", "Tanggal lahir pada NIK tidak valid."),
    ("day 40: neither a man's nor a woman's", "3273014001800002",
     "Tanggal lahir pada NIK tidak valid."),
    ("day 72: a woman's 32nd", "3273017201800002", "Tanggal lahir pada NIK tidak valid."),
    ("month 00", "3273010100800002", "Tanggal lahir pada NIK tidak valid."),
    ("month 13", "3273010113800002", "Tanggal lahir pada NIK tidak valid."),
    ("31 April", "3273013104800002", "Tanggal lahir pada NIK tidak valid."),
    ("a woman's 31 June: day 71", "3273017106800002", "Tanggal lahir pada NIK tidak valid."),
    ("30 February", "3273013002800002", "Tanggal lahir pada NIK tidak valid."),
    ("29 February 2001 / 1901: no leap year", "3273012902010002",
     "Tanggal lahir pada NIK tidak valid."),
    ("a woman's 29 February 1997", "3273016902970002", "Tanggal lahir pada NIK tidak valid."),
    ("serial 0000", "3273010101800000", "Nomor urut pada NIK tidak valid."),
    ("province and date both wrong: the first part is named", "9973013202800000",
     "Kode provinsi pada NIK tidak dikenal."),
]  # fmt: skip


@pytest.mark.parametrize(("why", "typed"), VALID, ids=[v[0] for v in VALID])
def test_a_plausible_nik_passes(why: str, typed: str) -> None:
    assert nik_problem(typed) is None, why


@pytest.mark.parametrize(("why", "typed", "sentence"), INVALID, ids=[v[0] for v in INVALID])
def test_a_wrong_part_is_named_in_indonesian(why: str, typed: str, sentence: str) -> None:
    assert nik_problem(typed) == sentence, why


def test_digits_drop_what_a_person_types_between_them() -> None:
    """Spaces, dots and dashes go; anything else stays, for nik_problem to refuse."""
    assert nik_digits("3273 0101.0180-0002") == "3273010101800002"
    assert nik_digits(" 3273010101800002\t") == "3273010101800002"
    assert nik_digits("3273/0101") == "3273/0101"


def test_the_nik_is_shown_only_masked() -> None:
    """The officer sees the last four digits of the KTP's NIK, nothing more."""
    digits = nik_digits("3273 0101 0180 0002")
    assert nik_last4(digits) == "0002"
    assert mask_nik(nik_last4(digits)) == "•••• •••• •••• 0002"
    assert mask_nik("1234") == "•••• •••• •••• 1234"


@pytest.mark.parametrize("bad", ["", "123", "12345", "12a4", "١٢٣٤"])
def test_mask_takes_four_digits_only(bad: str) -> None:
    with pytest.raises(ValueError):
        mask_nik(bad)


@pytest.mark.parametrize("bad", ["3273 0101 0180 0002", "327301010180000", ""])
def test_last4_takes_a_checked_nik_only(bad: str) -> None:
    with pytest.raises(ValueError):
        nik_last4(bad)
