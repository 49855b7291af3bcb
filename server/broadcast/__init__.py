"""What each client sees, and how it gets there without waiting.

views.py         pure views: tickets, counters, lines, the building, per-role snapshots, and
                 each audience's form of an event (no sessions, no asyncio)
broadcaster.py   the fan-out: sessions by audience, events encoded once per form, the paced
                 `lines` and `next` pushes
ticket_watch.py  the phone pages' push: each `ticket` session's own ticket when it changed
pacing.py        the timer both pushes share: coalesce changes, refresh as time passes
"""
