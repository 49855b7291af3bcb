"""Everything the server answers a browser, on the websocket's port.

- `routes`: the router websockets asks before each upgrade (`WebRoutes`), /healthz, the index,
  404 and 500 pages.
- `responses`: the one HTTP response helper every route answers with.
- `tv`: the TV page, its assets (display/web/, read as files) and each call's audio (`TvPage`).
- `voice`: terbilang, the call phrase, espeak-ng's audio and its cache, the chime.
- `phone`: the citizen's page `/t/<token>` and `public_view`, what a phone may know; its script
  and style are in `static/`.

Nothing is re-exported here, so that the hub's import of `phone` drags in nothing else.
"""

__all__: list[str] = []
