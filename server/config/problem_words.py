"""The config check's problems in Indonesian, for the admin (issue 23): `antre admin` refuses an
edit with the very messages `antre config check` prints, and an administrator reads Indonesian.

Theory of operation: the reader's messages are English (engineers read `antre config check`), made
from some 130 f-string templates. `TEMPLATES` pairs each English template with its
Indonesian; a template's `{placeholders}` match any text, except those named after a kind in
`KINDS` ("got" for `describe()`'s "integer 5" / "an array", "hint" for `suggest()`'s "; did you
mean …?" and the "; allowed: …" beside it, "what" for the noun a helper was given, "day"/"days"
for weekday names …): those match only their kind's own English phrases and are translated too;
a bound (`low`, `high` …) matches only a number, so "must be {span}{unit}" splits "from 5 to 240
minutes" where it should. `indonesian()` finds the template a whole message fits, the most
specific (most literal text) first, and fills its Indonesian. Keys, ids, table names and values
stay as the file writes them: they are identifiers, not prose.

tests/config/test_problem_words.py reads every template from the reader's source (`ast`), so a
new message without Indonesian fails there; at run time such a message is shown in English (an
administrator still learns what is wrong) and logged once, in English, for the developers.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping, Sequence
from functools import cache

__all__ = ["KINDS", "TEMPLATES", "indonesian", "translate"]

log = logging.getLogger("antre.config")

Table = Sequence[tuple[str, str]]  # (English template, Indonesian template)

# ---- the kinds of text a placeholder may hold --------------------------------------------------

# describe(): how a value of the file reads after "got".
_VALUES: Table = (
    ("boolean {value}", "nilai {value}"),
    ("integer {value}", "bilangan bulat {value}"),
    ("float {value}", "bilangan desimal {value}"),
    ('string "{value}"', 'teks "{value}"'),
    ("date-time {value}", "tanggal dan jam {value}"),
    ("date {value}", "tanggal {value}"),
    ("time {value}", "jam {value}"),
    ("an array", "daftar"),
    ("a table", "tabel"),
    ("{type}", "{type}"),  # a Python type name: a value TOML cannot hold, named as it is
)

# suggest() and the hints beside it, each starting with "; " (or empty).
_HINTS: Table = (
    ("", ""),
    ('; did you mean "{choice}"?', '; mungkin maksudnya "{choice}"?'),
    ("; allowed: {keys}", "; yang boleh: {keys}"),
    ("; known: {ids}", "; yang ada: {ids}"),
    ("; write [{header}]", "; tulis [{header}]"),
    # part_week.py: the names the file must hold, quoted and in English ("senin" is refused)
    ("; write {weekdays}", "; tulis nama hari dalam bahasa Inggris: {weekdays}"),
    ('; write the letters as capitals, "{label}"', '; tulis hurufnya kapital, "{label}"'),
    (
        '; times must be quoted, e.g. open = "07:30"',
        '; jam harus diberi tanda kutip, misalnya open = "07:30"',
    ),
)

# The nouns helpers are given: `Reader.exists(..., "agency")`, `Reader.unique(..., "counter id")`.
_NOUNS: Table = (
    ("zone", "zona"),
    ("agency", "instansi"),
    ("counter", "loket"),
    ("line", "layanan"),
    ("webhook id", "id webhook"),
    ("holiday date", "tanggal libur"),
    ("zone id", "id zona"),
    ("agency code", "kode instansi"),
    ("prefix", "prefiks layanan"),
    ("counter id", "id loket"),
    ("device id", "id perangkat"),
    ("token digest", "hash token"),
    ("portal id", "id portal"),
    ("person id", "id pengguna"),
)

# A whole number's range: "from 1 to 60" or "≥ 1".
_SPANS: Table = (
    ("from {low} to {high}", "{low} sampai {high}"),
    ("≥ {low}", "≥ {low}"),
)

_UNITS: Table = (
    ("", ""),
    (" minutes", " menit"),
    (" seconds", " detik"),
    (" days", " hari"),
    (" working days", " hari kerja"),
)

# The end of "serves line "K" of agency KUA, but …".
_BELONGS: Table = (
    ("the counter belongs to {agency}", "loket ini milik {agency}"),
    ("on these days the desk belongs to {agency}", "pada hari-hari itu loket ini milik {agency}"),
)

# validate_template()'s ValueError messages (server/core/voice_text.py).
_TEMPLATE_ERRORS: Table = (
    (
        "a phrase template has 1 to {most} characters",
        "templat kalimat panggilan berisi 1 sampai {most} karakter",
    ),
    (
        "unknown placeholder(s) in phrase template: {names}",
        "isian tidak dikenal dalam templat kalimat panggilan: {names}",
    ),
    (
        "a phrase template must contain {{number}} and {{desk}} (or {{counter}})",
        "templat kalimat panggilan harus memuat {{number}} dan {{desk}} (atau {{counter}})",
    ),
    (
        "unbalanced brackets or braces in phrase template",
        "kurung siku atau kurung kurawal dalam templat kalimat panggilan tidak berpasangan",
    ),
)

# Two desks alike (server/config/desks.py): what a citizen would hear or see, and the fix.
_SAID: Table = (
    ('the voice would say "{words}"', 'suara panggilan akan menyebut "{words}"'),
    ('TVs would show "{name}"', 'TV akan menampilkan "{name}"'),
)
_FIXES: Table = (
    ("change the label or set", "ubah labelnya atau isi"),
    ("give each desk its own", "beri tiap loket nilai sendiri untuk"),
)

# Where a loket number came from: written as `number`, or read from the id.
_SOURCES: Table = (("", ""), (" (from the id)", " (dari id)"))

_WEEKDAYS = {
    "monday": "Senin",
    "tuesday": "Selasa",
    "wednesday": "Rabu",
    "thursday": "Kamis",
    "friday": "Jumat",
    "saturday": "Sabtu",
    "sunday": "Minggu",
}
_DAY: Table = tuple((en, id_) for en, id_ in _WEEKDAYS.items())

KINDS: Mapping[str, Table] = {
    "got": _VALUES,
    "hint": _HINTS,
    "what": _NOUNS,
    "span": _SPANS,
    "unit": _UNITS,
    "belongs": _BELONGS,
    "error": _TEMPLATE_ERRORS,
    "said": _SAID,
    "fix": _FIXES,
    "source": _SOURCES,
    "day": _DAY,
}
# Placeholders kept as written that match only what they hold: a number the reader wrote (a
# bound never swallows the unit after it: "from 5 to {high}" is not "240 minutes"), a type name.
_NUMBER = r"[-+]?\d[\d.]*"
_NARROW: Mapping[str, str] = {
    **dict.fromkeys(
        ("low", "high", "most", "least", "size", "minutes", "furthest", "ahead"), _NUMBER
    ),
    "type": r"[A-Za-z_]\w*",
    "either": r'"[^"]*"(?: or "[^"]*")*',
    "weekdays": '"{0}"(?:, "{0}")*'.format("(?:" + "|".join(_WEEKDAYS) + ")"),
}
# "days" (a list such as "saturday, sunday") is translated word by word ("Sabtu dan Minggu"),
# "either" (the choices of `Reader.choice`, '"kiosk" or "tablet"') keeps its values and says
# "atau", and so does "weekdays" (the quoted names the file must hold: '"monday", … "sunday"',
# English words the admin writes as they are); "name" marks a table name of the file ("lines",
# "counters"), kept as written like any other placeholder.

# ---- the messages --------------------------------------------------------------------------

_NOT_AFTER_OPEN = (
    '. A service day ends at local midnight (numbers restart then): close at "24:00" '
    'and open again at "00:00" the next day'
)
_NOT_AFTER_OPEN_ID = (
    ". Hari layanan berakhir pukul 00.00 waktu setempat (nomor antrean mulai lagi): tutup pada "
    '"24:00" lalu buka lagi pada "00:00" keesokan harinya'
)
_HASH_PIN = "generate one with `antre config hash-pin`"
_HASH_PIN_ID = "buat dengan `antre config hash-pin`"
_TOKEN = "set it to the SHA-256 (64 hex digits) of the device's token, e.g. `sha256sum`"
_TOKEN_ID = (
    "isi dengan SHA-256 (64 digit heksadesimal) token perangkat, misalnya dengan `sha256sum`"
)
_SECRET = "at least {least} bytes, e.g. `openssl rand -hex 32 > FILE`"
_SECRET_ID = "paling sedikit {least} bita, misalnya `openssl rand -hex 32 > FILE`"
_URL = "https://antrean.mpp-kota-contoh.go.id"
_LABEL_RULE = (
    'a whole number ≥ 1, or digits and capital letters in groups joined by "-" or "." '
    '(7, "3A", "1-01"), at most {most} characters'
)
_LABEL_RULE_ID = (
    'bilangan bulat ≥ 1, atau angka dan huruf kapital dalam kelompok yang digabung dengan "-" '
    'atau "." (7, "3A", "1-01"), paling banyak {most} karakter'
)

TEMPLATES: Table = (
    # ---- toml_reader.py: the reader's own checks ----
    ('unknown key "{key}"{hint}', 'kunci "{key}" tidak dikenal{hint}'),
    ("expected a table, got {got}{hint}", "harus berupa tabel, bukan {got}{hint}"),
    ("expected a table, got {got}", "harus berupa tabel, bukan {got}"),
    (
        "required: add at least one [[{name}]] table",
        "wajib: tambahkan paling sedikit satu tabel [[{name}]]",
    ),
    (
        "expected an array of tables: write [[{name}]], not [{name}]",
        "harus berupa daftar tabel: tulis [[{name}]], bukan [{name}]",
    ),
    (
        "expected an array of [[{name}]] tables, got {got}",
        "harus berupa daftar tabel [[{name}]], bukan {got}",
    ),
    ("required key is missing", "wajib diisi"),
    ("expected a string, got {got}", "harus berupa teks, bukan {got}"),
    ("must not be empty", "tidak boleh kosong"),
    (
        "\"{value}\" is not a valid id: use 1–32 letters, digits, '.', '_' or '-', starting "
        "with a letter or digit",
        "\"{value}\" bukan id yang sah: pakai 1–32 huruf, angka, '.', '_' atau '-', diawali "
        "huruf atau angka",
    ),
    ("expected true or false, got {got}", "harus true atau false, bukan {got}"),
    ("expected a whole number ≥ {low}, got {got}", "harus bilangan bulat ≥ {low}, bukan {got}"),
    ("must be ≥ {low}, got {value}", "harus ≥ {low}, tertulis {value}"),
    ("must be ≥ 0, got {value}", "harus ≥ 0, tertulis {value}"),
    ("expected a number, got {got}", "harus berupa angka, bukan {got}"),
    ("expected a finite number, got {value}", "harus angka yang terhingga, tertulis {value}"),
    ("must be greater than 0, got {value}", "harus lebih dari 0, tertulis {value}"),
    (
        '"24:00" is the end of the day: it is allowed only as a closing time (close = "24:00")',
        '"24:00" adalah akhir hari: hanya boleh sebagai jam tutup (close = "24:00")',
    ),
    (
        '"{value}" is not a time of day; write "HH:MM" from "00:00" to "23:59"',
        '"{value}" bukan jam yang sah; tulis "HH:MM" dari "00:00" sampai "23:59"',
    ),
    ('expected a time such as "07:30", got {got}', 'harus berupa jam seperti "07:30", bukan {got}'),
    (
        '"{value}" is past midnight; a service day ends at local midnight (numbers restart '
        'then): close at "24:00" at the latest',
        '"{value}" lewat tengah malam; hari layanan berakhir pukul 00.00 waktu setempat (nomor '
        'antrean mulai lagi): tutup paling lambat "24:00"',
    ),
    (
        '"{value}" is not a closing time; write "HH:MM" from "00:01" to "24:00"',
        '"{value}" bukan jam tutup yang sah; tulis "HH:MM" dari "00:01" sampai "24:00"',
    ),
    (
        "expected a date such as 2026-12-25, got {got}",
        "harus berupa tanggal seperti 2026-12-25, bukan {got}",
    ),
    (
        'expected an array of strings such as ["A", "B"], got {got}',
        'harus berupa daftar teks seperti ["A", "B"], bukan {got}',
    ),
    ("must list at least one entry", "harus berisi paling sedikit satu nilai"),
    ("expected strings only, got {got}", "harus berisi teks saja, ada {got}"),
    ("expected {either}, got {got}", "harus {either}, bukan {got}"),
    (
        'duplicate {what} "{value}": already used by {first}',
        '{what} "{value}" sudah dipakai oleh {first}',
    ),
    ('unknown {what} "{value}"{hint}', '{what} "{value}" tidak dikenal{hint}'),
    ("no such file", "berkas tidak ada"),
    ("is a directory, not a file", "ini folder, bukan berkas"),
    ("cannot read: {reason}", "tidak dapat dibaca: {reason}"),
    ("not UTF-8 text; save the file as UTF-8", "bukan teks UTF-8; simpan berkas sebagai UTF-8"),
    ("invalid TOML: {detail}{hint}", "TOML tidak sah: {detail}{hint}"),
    # ---- building.py, settings.py ----
    ('unknown table "{name}"{hint}', 'tabel "{name}" tidak dikenal{hint}'),
    (
        "could not be read; please report this file to Antre's developers",
        "tidak dapat dibaca; laporkan berkas ini kepada pengembang Antre",
    ),
    (
        'required: add a [building] table with name and timezone = "WIB"',
        'wajib: tambahkan tabel [building] berisi name dan timezone = "WIB"',
    ),
    (
        'unknown timezone "{tz}"; use one of {zones}',
        'zona waktu "{tz}" tidak dikenal; pakai salah satu dari {zones}',
    ),
    (
        "must be between {low} and {high}, got {value}",
        "harus antara {low} dan {high}, tertulis {value}",
    ),
    ('{error}; for example template = "{template}"', '{error}; misalnya template = "{template}"'),
    (
        "expected a whole number from {low} to {high}, got {got}",
        "harus bilangan bulat {low} sampai {high}, bukan {got}",
    ),
    (
        "must be {low} to {high} words per minute, got {value}",
        "harus {low} sampai {high} kata per menit, tertulis {value}",
    ),
    (
        "expected a whole number of people from 0 to {most}, got {got}",
        "harus jumlah orang berupa bilangan bulat 0 sampai {most}, bukan {got}",
    ),
    ("must be 0 to {most} people, got {value}", "harus 0 sampai {most} orang, tertulis {value}"),
    # issue 23's [policy] closure_approval (spec A), checked in a building without a manager
    (
        "closure_approval = true needs someone to approve: add a [[managers]] entry",
        "closure_approval = true perlu orang yang menyetujui: tambahkan entri [[managers]]",
    ),
    # ---- hours.py ----
    (
        'expected "closed" or a table such as {{ open = "07:30", close = "16:00" }}, got {got}',
        'harus "closed" atau tabel seperti {{ open = "07:30", close = "16:00" }}, bukan {got}',
    ),
    (
        "opens at {open} but closes at {close}; close after open",
        "buka pukul {open} tetapi tutup pukul {close}; jam tutup harus sesudah jam buka",
    ),
    (
        "opens at {open} but closes at {close}; close after open" + _NOT_AFTER_OPEN,
        "buka pukul {open} tetapi tutup pukul {close}; jam tutup harus sesudah jam buka"
        + _NOT_AFTER_OPEN_ID,
    ),
    (
        'expected an array of ["start", "end"] pairs such as [["11:30", "13:00"]], got {got}',
        'harus berupa daftar pasangan ["mulai", "selesai"] seperti [["11:30", "13:00"]], '
        "bukan {got}",
    ),
    (
        'expected an array of ["start", "end"] pairs such as [["11:30", "13:00"]]; one entry '
        "is {got}",
        'harus berupa daftar pasangan ["mulai", "selesai"] seperti [["11:30", "13:00"]]; salah '
        "satunya {got}",
    ),
    ("break {start}–{end} ends before it starts", "istirahat {start}–{end} selesai sebelum mulai"),
    (
        "break {start}–{end} is not inside opening hours {open}–{close}",
        "istirahat {start}–{end} tidak berada di dalam jam buka {open}–{close}",
    ),
    (
        "break {start}–{end} overlaps break {start2}–{end2}",
        "istirahat {start}–{end} bertumpuk dengan istirahat {start2}–{end2}",
    ),
    (
        'required: add an [hours] table, e.g. monday = {{ open = "07:30", ... }}',
        'wajib: tambahkan tabel [hours], misalnya monday = {{ open = "07:30", ... }}',
    ),
    (
        'missing; write {key} = "closed" if the building is closed then',
        'belum diisi; tulis {key} = "closed" bila gedung tutup pada hari itu',
    ),
    ("the building is closed every day of the week", "gedung tutup setiap hari dalam seminggu"),
    (
        "ends on {end} before it starts on {start}",
        "berakhir pada {end}, sebelum mulai pada {start}",
    ),
    (
        "overlaps {first}; periods must not overlap",
        "bertumpuk dengan {first}; periode tidak boleh bertumpuk",
    ),
    (
        "cutoff {cutoff} is after closing time on every open day (latest close {close}), so "
        "it would never apply",
        "batas ambil nomor {cutoff} sesudah jam tutup pada setiap hari buka (tutup paling "
        "lambat {close}), jadi tidak akan pernah berlaku",
    ),
    (
        "cutoff {cutoff} is not after opening time on any open day (earliest open {open}), so "
        "no ticket could ever be issued",
        "batas ambil nomor {cutoff} tidak sesudah jam buka pada hari buka mana pun (buka paling "
        "awal {open}), jadi tidak akan ada nomor antrean yang bisa diambil",
    ),
    # ---- layout.py, serves.py, desks.py ----
    (
        'must be one uppercase letter A–Z, got "{value}"',
        'harus satu huruf kapital A–Z, tertulis "{value}"',
    ),
    (
        'no number in the id "{id}"; add number = N, or the label on the desk such as '
        'number = "3A"',
        'id "{id}" tidak memuat nomor; tambahkan number = N, atau label di meja seperti '
        'number = "3A"',
    ),
    (
        "loket number {number}{source} is already used by {first}; numbers are read aloud, "
        "keep them unique",
        "nomor loket {number}{source} sudah dipakai oleh {first}; nomor dibacakan, jadi harus "
        "berbeda",
    ),
    (
        'a shared desk names its agency and lines per day in [[counters.schedule]]; remove "{key}"',
        "loket bersama menyebut instansi dan layanannya per hari di [[counters.schedule]]; "
        'hapus "{key}"',
    ),
    (
        "the desk's agencies are in different zones ({zones}); add zone = the zone whose TVs "
        "show its calls",
        "instansi loket ini berada di zona berbeda ({zones}); tambahkan zone = zona yang TV-nya "
        "menampilkan panggilannya",
    ),
    (
        'no counter serves line "{prefix}"; add it to a counter\'s serves',
        'layanan "{prefix}" tidak dilayani loket mana pun; tambahkan ke serves sebuah loket',
    ),
    (
        'serves unknown line "{prefix}"{hint}',
        'melayani layanan "{prefix}" yang tidak dikenal{hint}',
    ),
    (
        'serves line "{prefix}" of agency {agency}, but {belongs}',
        'melayani layanan "{prefix}" milik instansi {agency}, padahal {belongs}',
    ),
    ("lists {values} more than once", "menyebut {values} lebih dari sekali"),
    (
        'expected a whole number or a label such as "3A", got {got}',
        'harus bilangan bulat atau label seperti "3A", bukan {got}',
    ),
    ('must be ≥ 1, got "{value}"', 'harus ≥ 1, tertulis "{value}"'),
    (
        '"{value}" is not a label the voice can read: use ' + _LABEL_RULE + "{hint}",
        '"{value}" bukan label yang dapat dibacakan suara panggilan: pakai '
        + _LABEL_RULE_ID
        + "{hint}",
    ),
    (
        "must be the desk in words, 1 to {most} characters without braces or brackets, e.g. "
        'spoken = "gerai BPJS", got "{value}"',
        "harus nama loket dalam kata-kata, 1 sampai {most} karakter tanpa kurung kurawal atau "
        'kurung siku, misalnya spoken = "gerai BPJS", tertulis "{value}"',
    ),
    (
        '{said}, as for {first}; two desks must differ: {fix} {field} = "…"',
        '{said}, sama seperti {first}; dua loket harus berbeda: {fix} {field} = "…"',
    ),
    (
        'the voice would say "{words}", as for {first}; two desks must differ: change the '
        'label or set spoken = "…"',
        'suara panggilan akan menyebut "{words}", sama seperti {first}; dua loket harus '
        'terdengar berbeda: ubah labelnya atau isi spoken = "…"',
    ),
    (
        'TVs would show "{name}", as for {first}; two desks must differ: give each desk its '
        'own name = "…"',
        'TV akan menampilkan "{name}", sama seperti {first}; dua loket harus berbeda: beri '
        'setiap loket name = "…" sendiri',
    ),
    (
        "the [voice] template has no {{desk}}, so this would never be said; write {{desk}} "
        'where the desk is named, e.g. template = "Nomor antrean {{number}}, silakan menuju '
        '{{desk}}[, {{agency}}]"',
        "templat [voice] tidak memuat {{desk}}, jadi ini tidak akan pernah diucapkan; tulis "
        '{{desk}} di tempat loket disebut, misalnya template = "Nomor antrean {{number}}, '
        'silakan menuju {{desk}}[, {{agency}}]"',
    ),
    # ---- part_week.py ----
    ('"{value}" is not a day of the week{hint}', '"{value}" bukan nama hari{hint}'),
    ('lists "{value}" more than once', 'menyebut "{value}" lebih dari sekali'),
    (
        "expected an array of tables: write [[counters.schedule]], one per agency",
        "harus berupa daftar tabel: tulis [[counters.schedule]], satu per instansi",
    ),
    (
        "expected one [[counters.schedule]] table per agency, with days, agency and serves; "
        "got {got}",
        "harus satu tabel [[counters.schedule]] per instansi, berisi days, agency dan serves; "
        "bukan {got}",
    ),
    (
        "{day} is already given to another agency by {first}; a desk belongs to one agency a day",
        "hari {day} sudah diberikan kepada instansi lain oleh {first}; satu loket milik satu "
        "instansi per hari",
    ),
    (
        "the building is closed on {days} (see [hours]); a service cannot open then",
        "gedung tutup pada hari {days} (lihat [hours]); layanan tidak dapat buka saat itu",
    ),
    (
        "opens at {open}, before the building opens at {open2} on {day}; open within the "
        "building's "
        "hours",
        "buka pukul {open}, sebelum gedung buka pukul {open2} pada hari {day}; buka di dalam "
        "jam buka gedung",
    ),
    (
        "closes at {close}, after the building closes at {close2} on {day}; close within the "
        "building's hours",
        "tutup pukul {close}, sesudah gedung tutup pukul {close2} pada hari {day}; tutup di "
        "dalam jam buka gedung",
    ),
    (
        "{agency} does not come on {days} (its days: {days2}); a line serves only on its "
        "agency's days",
        "{agency} tidak hadir pada hari {days} (harinya: {days2}); layanan hanya buka pada hari "
        "instansinya",
    ),
    (
        "opens at {open}, before {agency} opens at {open2}",
        "buka pukul {open}, sebelum {agency} buka pukul {open2}",
    ),
    (
        "closes at {close}, after {agency} closes at {close2}",
        "tutup pukul {close}, sesudah {agency} tutup pukul {close2}",
    ),
    (
        "the building is closed on {days} (see [hours])",
        "gedung tutup pada hari {days} (lihat [hours])",
    ),
    (
        "{agency} does not come on {days} (its days: {days2})",
        "{agency} tidak hadir pada hari {days} (harinya: {days2})",
    ),
    (
        'line "{prefix}" is open on {day} but no counter serves it that day; give it a counter '
        "on {day} (a counter's serves, or a shared desk's schedule) or leave the day out of "
        "its days",
        'layanan "{prefix}" buka pada hari {day} tetapi tidak ada loket yang melayaninya hari '
        "itu; beri loket pada hari {day} (serves sebuah loket, atau schedule loket bersama) "
        "atau keluarkan hari itu dari days-nya",
    ),
    # ---- people.py ----
    (
        "looks like a plain PIN; store only its hash: " + _HASH_PIN,
        "tampaknya PIN biasa; simpan hanya hash-nya: " + _HASH_PIN_ID,
    ),
    ("not a PIN hash ({got}); " + _HASH_PIN, "bukan hash PIN ({got}); " + _HASH_PIN_ID),
    ("missing PIN hash; " + _HASH_PIN, "hash PIN belum diisi; " + _HASH_PIN_ID),
    (
        "this is the SHA-256 of an empty token; hash the real token",
        "ini SHA-256 dari token kosong; buat hash dari token yang sebenarnya",
    ),
    ("not a SHA-256 digest ({got}); " + _TOKEN, "bukan hash SHA-256 ({got}); " + _TOKEN_ID),
    ("missing token digest; " + _TOKEN, "hash token belum diisi; " + _TOKEN_ID),
    (
        'required for a tablet: the counter it faces, e.g. counter = "L01"',
        'wajib untuk tablet: loket yang dihadapinya, misalnya counter = "L01"',
    ),
    (
        'only a tablet (kind = "tablet") faces a counter: remove it from this "{kind}" device',
        'hanya tablet (kind = "tablet") yang menghadap loket: hapus dari perangkat "{kind}" ini',
    ),
    (
        "is also a device's token digest; give each its own",
        "sama dengan hash token sebuah perangkat; beri masing-masing token sendiri",
    ),
    # ---- delivery.py ----
    (
        "{got} is not a building id: use 1–40 lowercase letters, digits and hyphens, starting "
        'and ending with a letter or digit, e.g. "mpp-kota-contoh"',
        "{got} bukan id gedung: pakai 1–40 huruf kecil, angka dan tanda hubung, diawali dan "
        'diakhiri huruf atau angka, misalnya "mpp-kota-contoh"',
    ),
    (
        'add id = "…" (e.g. "mpp-kota-contoh"): every delivery to [[webhooks]] and [central] '
        "names the building by it",
        'tambahkan id = "…" (misalnya "mpp-kota-contoh"): setiap kiriman ke [[webhooks]] dan '
        "[central] menyebut gedung dengan id itu",
    ),
    (
        '"central" is [central]\'s; give the webhook another id',
        '"central" milik [central]; beri webhook ini id lain',
    ),
    (
        'expected a URL such as "https://portal.example/antre", got {got}',
        'harus berupa URL seperti "https://portal.example/antre", bukan {got}',
    ),
    (
        '"{value}" is not an http:// or https:// URL with a host',
        '"{value}" bukan URL http:// atau https:// dengan nama host',
    ),
    (
        "must not hold a user or password: the signature is the credential",
        "tidak boleh memuat nama pengguna atau sandi: tanda tangan itulah kredensialnya",
    ),
    (
        'unknown event type "{kind}"{hint}; docs/protocol.md lists them',
        'jenis peristiwa "{kind}" tidak dikenal{hint}; daftarnya ada di docs/protocol.md',
    ),
    ("must be from {low} to {high}, got {value}", "harus {low} sampai {high}, tertulis {value}"),
    (
        "no such file: {path}; make it with " + _SECRET,
        "berkas tidak ada: {path}; buat berisi " + _SECRET_ID,
    ),
    ("cannot read {path}: {reason}", "{path} tidak dapat dibaca: {reason}"),
    (
        "{path} holds {size} bytes; a secret must be " + _SECRET,
        "{path} berisi {size} bita; rahasia harus " + _SECRET_ID,
    ),
    # ---- booking.py, survey.py ----
    ("expected a whole number {span}, got {got}", "harus bilangan bulat {span}, bukan {got}"),
    ("must be {span}{unit}, got {value}", "harus {span}{unit}, tertulis {value}"),
    (
        f'expected an address such as "{_URL}", got "{{value}}"',
        f'harus berupa alamat seperti "{_URL}", tertulis "{{value}}"',
    ),
    (
        '"{value}" has a space in it; write the address without spaces',
        '"{value}" memuat spasi; tulis alamat tanpa spasi',
    ),
    (
        '"{value}" has a query or a fragment (after ? or #); the pages add their own paths to '
        f'it: write only the base, such as "{_URL}"',
        '"{value}" memuat kueri atau fragmen (sesudah ? atau #); halaman menambahkan jalurnya '
        f'sendiri: tulis alamat dasarnya saja, seperti "{_URL}"',
    ),
    (
        '"{value}" names a user; links printed in QR codes carry no credentials',
        '"{value}" memuat nama pengguna; tautan yang dicetak dalam kode QR tidak membawa '
        "kredensial",
    ),
    (
        "expected an array of addresses such as {example}, got {got}",
        "harus berupa daftar alamat seperti {example}, bukan {got}",
    ),
    (
        '"{value}" is not an IP address or network such as "10.0.0.5"',
        '"{value}" bukan alamat IP atau jaringan seperti "10.0.0.5"',
    ),
    (
        "{size} characters; at most {most}: say what to bring in a sentence or two",
        "{size} karakter; paling banyak {most}: sebutkan yang perlu dibawa dalam satu atau dua "
        "kalimat",
    ),
    (
        "places and priority_places are both 0: a slot would take no booking; give at least "
        "one place, or remove [lines.booking]",
        "places dan priority_places sama-sama 0: slot tidak akan menerima pemesanan; beri "
        "paling sedikit satu tempat, atau hapus [lines.booking]",
    ),
    (
        "{minutes} minutes is as long as the whole booking window (days_ahead = {ahead}: every "
        "slot starts within {furthest} minutes), so no slot could ever be booked",
        "{minutes} menit sama panjang dengan seluruh rentang pemesanan (days_ahead = {ahead}: "
        "setiap slot mulai dalam {furthest} menit), jadi tidak ada slot yang bisa dipesan",
    ),
    (
        "release_unused_at {at} is not after the line opens on any of its days (earliest "
        "{open}): every booked place would go to walk-in citizens before the first slot",
        "release_unused_at {at} tidak sesudah layanan buka pada hari mana pun (paling awal "
        "{open}): semua tempat pesanan akan diberikan kepada warga yang datang langsung "
        "sebelum slot pertama",
    ),
    (
        "release_unused_at {at} is not before the line stops issuing tickets on any of its "
        "days (latest {close}, its closing or cutoff): unused places would never reach walk-in "
        "citizens",
        "release_unused_at {at} tidak sebelum layanan berhenti memberi nomor antrean pada hari "
        "mana pun (paling lambat {close}, jam tutup atau batas ambil nomornya): tempat yang "
        "tidak terpakai tidak akan pernah sampai kepada warga yang datang langsung",
    ),
    (
        "expected an array of minutes such as {example}, got {got}",
        "harus berupa daftar menit seperti {example}, bukan {got}",
    ),
    (
        "must list at least one edge, such as {example}",
        "harus berisi paling sedikit satu batas, seperti {example}",
    ),
    (
        "expected whole minutes such as {example}, got {got}",
        "harus berupa menit (bilangan bulat) seperti {example}, bukan {got}",
    ),
    (
        "each edge must be from {low} to {high} minutes, got {value}",
        "setiap batas harus {low} sampai {high} menit, tertulis {value}",
    ),
    (
        "edges must be in ascending order, each once: {after} after {before}",
        "batas harus urut naik, masing-masing sekali: {after} sesudah {before}",
    ),
    # ---- visits.py ----
    (
        'expected an array of line prefixes such as ["B"], got {got}',
        'harus berupa daftar prefiks layanan seperti ["B"], bukan {got}',
    ),
    ('names line "{prefix}" twice', 'menyebut layanan "{prefix}" dua kali'),
    (
        'line "{prefix}" cannot require itself',
        'layanan "{prefix}" tidak dapat mensyaratkan dirinya sendiri',
    ),
    ('unknown line "{prefix}"{hint}', 'layanan "{prefix}" tidak dikenal{hint}'),
    (
        "lines require each other in a circle ({path}): no visit holding them could be "
        "ordered; remove one of these requires",
        "layanan saling mensyaratkan secara melingkar ({path}): kunjungan yang memuatnya tidak "
        "dapat diurutkan; hapus salah satu requires ini",
    ),
)


# ---- matching ------------------------------------------------------------------------------

_TABLES: Mapping[str, Table] = {"": TEMPLATES, **KINDS}
_FORMATTER = string.Formatter()
_DIGITS = "0123456789"


def _kind(name: str) -> str:
    """A placeholder's kind: its name without a trailing number ("days2" is a "days")."""
    return name.rstrip(_DIGITS)


