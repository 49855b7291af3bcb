"""The queue core: pure rules, no I/O, no clock (time comes in as an aware `now`).

Where things live:
- `model`: states, tickets, commands, DomainError; `events`: the events, their dict form and
  audiences, and `read_event`; `building`: the frozen configuration.
- `queue`: `QueueState`, the one object: `handle(command, now) -> events`, `apply`, the figures;
  made of `state` (the day in memory and `apply`, the fold), `decide` (command -> events) and
  `figures` (LineView, places in line, waits, previews: pure reads).
- `waitlist`: one line's waiting tickets in calling order, and each ticket's position.
- `transitions`: the ticket and counter transition tables; `errors`: refusal codes and messages.
- `numbering`: "A-017" and ticket ids; `calendar`: hours per day; `issuing`: hours, cutoff, quotas.
- `policy`: who is called next; `estimates`: waiting-time figures.
- `visits`: one visit, several agencies (issue 22): `Itinerary`, `Stop`, the credit rule, the
  kiosk's proposed order, and the decisions of `StartVisit`, `AddStop`, `SkipStop` and the hand-on.
- `voice_text`: the reading styles and the call's phrase template (used by config and the TVs).

Nothing is re-exported here, so importing one module never drags in the others.
"""

__all__: list[str] = []
