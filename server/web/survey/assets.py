"""The citizen's voice pages' static files: a fixed whitelist in server/web/static/.

`/static/survey.css` styles the survey, complaint, exit, tablet and IKM pages; the counter
tablet's page adds `/static/tablet.css` and its script `/static/tablet.js`. Matched by the router
before the TV's `/static/` (whose names they do not share), never a path from the request.
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Final

from websockets.http11 import Response

from server.web.responses import response

__all__ = ["ASSETS", "asset_response"]

_STATIC: Final = Path(__file__).resolve().parent.parent / "static"
ASSETS: Final = {
    "/static/survey.css": ("survey.css", "text/css; charset=utf-8"),
    "/static/tablet.css": ("tablet.css", "text/css; charset=utf-8"),
    "/static/tablet.js": ("tablet.js", "text/javascript; charset=utf-8"),
}


@cache
def _read(name: str) -> bytes:
    return (_STATIC / name).read_bytes()


def asset_response(path: str) -> Response | None:
    """One of ASSETS as an HTTP answer (revalidated: a tablet runs for weeks); None otherwise."""
    entry = ASSETS.get(path)
    if entry is None:
        return None
    name, content_type = entry
    return response(HTTPStatus.OK, _read(name), content_type, cache_control="no-cache")
