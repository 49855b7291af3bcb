"""The survey, complaint and IKM pages' HTML (server/web/survey/pages.py, public.py): pure, no
server. The questionnaire's words are checked against the regulation's model form as written
in the issue's shared design (a table by hand), and every typed value must come out escaped."""

from __future__ import annotations

import re
from datetime import date, datetime

from server.web.survey import pages
from server.web.survey.public import ikm_page, running_text
from server.web.survey.texts import Lang
from server.web.survey.views import ComplaintView, IkmBoard, IkmFigure, IkmRow

# PermenPANRB 14/2017's model questionnaire, in the annex's order (survey-spec.md): the four
# worded answers of each element, scoring 1 to 4.
MODEL_FORM = {
    "U1": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "U2": ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    "U3": ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    "U4": ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    "U5": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "U6": ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    "U7": (
        "Tidak sopan dan ramah",
        "Kurang sopan dan ramah",
        "Sopan dan ramah",
        "Sangat sopan dan ramah",
    ),
    "U8": (
        "Tidak ada",
        "Ada tetapi tidak berfungsi",
        "Berfungsi kurang maksimal",
        "Dikelola dengan baik",
    ),
    "U9": ("Buruk", "Cukup", "Baik", "Sangat baik"),
}
INJECTION = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'


def form(lang: Lang = Lang.ID, **kwargs: object) -> str:
    args: dict = {"action": "/t/tok/survei", "hidden": {"csrf": "c"}, "chosen": {}, "problems": {}}
    return pages.survey_form(lang, **(args | kwargs))


def test_the_form_asks_the_nine_elements_with_their_worded_answers_in_order() -> None:
    """Nine groups, U1..U9, each four labelled radio blocks whose values are the scores."""
    html = form()
    groups = re.findall(r'<fieldset class="element" id="q-(u\d)">(.*?)</fieldset>', html, re.S)
    assert [name for name, _ in groups] == [f"u{i}" for i in range(1, 10)]
    for (name, body), (code, answers) in zip(groups, MODEL_FORM.items(), strict=True):
        assert f'<span class="code">{code}</span>' in body
        radio = rf'<input type="radio" id="{name}-(\d)" name="{name}" value="(\d)">'
        found = re.findall(radio + r"<span>([^<]+)</span>", body)
        assert found == [(str(i), str(i), words) for i, words in enumerate(answers, start=1)]


def test_the_form_has_the_optional_profile_and_suggestion() -> None:
    """Age, sex, education, occupation, each "Tidak diisi" by default; a 500-letter box."""
    html = form()
    for name in ("usia", "jk", "pendidikan", "pekerjaan"):
        assert f'id="{name}-none" name="{name}" value="" checked' in html
    assert 'id="jk-p" name="jk" value="p"><span>Perempuan</span>' in html
    assert '<textarea id="saran" name="saran" rows="4" maxlength="500">' in html
    assert "Kirim jawaban" in html


def test_a_refilled_form_escapes_what_was_typed_and_marks_what_is_missing() -> None:
    html = form(
        chosen={"u1": "3", "saran": INJECTION},
        problems={"u2": "answer_missing"},
    )
    assert 'id="u1-3" name="u1" value="3" checked' in html
    assert '<fieldset class="element missing" id="q-u2">' in html
    assert '<p class="problem" id="u2-problem">Pilih salah satu jawaban.</p>' in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in html


def test_the_english_form_uses_the_english_questionnaire() -> None:
    html = form(Lang.EN)
    assert "Send my answers" in html and "Not given" in html
    assert "Tidak sesuai" not in html


def test_a_complaint_list_escapes_the_text_and_the_answer() -> None:
    """The citizen's text and the manager's answer are shown as typed; the deadline while open."""
    filed = datetime(2026, 12, 3, 10, 15)
    due = datetime(2026, 12, 8, 23, 59, 59)
    open_one = ComplaintView("ADU-261203-001", "received", "biaya", INJECTION, filed, due, None)
    answered = ComplaintView(
        "ADU-261203-002", "answered", "waktu", "Lama", filed, due, "<b>Maaf</b>, kami perbaiki."
    )
    html = pages.complaints_list(Lang.ID, [open_one, answered], "WIB")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;b&gt;Maaf&lt;/b&gt;, kami perbaiki." in html
    assert "Biaya atau pungutan di luar ketentuan" in html
    assert "Diterima" in html and "Dijawab" in html
    assert "Selasa, 8 Desember 2026 · 23.59 WIB" in html  # the open one's deadline
    assert html.count("Batas waktu tanggapan") == 1  # not for the answered one


def board() -> IkmBoard:
    dukcapil = IkmRow(
        "Dinas Kependudukan dan Pencatatan Sipil",
        IkmFigure(1234, 86.52, "B", "Baik", "Good"),
        IkmFigure(80, 90.0, "A", "Sangat Baik", "Very good"),
    )
    poor = IkmFigure(3, 70.0, "C", "Kurang Baik", "Poor")
    pajak = IkmRow("<Pajak> & Co", IkmFigure(0, None), poor)
    total = IkmRow(
        "building",
        IkmFigure(1234, 86.52, "B", "Baik", "Good"),
        IkmFigure(83, 89.4, "A", "Sangat Baik", "Very good"),
    )
    return IkmBoard(
        "MPP Kota Contoh", "Triwulan IV 2026", date(2026, 11, 23), "Triwulan III 2026",
        (dukcapil, pajak), total,
    )  # fmt: skip


def cells(html: str, table: str, unit: str) -> list[str]:
    body = re.search(rf'<table class="ikm-table" id="ikm-{table}">(.*?)</table>', html, re.S)
    assert body, table
    row = re.search(rf'<tr[^>]*data-unit="{re.escape(unit)}">(.*?)</tr>', body.group(1), re.S)
    assert row, unit
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1))
    return [re.sub(r"<[^>]+>", "", c) for c in found]


def test_the_public_page_shows_ikm_grade_and_respondents_per_agency_and_building() -> None:
    html = ikm_page(Lang.ID, board())
    assert cells(html, "now", "Dinas Kependudukan dan Pencatatan Sipil") == [
        "Dinas Kependudukan dan Pencatatan Sipil", "86,52", "B — Baik", "1.234",
    ]  # fmt: skip
    assert cells(html, "now", "&lt;Pajak&gt; &amp; Co") == [
        "&lt;Pajak&gt; &amp; Co", "—", "Belum ada jawaban", "0",
    ]  # fmt: skip
    assert cells(html, "last", "building") == ["Seluruh gedung", "89,40", "A — Sangat Baik", "83"]
    assert "Triwulan IV 2026 (sampai Senin, 23 November 2026)" in html
    assert "<Pajak>" not in html


def test_the_public_page_in_english() -> None:
    html = ikm_page(Lang.EN, board())
    assert cells(html, "now", "building") == ["Whole building", "86.52", "B — Good", "1,234"]


def test_the_tvs_running_text() -> None:
    """The words of the shared design, with the Indonesian decimal comma."""
    assert running_text(board()) == (
        "IKM MPP Kota Contoh: 86,52 (B — Baik), 1.234 responden, Triwulan IV 2026"
    )
