"""`antre simulate`: a day of the building replayed, offline on the calling policy or live.

`day` draws the citizens of a day from a seed; `run` serves them with the pure calling policy
(or FIFO) on every counter of the building; `fairness` checks the policy's three targets against
FIFO on the listed days; `alternatives` holds the rule tried beside the building's (accumulating
priority); `live` drives the same day through a running server with real clients; `cli` is the
command. The simulator is a tool, not part of the pure core: it may load the real building.
"""