def _fields(template: str) -> list[tuple[str, str | None]]:
    """The template as (literal text, placeholder name or None) pairs; "{{" is a brace."""
    return [(literal, name) for literal, name, _, _ in _FORMATTER.parse(template)]


def _literal_length(template: str) -> int:
    return sum(len(literal) for literal, _ in _fields(template))


def _regex(template: str, top: bool) -> str:
    """The regular expression of an English template. At the top, placeholders are named
    groups (a repeated one must repeat its text); a kind's placeholder matches only its
    kind's phrases, so "must be {span}{unit}" splits "from 1 to 60 days" where it should."""
    out: list[str] = []
    named: set[str] = set()
    for literal, name in _fields(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        kind = _kind(name)
        if kind in KINDS:
            inner = "|".join(_regex(en, top=False) for en, _ in KINDS[kind])
        elif kind in _NARROW:
            inner = _NARROW[kind]
        else:
            inner = ".*?"
        if not top:
            out.append(f"(?:{inner})")
        elif name in named:
            out.append(f"(?P={name})")
        else:
            named.add(name)
            out.append(f"(?P<{name}>{inner})")
    return "".join(out)


@cache
def _compiled(table: str) -> list[tuple[re.Pattern[str], str]]:
    """A table's patterns, the most specific (most literal text) first."""
    pairs = sorted(_TABLES[table], key=lambda pair: -_literal_length(pair[0]))
    return [(re.compile(_regex(en, top=True), re.DOTALL), id_) for en, id_ in pairs]


def _listed(items: Sequence[str], last: str) -> str:
    """Indonesian list: "Senin", "Senin dan Jumat", "Senin, Rabu, dan Jumat" (PUEBI's comma)."""
    if len(items) < 3:
        return f" {last} ".join(items)
    return ", ".join(items[:-1]) + f", {last} " + items[-1]


def _days(text: str) -> str | None:
    names = [_WEEKDAYS.get(day) for day in text.split(", ")]
    return _listed([n for n in names if n], "dan") if all(names) else None


def _translate(table: str, text: str) -> str | None:
    for pattern, words in _compiled(table):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values: dict[str, str] = {}
        for name, value in match.groupdict().items():
            kind = _kind(name)
            if kind in KINDS:
                said = _translate(kind, value)
            elif kind == "days":
                said = _days(value)
            elif kind == "either":
                said = value.replace('" or "', '" atau "')
            elif kind == "weekdays":
                said = _listed(value.split(", "), "atau")
            else:
                said = value  # an id, a key, a value from the file: as written
            if said is None:
                break
            values[name] = said
        else:
            return words.format(**values)
    return None


def translate(message: str) -> str | None:
    """The Indonesian of one of the config check's English messages; None if it has none."""
    return _translate("", message)


_untranslated: set[str] = set()  # logged once each, so a busy admin does not flood the log


def indonesian(message: str) -> str:
    """The message in Indonesian, or as it is (and logged once) when the table has no words
    for it: an administrator still learns what is wrong, and the developers what to add."""
    said = translate(message)
    if said is not None:
        return said
    if message not in _untranslated and len(_untranslated) < 1000:
        _untranslated.add(message)
        log.warning("config problem without Indonesian words, shown in English: %s", message)
    return message
