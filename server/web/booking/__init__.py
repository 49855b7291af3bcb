"""The public booking pages (`/pesan`, `/pesan/<token>`) and the integrators' API (`/api/v1/`).

Issue 19: a citizen books a slot from a phone, without an account, and gets a booking code, its
QR code and a page of their own; a regency portal books through the JSON API. One job a module:

- `site`: the pages' routes, GET and POST (`BookingSite`); `api`: the JSON API (`PortalApi`);
- `visit_site`, `visit_pages`: a visit of several services booked at once (issue 22): its steps
  on `/pesan?kunjungan=1` and their HTML;
- `desk`: the one place that reads the engine's booking book and runs booking commands;
- `pages`: the HTML, pure, from `views` (plain values); `texts`: every word, Indonesian and
  English; `fields`: the form's name, NIK and phone checked; `qr`: the code as inline SVG;
- `csrf`: form tokens bound to a cookie, the Origin check; `limits`: the per-address rate
  limiter and who is asking behind a trusted reverse proxy.

Nothing is re-exported here.
"""

__all__: list[str] = []
