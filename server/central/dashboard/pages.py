"""The dashboard's HTML: Indonesian (KBBI spelling), no script but our own file, nothing external.

Every text that came from elsewhere (a building's or a line's name from its profile, a user's
name, a date typed in a form) goes through `esc`; the pages carry a strict Content-Security-Policy
(server/central/dashboard/site.py) so that even a mistake here would run nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from server.central.dashboard.tables import Table, format_cell

__all__ = ["esc", "login_page", "message_page", "page", "table_section"]


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def page(title: str, body: str, *, user: str | None = None, logout_token: str = "") -> str:
    nav = ""
    if user is not None:
        nav = (
            '<nav><a href="/">Ringkasan</a> <a href="/peringkat">Peringkat layanan</a>'
            f'<span class="pengguna">{esc(user)}</span>'
            '<form method="post" action="/keluar" class="keluar">'
            f'<input type="hidden" name="token" value="{esc(logout_token)}">'
            '<button type="submit">Keluar</button></form></nav>'
        )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — Antre Sentral</title>"
        '<link rel="stylesheet" href="/aset/dasbor.css"></head><body>'
        f"<header><strong>Antre Sentral</strong>{nav}</header><main><h1>{esc(title)}</h1>"
        f'{body}</main><script src="/aset/dasbor.js"></script></body></html>'
    )


def message_page(title: str, text: str, user: str | None = None, logout_token: str = "") -> str:
    return page(title, f'<p class="pesan">{esc(text)}</p>', user=user, logout_token=logout_token)


def login_page(token: str, error: str | None = None, user_id: str = "") -> str:
    alert = f'<p class="galat" role="alert">{esc(error)}</p>' if error else ""
    body = (
        f'{alert}<form method="post" action="/masuk" class="masuk">'
        f'<input type="hidden" name="token" value="{esc(token)}">'
        '<label>Nama pengguna <input name="pengguna" autocomplete="username" required '
        f'value="{esc(user_id)}"></label>'
        '<label>Kata sandi <input name="sandi" type="password" '
        'autocomplete="current-password" required></label>'
        '<button type="submit">Masuk</button></form>'
    )
    return page("Masuk", body)


def _cell(table: Table, row: Mapping[str, Any], key: str, kind: str,
          links: Mapping[str, Callable[[Mapping[str, Any]], str]]) -> str:  # fmt: skip
    text = esc(format_cell(row.get(key), kind))
    if key in links:
        text = f'<a href="{esc(links[key](row))}">{text}</a>'
    cls = ' class="angka"' if kind != "text" and kind != "date" else ""
    return f"<td{cls}>{text}</td>"


def table_section(
    table: Table,
    csv_href: str,
    *,
    section_id: str,
    links: Mapping[str, Callable[[Mapping[str, Any]], str]] | None = None,
    empty: str = "Belum ada data.",
) -> str:
    """A table with its title, a CSV link, and its rows behind standard marked (and first,
    when the reads sorted them so)."""
    links = links or {}
    head = "".join(f"<th>{esc(c.label)}</th>" for c in table.columns) + "<th>Status</th>"
    body = []
    for row, reasons in zip(table.rows, table.behind, strict=True):
        cells = "".join(_cell(table, row, c.key, c.kind, links) for c in table.columns)
        if reasons:
            status = '<td class="status">⚠ Di bawah standar: ' + esc("; ".join(reasons)) + "</td>"
            body.append(f'<tr class="tertinggal">{cells}{status}</tr>')
        else:
            body.append(f'<tr>{cells}<td class="status">Sesuai standar</td></tr>')
    rows = "".join(body) or f'<tr><td colspan="{len(table.columns) + 1}">{esc(empty)}</td></tr>'
    return (
        f'<section id="{esc(section_id)}"><h2>{esc(table.title)}</h2>'
        f'<p><a class="csv" href="{esc(csv_href)}">Unduh CSV</a></p>'
        f'<div class="gulir"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div></section>"
    )


def range_form(
    action: str, first: date, last: date, hidden: Mapping[str, str] | None = None
) -> str:
    fields = "".join(
        f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in (hidden or {}).items()
    )
    return (
        f'<form method="get" action="{esc(action)}" class="rentang">{fields}'
        f'<label>Dari <input type="date" name="dari" value="{first.isoformat()}"></label>'
        f'<label>Sampai <input type="date" name="sampai" value="{last.isoformat()}"></label>'
        '<button type="submit">Tampilkan</button></form>'
    )


def query(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}" if params else path
