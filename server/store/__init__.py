"""The durable store: the only package that opens SQLite for writing or knows its schema.

Theory of operation: the truth is an append-only event log (`events`, one row per event, `seq`
gapless and increasing). Beside it, in the same transaction as the events that changed them, the
store keeps current-state tables (`tickets`, `counters`) so that a report or the citizen's ticket
page can read a row instead of replaying a day.

Writes: one plain `sqlite3` connection owned by a thread of its own (`_Writer`). The event loop
queues a write (`Store.write`: the rows are made at once, on the loop) and carries on; the thread
commits it and reports back on the loop. While it commits, new writes queue up; it then commits
all of them together (group commit) without waiting for the loop. A commit is ONE SQL statement
(an INSERT into a TEMP view whose trigger files each row in its table), run in autocommit mode:
the statement is the transaction. Why so few hand-offs and statements: sqlite3 releases the GIL
around each statement, and a thread that wants it back competes with a busy event loop; that
wait, paid per statement, was most of what a commit cost (docs/benchmarks.md, "Profile
findings"). Writes commit, and are reported, in the order they were queued, and one queued
behind a failed write fails with it, so the log never gets a gap.

Durability: WAL journal with `synchronous=FULL`, so a commit that was reported is on disk even
if the machine loses power: SQLite fsyncs the WAL before the statement returns. Reads use a
second, read-only connection (aiosqlite): under WAL it reads the last committed state without
waiting for the writer's fsync, and it never sees a half-written transaction.

The schema is versioned: `MIGRATIONS` is an ordered list applied on open, each in its own
transaction with the version bump. A file written by a newer Antre is refused, never guessed at.

The rooms: `schema` (migrations, pragmas), `rows` (events, tickets and counters as SQL rows;
the one-statement commit), `writer` (the writing thread), `live` (`Store`, the server's async
API), `offline` (`StoreReader`: the synchronous, read-only API of `antre report` and
`antre backup`, which never take the writer's lock).
"""

from server.store.live import Store
from server.store.offline import LogEntry, LogPosition, StoreReader
from server.store.rows import StoredEvent
from server.store.schema import LATEST_VERSION, MIGRATIONS, Migration, SchemaTooNew, StoreError

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "LogEntry",
    "LogPosition",
    "Migration",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "StoreReader",
    "StoredEvent",
]
