"""The dashboard's two panels of the citizen's voice (issue 20): "Survei kepuasan hari ini" and
"Pengaduan". Drawing only: the figures are display/floor_survey.py's and
display/floor_complaints.py's, the actions the app's and display/floor_complaint_screens.py's.
"""

from __future__ import annotations

from datetime import datetime

from rich.markup import escape
from textual.widgets import DataTable

from display.floor_complaints import Due, category_words, state_words
from display.floor_model import FloorModel
from display.floor_screens import fill_table
from display.floor_survey import ikm_text
from server.protocol import format_date_time

__all__ = [
    "SURVEY_TITLE",
    "complaints_table",
    "draw_complaints",
    "draw_survey",
    "mount_complaints",
    "mount_survey",
    "survey_table",
]

SURVEY_TITLE = "Survei kepuasan hari ini"
COMPLAINTS_TITLE = "Pengaduan"
# Overdue red, due soon amber (the alerts' red and yellow), answered and closed dimmed.
_STYLE = {Due.OVERDUE: "b red", Due.SOON: "yellow", Due.NONE: "dim", Due.LATER: ""}


def survey_table() -> DataTable:
    return DataTable(id="skm", cursor_type="row", zebra_stripes=True)


def mount_survey(table: DataTable) -> None:
    """Its columns and title, once the app runs."""
    table.add_columns("Instansi", "IKM", "Mutu", "Resp.")
    table.border_title = SURVEY_TITLE


def draw_survey(table: DataTable, model: FloorModel) -> None:
    """The building's IKM so far first (bold), then each agency with respondents today; the
    building's lowest element in the border, what a manager follows up first."""
    rows = model.survey_rows()
    fill_table(
        table,
        [
            (
                f"skm:{r.key}",
                [
                    f"[b]{escape(r.name[:24])}[/b]" if r.key == "building" else escape(r.name[:24]),
                    ikm_text(r.ikm),
                    r.grade,
                    str(r.respondents),
                ],
            )
            for r in rows
        ],
    )
    building = rows[0]
    table.border_subtitle = (
        f"terendah: {building.weakest}" if building.respondents else "belum ada responden"
    )


def complaints_table() -> DataTable:
    return DataTable(id="complaints", cursor_type="row", zebra_stripes=True)


def mount_complaints(table: DataTable) -> None:
    """Its columns and title, once the app runs."""
    table.add_columns("Nomor", "Tiket", "Instansi", "Kategori", "Status", "Batas berikutnya")
    table.border_title = COMPLAINTS_TITLE


def draw_complaints(table: DataTable, model: FloorModel, now: datetime) -> None:
    """Open complaints, the nearest deadline first, then those closed today; the title counts."""
    zone = model.building.get("timezone", "")
    names = model.agency_names()
    rows = model.complaint_rows(now)
    cells = []
    for r in rows:
        c = r.complaint
        style = _STYLE[r.due]
        deadline = "–"
        if r.deadline is not None:
            when = format_date_time(r.deadline.astimezone(model.tz), zone)
            deadline = f"{r.step}: {when}"
        row = [
            c.id,
            c.number or "–",
            escape(names.get(c.agency or "", c.agency or "–")),
            escape(category_words(c.category)),
            state_words(c.state),
            deadline,
        ]
        cells.append((c.id, [f"[{style}]{x}[/]" if style else x for x in row]))
    fill_table(table, cells)
    open_rows = [r for r in rows if r.complaint.state != "closed"]
    late = sum(r.due is Due.OVERDUE for r in rows)
    soon = sum(r.due is Due.SOON for r in rows)
    title = f"{COMPLAINTS_TITLE} · {len(open_rows)} terbuka"
    if late:
        title += f" · [b red]{late} lewat batas[/]"
    if soon:
        title += f" · [yellow]{soon} mendekati batas[/]"
    table.border_title = title
