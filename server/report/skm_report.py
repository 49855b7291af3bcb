"""`antre report --skm`: the period's SKM survey and complaints, read from the store and written.

The figures are `server.report.skm_stats`' and `server.report.complaint_stats`' (pure), the
files' columns `server.report.skm_tables`', the printable page `server.report.skm_page`'s; this
module reads the log (the period's survey answers and complaints, whenever they came:
`StoreReader.voice_log`), joins the answers with the period's finished visits the report has
replayed, and writes skm.csv, skm_waits.csv, skm_channels.csv, skm.html and complaints.csv.
docs/reports.md, "The SKM survey and complaints", documents them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from server.core.building import Building
from server.core.skm import PERIOD_KINDS, format_ikm, grade, period_of, sample_size
from server.report.complaint_stats import replay_complaints
from server.report.skm_page import PageContext, indonesian_number, period_label, render_skm_page
from server.report.skm_stats import SkmFigures, VisitRecord, read_answers, skm_figures
from server.report.skm_tables import (
    CHANNEL_COLUMNS,
    COMPLAINT_COLUMNS,
    SKM_COLUMNS,
    WAIT_COLUMNS,
    Names,
    channel_rows,
    complaint_rows,
    skm_rows,
    wait_rows,
)
from server.report.tables import write_csv
from server.store import StoreReader

__all__ = ["SKM_FILES", "SkmOutcome", "skm_summary", "write_skm_report"]

SKM_FILES = ("skm.csv", "skm_waits.csv", "skm_channels.csv", "skm.html", "complaints.csv")


@dataclass(frozen=True, slots=True)
class SkmOutcome:
    """What the terminal says of the SKM files just written."""

    figures: SkmFigures
    complaints: int
    label: str
    open_until: date | None


def write_skm_report(
    store: StoreReader,
    building: Building,
    first: date,
    last: date,
    visits: Mapping[str, VisitRecord],
    out: Path,
    *,
    now: datetime,
    officers: bool = False,
) -> SkmOutcome:
    """Read the period's answers and complaints, write the five SKM files into `out`.

    `visits`: the period's finished visits by ticket id (`skm_stats.finished_visits` of each
    day the report replayed); `now`: when the report runs (whether the survey is still open).
    """
    tz = building.tz
    entries = store.voice_log(first, last)
    answers = read_answers(entries, first, last)
    complaints = replay_complaints(entries)
    bands = tuple(building.survey.wait_bands_min)
    agency_of = {ln.prefix: ln.agency for ln in building.lines}
    figures = skm_figures(answers, visits, agency_of, bands)
    names = Names(building)

    write_csv(out / "skm.csv", SKM_COLUMNS, skm_rows(figures, names, first, last, officers))
    write_csv(out / "skm_waits.csv", WAIT_COLUMNS, wait_rows(figures, names, first, last, bands))
    write_csv(out / "skm_channels.csv", CHANNEL_COLUMNS, channel_rows(figures, names))
    write_csv(
        out / "complaints.csv",
        COMPLAINT_COLUMNS,
        complaint_rows(complaints, names, tz, officers),
    )
    # A visit of the period's last day may still be answered `days_open` days after it.
    closes = last + timedelta(days=building.survey.days_open)
    open_until = closes if now.astimezone(tz).date() <= closes else None
    label = period_label(first, last, [period_of(first, kind) for kind in PERIOD_KINDS])
    local_now = now.astimezone(tz)
    ctx = PageContext(label, first, last, local_now, building.zone_label, bands, open_until)
    (out / "skm.html").write_text(render_skm_page(figures, names, ctx), encoding="utf-8")
    return SkmOutcome(figures, len(complaints), label, open_until)


def skm_summary(outcome: SkmOutcome) -> str:
    """The terminal's few lines about the SKM files, in Indonesian."""
    g = outcome.figures.groups["building"].get("")
    n = g.tally.respondents if g else 0
    pop = g.finished if g else 0
    lines = [f"SKM {outcome.label}:"]
    ikm = g.tally.ikm() if g else None
    if ikm is None:
        lines.append("  belum ada responden")
    else:
        mark = grade(ikm)
        lines.append(f"  IKM {format_ikm(ikm)} ({mark.letter} — {mark.words})")
    sample = f"; sampel minimum {indonesian_number(sample_size(pop))}" if pop else ""
    lines.append(
        f"  {indonesian_number(n)} responden dari {indonesian_number(pop)} kunjungan selesai"
        + sample
    )
    if outcome.open_until is not None:
        lines.append(f"  survei masih dapat diisi sampai {outcome.open_until.isoformat()}")
    lines.append(f"  {indonesian_number(outcome.complaints)} pengaduan diterima pada periode ini")
    return "\n".join(lines)
