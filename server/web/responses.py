"""The one way a browser is answered: a complete HTTP response, then the connection closes.

Every route of server/web builds its answer here, so that every page, asset and error carries the
same headers: a date, `Connection: close`, no MIME sniffing, and `no-store` unless the route says
how its body may be cached (the TV's assets and audio do).
"""

from __future__ import annotations

import email.utils
import html
from collections.abc import Mapping
from http import HTTPStatus

from websockets.datastructures import Headers
from websockets.http11 import Response

__all__ = ["html_page", "response"]

# The shell of the small pages the server writes itself: the index, the 404 and 500 pages, and a
# phone's "ticket not found".
_PAGE = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 32rem; padding: 0 1rem;
       color: #1a1a1a; }}
.number {{ font-size: 4rem; font-weight: 700; margin: .5rem 0; letter-spacing: .05em; }}
.state {{ font-size: 1.5rem; font-weight: 600; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }}
dt {{ color: #555; }}
small {{ color: #666; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def response(
    status: HTTPStatus,
    body: bytes,
    content_type: str,
    *,
    cache_control: str = "no-store",
    extra: Mapping[str, str] | None = None,
) -> Response:
    """A complete response; `extra` headers (a page's CSP, the TV's phrase) come last."""
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", content_type),
            ("Cache-Control", cache_control),
            ("X-Content-Type-Options", "nosniff"),
            *(extra or {}).items(),
        ]
    )
    return Response(status.value, status.phrase, headers, body)


def html_page(status: HTTPStatus, title: str, body: str) -> Response:
    """A small server-made page: `body` is trusted HTML, the title is escaped."""
    text = _PAGE.format(title=html.escape(title), body=body)
    return response(status, text.encode("utf-8"), "text/html; charset=utf-8")
