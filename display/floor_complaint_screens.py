"""The dashboard's complaint screens: one complaint and its steps, the texts a manager types, the
contact shown once, and a complaint filed at the help desk.

`ComplaintScreen` reads the app's model (frames keep arriving while it is shown) and asks the app
to send each step (`FloorApp.send_action`): take in hand (`p`, a note), answer (`j`, the text the
citizen reads on the phone page), close (`s`, a note), show the contact (`k`: the server is asked
each time and the answer is shown once, never kept). Every text typed by a citizen or an officer
is escaped before it is drawn: it is shown, never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from display.floor_complaints import (
    ANSWERED,
    IN_PROGRESS,
    RECEIVED,
    Complaint,
    category_words,
    next_deadline,
    state_words,
    warn_from,
)
from display.floor_model import FloorModel
from server import protocol as p

__all__ = ["ComplaintScreen", "ContactScreen", "FileComplaintScreen", "TextScreen"]

# Tab and Shift+Tab move the focus the moment the app reads the key, as the counter console's
# do (counter/keys.py): Textual's own Tab reaches the app only after bubbling through the field,
# by which time the rest of a fast typist's burst has gone to the old field ("text{Tab}A-017"
# became "textA-017" in the complaint's text).
_FOCUS_KEYS: list[BindingType] = [
    Binding("tab", "app.focus_next", "Berikutnya", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Sebelumnya", show=False, priority=True),
]


def channel_words(channel: str) -> str:
    """Where it was filed: "ponsel warga", "meja layanan (LANTAI)"."""
    kind, _, who = channel.partition(":")
    if kind == "phone":
        return "ponsel warga"
    if kind == "desk":
        return f"meja layanan ({who})"
    return channel


class TextScreen(ModalScreen[str | None]):
    """Ask for a text: a note (one line, may be empty unless `required`) or an answer (several
    lines). Returns the text stripped, "" for an empty optional note, None to cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Batal"),
        *_FOCUS_KEYS,
    ]

    def __init__(
        self, question: str, *, required: bool, multiline: bool = False, max_len: int = 2000
    ) -> None:
        super().__init__()
        self.question = question  # what will happen, for the manager to check before "Kirim"
        self.required = required  # an answer must say something; a note may be left empty
        self.multiline = multiline  # the answer the citizen reads: a few lines
        self.max_len = max_len  # the core's limit (server.protocol), said before sending

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="question")
            if self.multiline:
                yield TextArea(id="text")
            else:
                placeholder = "Catatan" if self.required else "Catatan (boleh kosong)"
                yield Input(id="text", placeholder=placeholder, max_length=self.max_len)
            with Horizontal(id="buttons"):
                yield Button("Kirim", variant="primary", id="yes")
                yield Button("Batal", id="no")

    def _value(self) -> str:
        widget = self.query_one("#text")
        return (widget.text if isinstance(widget, TextArea) else widget.value).strip()  # type: ignore[attr-defined]

    @on(Input.Submitted, "#text")
    @on(Button.Pressed, "#yes")
    def yes(self) -> None:
        text = self._value()
        if self.required and not text:
            self.notify("Isian wajib diisi.", severity="warning", markup=False)
        elif len(text) > self.max_len:
            self.notify(
                f"Terlalu panjang: {len(text)} karakter, paling banyak {self.max_len}.",
                severity="warning",
                markup=False,
            )
        else:
            self.dismiss(text)

    @on(Button.Pressed, "#no")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ContactScreen(ModalScreen[None]):
    """A complaint's contact, as the server gave it just now; gone when closed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Tutup")]

    def __init__(self, complaint: str, name: str | None, phone: str | None) -> None:
        super().__init__()
        self.complaint = complaint
        self.contact = (name, phone)  # shown once: the screen is the only holder

    def compose(self) -> ComposeResult:
        name, phone = self.contact
        if not name and not phone:
            text = f"Pengaduan {self.complaint} anonim: tidak ada kontak."
        else:
            text = (
                f"Kontak pengadu {self.complaint}\nNama: {escape(name or '–')}\n"
                f"Telepon: {escape(phone or '–')}\n\nData pribadi: jangan dicatat di luar Antre."
            )
        with Vertical(id="confirm"):
            yield Static(text, id="contact")
            with Horizontal(id="buttons"):
                yield Button("Tutup", id="no")

    @on(Button.Pressed, "#no")
    def action_close(self) -> None:
        self.dismiss(None)


class FileComplaintScreen(ModalScreen[dict[str, Any] | None]):
    """A complaint taken at the help desk: category, text, and optionally today's ticket number
    and the citizen's name and phone. Returns the request's fields, None to cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Batal"),
        *_FOCUS_KEYS,
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="file-complaint"):
            yield Label("Pengaduan baru (meja layanan)", id="question")
            yield Select(
                [(label, code) for code, label, _en in p.CATEGORIES],
                prompt="Pilih kategori",
                id="category",
            )
            yield TextArea(id="text", placeholder="Isi pengaduan")
            yield Input(
                id="number", placeholder="Nomor antrean hari ini, mis. A-017 (boleh kosong)"
            )
            yield Input(id="name", placeholder="Nama (boleh kosong: anonim)")
            yield Input(id="phone", placeholder="Nomor telepon (boleh kosong)")
            with Horizontal(id="buttons"):
                yield Button("Kirim", variant="primary", id="yes")
                yield Button("Batal", id="no")

    @on(Button.Pressed, "#yes")
    def yes(self) -> None:
        category = self.query_one("#category", Select).value
        text = self.query_one("#text", TextArea).text.strip()
        if not isinstance(category, str):
            self.notify("Pilih kategori pengaduan.", severity="warning", markup=False)
            return
        if not text:
            self.notify("Isi pengaduan wajib diisi.", severity="warning", markup=False)
            return
        if len(text) > p.COMPLAINT_TEXT_MAX:
            self.notify(
                f"Isi pengaduan terlalu panjang: {len(text)} karakter, paling banyak "
                f"{p.COMPLAINT_TEXT_MAX}.",
                severity="warning",
                markup=False,
            )
            return
        fields: dict[str, Any] = {"category": category, "text": text}
        for key in ("number", "name", "phone"):
            value = self.query_one(f"#{key}", Input).value.strip()
            if value:
                fields[key] = value.upper() if key == "number" else value
        self.dismiss(fields)

    @on(Button.Pressed, "#no")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ComplaintScreen(Screen[None]):
    """One complaint: what it says, about what visit, its steps and its next deadline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Kembali"),
        Binding("p", "take", "Proses"),
        Binding("j", "answer", "Jawab"),
        Binding("s", "close", "Selesai"),
        Binding("k", "contact", "Kontak"),
    ]

    def __init__(self, model: FloorModel, complaint: str, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.model = model  # shared with the app: frames keep arriving while this is shown
        self.complaint_id = complaint
        self.now = now

    def compose(self) -> ComposeResult:
        yield Static(f"Pengaduan {self.complaint_id}", id="complaint-title")
        with VerticalScroll(id="complaint-body"):
            yield Static(id="complaint")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()
        self.set_interval(1.0, self.refresh_view)

    @property
    def complaint(self) -> Complaint | None:
        return self.model.complaints.items.get(self.complaint_id)

    def _when(self, at: datetime | None) -> str:
        if at is None:
            return "–"
        return p.format_date_time(at.astimezone(self.model.tz), self.model.building["timezone"])

    def refresh_view(self) -> None:
        c = self.complaint
        body = self.query_one("#complaint", Static)
        if c is None:
            body.update("Pengaduan ini tidak ada lagi di dasbor (selesai sebelum hari ini).")
            return
        self.query_one("#complaint-title", Static).update(
            f"Pengaduan {c.id} — {state_words(c.state)}"
        )
        body.update(self.describe(c))

    def describe(self, c: Complaint) -> str:
        """The complaint in rich markup, every typed text escaped."""
        agency = self.model.agency_names().get(c.agency or "", c.agency or "")
        visit = " · ".join(
            escape(x)
            for x in (
                f"nomor {c.number}" if c.number else "",
                agency,
                f"layanan {c.line}" if c.line else "",
                f"loket {c.counter}" if c.counter else "",
                f"petugas {c.officer}" if c.officer else "",
            )
            if x
        )
        out = [
            f"[b]Diterima[/b] {self._when(c.filed_at)}, dari {escape(channel_words(c.channel))}",
            f"[b]Tentang[/b] {visit or 'tanpa nomor antrean'}",
            f"[b]Kategori[/b] {escape(category_words(c.category))}",
            "",
            "[b]Isi pengaduan[/b]",
            escape(c.text),
            "",
        ]
        nxt = next_deadline(c)
        if nxt is not None and c.state != ANSWERED:
            step, deadline = nxt
            now = self.now()
            style = ""
            if now > deadline:
                style = "b red"
            elif now > warn_from(
                deadline, self.model.warn_days(), self.model.tz, self.model.holidays()
            ):
                style = "yellow"
            line = f"Batas {step}: {self._when(deadline)}"
            out.append(f"[{style}]{line}[/]" if style else line)
        if c.taken_at is not None:
            out.append(f"[b]Diproses[/b] {self._when(c.taken_at)} oleh {escape(c.taken_by or '')}")
        if c.note:
            out.append(f"[b]Catatan[/b] {escape(c.note)}")
        if c.answer is not None:
            out += [
                f"[b]Dijawab[/b] {self._when(c.answered_at)} oleh {escape(c.answered_by or '')}",
                escape(c.answer),
            ]
            if c.state == ANSWERED:
                out.append(f"Selesai otomatis: {self._when(c.closes_at)}")
        if c.closed_at is not None:
            out.append(f"[b]Selesai[/b] {self._when(c.closed_at)} oleh {escape(c.closed_by or '')}")
        if c.close_note:
            out.append(f"[b]Catatan penutup[/b] {escape(c.close_note)}")
        contact = {True: "ada (k)", False: "tidak ada (anonim)", None: "tekan k untuk melihat"}
        out += ["", f"[b]Kontak[/b] {contact[c.has_contact]}"]
        return "\n".join(out)

    def _step(self, allowed: tuple[str, ...], refusal: str) -> Complaint | None:
        c = self.complaint
        if c is None:
            return None
        if c.state not in allowed:
            self.notify(
                refusal.format(state=state_words(c.state)), severity="warning", markup=False
            )
            return None
        return c

    def action_take(self) -> None:
        c = self._step((RECEIVED,), "Pengaduan ini sudah berstatus {state}.")
        if c is None:
            return

        def done(note: str | None) -> None:
            if note is not None:
                fields = {"note": note} if note else {}
                self.app.send_action(  # type: ignore[attr-defined]
                    "take_complaint", f"Pengaduan {c.id} diproses", complaint=c.id, **fields
                )

        self.app.push_screen(
            TextScreen(f"Proses pengaduan {c.id}?", required=False, max_len=p.COMPLAINT_NOTE_MAX),
            done,
        )

    def action_answer(self) -> None:
        c = self._step((IN_PROGRESS,), "Jawab setelah diproses: pengaduan ini {state}.")
        if c is None:
            return

        def done(answer: str | None) -> None:
            if answer:
                self.app.send_action(  # type: ignore[attr-defined]
                    "answer_complaint", f"Pengaduan {c.id} dijawab", complaint=c.id, answer=answer
                )

        self.app.push_screen(
            TextScreen(
                f"Jawaban untuk pengaduan {c.id} (dibaca warga di halaman nomor antreannya):",
                required=True,
                multiline=True,
                max_len=p.COMPLAINT_ANSWER_MAX,
            ),
            done,
        )

    def action_close(self) -> None:
        c = self._step((RECEIVED, IN_PROGRESS, ANSWERED), "Pengaduan ini sudah {state}.")
        if c is None:
            return

        def done(note: str | None) -> None:
            if note is not None:
                fields = {"note": note} if note else {}
                self.app.send_action(  # type: ignore[attr-defined]
                    "close_complaint", f"Pengaduan {c.id} selesai", complaint=c.id, **fields
                )

        # Closed before it is answered, it must say why (the core refuses it otherwise).
        unanswered = c.state != ANSWERED
        question = f"Selesaikan pengaduan {c.id}?" + (
            " Tulis alasannya: belum dijawab." if unanswered else ""
        )
        self.app.push_screen(
            TextScreen(question, required=unanswered, max_len=p.COMPLAINT_NOTE_MAX), done
        )

    def action_contact(self) -> None:
        c = self.complaint
        if c is not None:
            self.app.show_contact(c.id)  # type: ignore[attr-defined]
