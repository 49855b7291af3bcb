"""The hub's door to the building edit model (server/config/edits.py, issue 23).

The live side (server/hub/admin.py, server/engine.py) reads an edit only through these names,
so that the model's module stays the one place that knows the building's TOML document.
"""

from __future__ import annotations

from server.config.edits import (
    KINDS,
    Edit,
    EditRefused,
    all_entities,
    apply_edit,
    apply_edits,
    describe,
    entities,
    entity,
    inverse,
)

__all__ = [
    "KINDS",
    "Edit",
    "EditRefused",
    "all_entities",
    "apply_edit",
    "apply_edits",
    "describe",
    "entities",
    "entity",
    "inverse",
]
