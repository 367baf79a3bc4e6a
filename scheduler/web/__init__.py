"""The web side of the service: the process that serves it, `/healthz`, the pages and the JSON API.

Owns: `serve` (the `loa serve` process: the runtime and the HTTP server), `health` (`/healthz`), `app`
(the FastAPI application and its middleware), `auth` (who is asking: session or API token, and whether
their role may), `pages/` (the Vietnamese pages), `api` (the JSON API under /api/v1), `templates/` and
`static/` (served by the service itself: no CDN), `programfiles` (dates typed by people, program folders and
their audio found from URL ids without leaving `playout.dir`).

May import every room below it (`service`, `programs`, `campaign`, `accounts`, ...). Only `cli` imports it.
"""
