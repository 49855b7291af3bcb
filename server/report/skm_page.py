"""skm.html: the period's SKM report as a printable page an agency attaches to its periodic report.

Pure: plain values in, one HTML string out. No script at all, and a Content-Security-Policy that
forbids any (the page is opened from a file, where no server sends headers); every value from
the log or the building file goes through `html.escape`. A4 print CSS: each agency starts a
page, and the respondents' suggestions (free text) come last on pages of their own, never beside
the scores (the rule the public page follows too).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from server.core.dates import format_date, format_date_time
from server.core.skm import (
    AGE_BANDS,
    EDUCATIONS,
    ELEMENTS,
    OCCUPATIONS,
    SEXES,
    Tally,
    format_ikm,
    grade,
    nrr_grade,
    sample_size,
    wait_band_labels,
)
from server.report.skm_stats import SkmFigures, SkmGroup
from server.report.skm_tables import Names

__all__ = ["PageContext", "indonesian_number", "render_skm_page"]

# The regulation's conversion table (PermenPANRB 14/2017): IKM interval, grade, its words.
_GRADE_TABLE = (
    ("25,00 – 64,99", "1,00 – 2,5996", "D", "Tidak Baik"),
    ("65,00 – 76,60", "2,60 – 3,064", "C", "Kurang Baik"),
    ("76,61 – 88,30", "3,0644 – 3,532", "B", "Baik"),
    ("88,31 – 100,00", "3,5324 – 4,00", "A", "Sangat Baik"),
)

_CSS = """
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#000;background:#fff;margin:0 auto;
max-width:60rem;padding:1.5rem;font-size:11pt;line-height:1.35}
h1{font-size:16pt;margin:0 0 .3rem} h2{font-size:13pt;margin:1.2rem 0 .4rem;
border-bottom:2px solid #000;padding-bottom:.15rem} h3{font-size:11pt;margin:1rem 0 .3rem}
header p{margin:.15rem 0} header .building{font-size:13pt;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem}
th,td{border:1px solid #000;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#eee} td.n,th.n{text-align:right;white-space:nowrap}
tr{break-inside:avoid}
.result{border:2px solid #000;padding:.5rem .8rem;margin:.5rem 0;display:flex;gap:2rem;
align-items:baseline;flex-wrap:wrap}
.result .ikm{font-size:20pt;font-weight:bold} .result .grade{font-size:14pt;font-weight:bold}
.note{font-size:9.5pt} .open{border:1px dashed #000;padding:.3rem .5rem}
.suggestions li{margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.suggestions .meta{font-size:9pt;color:#333}
footer{margin-top:1.5rem;font-size:9pt;border-top:1px solid #000;padding-top:.3rem}
@page{size:A4;margin:15mm 14mm}
@media print{body{max-width:none;padding:0;font-size:10pt}
section.agency,section.suggestions,section.profile{break-before:page}
h2,h3{break-after:avoid}}
"""


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the page says about itself besides the figures."""

    period_label: str  # "Triwulan IV 2026", or the dates when the range is no named period
    first: date
    last: date
    generated_at: datetime  # local, aware
    zone_label: str  # WIB / WITA / WIT
    bands_min: tuple[int, ...]
    open_until: date | None  # answers may still come until this day (None: the survey closed)


def indonesian_number(value: float | int, digits: int = 0) -> str:
    """86.5234 -> "86,52" (digits=2); 1234 -> "1.234": Indonesian separators."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _result(tally: Tally) -> str:
    ikm = tally.ikm()
    if ikm is None:
        return '<p class="result">Belum ada responden pada periode ini.</p>'
    g = grade(ikm)
    return (
        '<div class="result">'
        f'<span>Indeks Kepuasan Masyarakat (IKM): <span class="ikm">'
        f"{format_ikm(ikm)}</span></span>"
        f'<span>Mutu pelayanan: <span class="grade">{_e(g.letter)}</span> '
        f'(<span class="words">{_e(g.words)}</span>)</span></div>'
    )


def _element_table(tally: Tally) -> str:
    nrrs = tally.nrr()
    if nrrs is None:
        return ""
    rows = []
    for e, total, nrr in zip(ELEMENTS, tally.sums, nrrs, strict=True):
        g = nrr_grade(nrr)
        rows.append(
            f"<tr><td>{_e(e.code)}</td><td>{_e(e.name)}</td>"
            f'<td class="n">{indonesian_number(total)}</td>'
            # Half up, as the IKM and the floor's NRR (2.625 is 2,63, never float's 2,62).
            f'<td class="n">{format_ikm(nrr)}</td>'
            f"<td>{_e(g.letter)} ({_e(g.words)})</td></tr>"
        )
    return (
        '<table class="elements"><thead><tr><th>Kode</th><th>Unsur pelayanan</th>'
        '<th class="n">Jumlah nilai</th><th class="n">NRR</th><th>Mutu</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">NRR (nilai rata-rata) = jumlah nilai unsur ÷ jumlah responden. '
        "IKM = rata-rata kesembilan NRR × 25 (bobot tiap unsur tepat 1/9); mutu dibaca dari "
        "IKM yang dibulatkan dua angka di belakang koma.</p>"
    )


def _sample(g: SkmGroup) -> str:
    n, pop = g.tally.respondents, g.finished
    if not pop:
        return f"<p>Responden: {indonesian_number(n)}. Tidak ada kunjungan selesai tercatat.</p>"
    need = sample_size(pop)
    rate = indonesian_number(100 * n / pop, 1)
    verdict = "terpenuhi" if n >= need else f"kurang {indonesian_number(need - n)} responden"
    return (
        f'<p class="sample">Responden: <b>{indonesian_number(n)}</b> dari '
        f"{indonesian_number(pop)} kunjungan selesai ({rate}%). Sampel minimum menurut tabel "
        f"Krejcie–Morgan untuk populasi {indonesian_number(pop)}: "
        f"<b>{indonesian_number(need)}</b> — {verdict}.</p>"
    )


def _wait_table(by_band: dict[str, Tally] | None, bands_min: tuple[int, ...]) -> str:
    if not by_band:
        return ""
    rows = []
    for band in wait_band_labels(bands_min):
        t = by_band.get(band, Tally())
        ikm = t.ikm()
        cell = "—" if ikm is None else format_ikm(ikm)
        mutu = "—" if ikm is None else f"{_e(grade(ikm).letter)} ({_e(grade(ikm).words)})"
        rows.append(
            f'<tr><td>{_e(band)}</td><td class="n">{indonesian_number(t.respondents)}</td>'
            f'<td class="n">{cell}</td><td>{mutu}</td></tr>'
        )
    return (
        "<h3>IKM menurut lama menunggu</h3>"
        '<table class="waits"><thead><tr><th>Lama menunggu</th><th class="n">Responden</th>'
        '<th class="n">IKM</th><th>Mutu</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _lines_table(figures: SkmFigures, names: Names, agency: str) -> str:
    rows = []
    for key in sorted(figures.groups["line"]):
        if figures.line_agency.get(key) != agency:
            continue
        g = figures.groups["line"][key]
        ikm = g.tally.ikm()
        rows.append(
            f"<tr><td>{_e(key)}</td><td>{_e(names.name('line', key))}</td>"
            f'<td class="n">{indonesian_number(g.tally.respondents)}</td>'
            f'<td class="n">{indonesian_number(g.finished)}</td>'
            f'<td class="n">{"—" if ikm is None else format_ikm(ikm)}</td>'
            f"<td>{'—' if ikm is None else _e(grade(ikm).letter + ' (' + grade(ikm).words + ')')}"
            "</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<h3>Per layanan</h3>"
        '<table class="lines"><thead><tr><th>Kode</th><th>Layanan</th><th class="n">Responden'
        '</th><th class="n">Kunjungan selesai</th><th class="n">IKM</th><th>Mutu</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _scope_section(
    title: str,
    g: SkmGroup,
    by_band: dict[str, Tally] | None,
    ctx: PageContext,
    css_class: str,
    extra: str = "",
) -> str:
    return (
        f'<section class="{css_class}"><h2>{_e(title)}</h2>'
        f"{_result(g.tally)}{_sample(g)}{_element_table(g.tally)}"
        f"{_wait_table(by_band, ctx.bands_min)}{extra}</section>"
    )


def _profile(figures: SkmFigures) -> str:
    total = figures.groups["building"].get("")
    n = total.tally.respondents if total else 0
    if not n:
        return ""
    parts = []
    for title, name, options in (
        ("Usia", "age", AGE_BANDS),
        ("Jenis kelamin", "sex", SEXES),
        ("Pendidikan", "education", EDUCATIONS),
        ("Pekerjaan", "occupation", OCCUPATIONS),
    ):
        counts = figures.profile[name]
        rows = [
            f'<tr><td>{_e(label)}</td><td class="n">{indonesian_number(counts[code])}</td>'
            f'<td class="n">{indonesian_number(100 * counts[code] / n, 1)}%</td></tr>'
            for code, label, _en in options
        ]
        rows.append(
            f'<tr><td>Tidak diisi</td><td class="n">{indonesian_number(counts[""])}</td>'
            f'<td class="n">{indonesian_number(100 * counts[""] / n, 1)}%</td></tr>'
        )
        parts.append(
            f"<h3>{_e(title)}</h3><table><thead><tr><th>{_e(title)}</th>"
            f'<th class="n">Responden</th><th class="n">Persentase</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    return f'<section class="profile"><h2>Profil responden</h2>{"".join(parts)}</section>'


def _suggestions(figures: SkmFigures, names: Names) -> str:
    if not figures.suggestions:
        body = "<p>Tidak ada saran pada periode ini.</p>"
    else:
        items = [
            f'<li><span class="meta">{_e(format_date(s.day))} · '
            f"{_e(names.name('agency', s.agency) or s.agency)} · "
            f"{_e(names.name('line', s.line) or s.line)}</span><br>"
            f'<span class="text">{_e(s.text)}</span></li>'
            for s in figures.suggestions
        ]
        body = f"<ol>{''.join(items)}</ol>"
    return (
        '<section class="suggestions"><h2>Saran dan masukan responden</h2>'
        '<p class="note">Ditulis responden apa adanya; terpisah dari nilai survei.</p>'
        f"{body}</section>"
    )


def render_skm_page(figures: SkmFigures, names: Names, ctx: PageContext) -> str:
    """The whole printable page, as one HTML string."""
    building = figures.groups["building"].get("") or SkmGroup("building", "")
    span = period_label(ctx.first, ctx.last, ())  # one day is its date, not "X s.d. X"
    # A named period ("Triwulan IV 2026") also gives its dates; a plain range is its dates.
    dates = "" if ctx.period_label == span else f" ({_e(span)})"
    open_note = (
        f'<p class="open">Survei untuk kunjungan periode ini masih dapat diisi sampai '
        f"{_e(format_date(ctx.open_until))}: jumlah responden dan nilai dapat bertambah.</p>"
        if ctx.open_until is not None
        else ""
    )
    legend_rows = "".join(
        f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in _GRADE_TABLE
    )
    legend = (
        "<h3>Nilai persepsi, interval IKM, dan mutu pelayanan</h3>"
        "<table><thead><tr><th>Interval IKM</th><th>Interval NRR</th><th>Mutu</th>"
        f"<th>Kinerja unit pelayanan</th></tr></thead><tbody>{legend_rows}</tbody></table>"
    )
    sections = [
        _scope_section(
            "Seluruh gedung",
            building,
            figures.waits.get(("building", "")),
            ctx,
            "building",
            legend,
        )
    ]
    for code in sorted(figures.groups["agency"]):
        g = figures.groups["agency"][code]
        title = names.name("agency", code) or code
        sections.append(
            _scope_section(
                f"{title} ({code})",
                g,
                figures.waits.get(("agency", code)),
                ctx,
                "agency",
                _lines_table(figures, names, code),
            )
        )
    generated = format_date_time(ctx.generated_at, ctx.zone_label)
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>SKM {_e(names.building)} — {_e(ctx.period_label)}</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>Laporan Survei Kepuasan Masyarakat (SKM)</h1>"
        f'<p class="building">{_e(names.building)}</p>'
        f'<p class="period">Periode: <b>{_e(ctx.period_label)}</b>{dates}</p>'
        "<p>Berdasarkan Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan "
        "Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik.</p>"
        '<p class="note">Responden dihitung menurut hari kunjungan; setiap jawaban terkait '
        "dengan satu nomor antrean yang selesai dilayani (satu jawaban per nomor).</p>"
        f"{open_note}</header>"
        f"{''.join(sections)}{_profile(figures)}{_suggestions(figures, names)}"
        f"<footer>Dibuat oleh Antre pada {_e(generated)}.</footer>"
        "</body></html>\n"
    )


def period_label(first: date, last: date, labels: Sequence[tuple[date, date, str]]) -> str:
    """The named period (month, quarter, semester, year) that is exactly `first`..`last`,
    else the dates."""
    for start, end, label in labels:
        if (start, end) == (first, last):
            return label
    if first == last:
        return format_date(first)
    return f"{format_date(first)} s.d. {format_date(last)}"
