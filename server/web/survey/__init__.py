"""The citizen's voice (issue 20): the SKM survey and complaints, tied to the visit.

Where a citizen answers and what the public reads, one job a module:

- `site`: the router's entry (`VoiceSite`) and a ticket's survey and complaint forms, GET and
  POST (`/t/<token>/survei`, `/t/<token>/pengaduan`); `phone_part`: the phone page `/t/<token>`
  with the survey's and complaints' section, today's ticket live, an earlier day's read-only;
- `exit_page`: the exit kiosk (`/keluar`); `tablet`: the counter tablet's page (`/tablet`, its
  script server/web/static/tablet.js); `public`: the public `/ikm` page and the TVs' running text;
- `pages` and `views`: pure HTML from plain values; `texts`: every word, Indonesian and English;
  `forms`: the forms read and checked at the edge (pure); `assets`: the pages' static files.

The data comes from server/voice_api.py (`VoiceApi`), the questionnaire and the figures from
server/core/skm.py, the complaint rules from server/core/complaints.py. Nothing is re-exported.
"""

__all__: list[str] = []
