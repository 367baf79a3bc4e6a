"""`GET /metrics`: the process's Prometheus metrics (text format), for a scraper holding an API token.

Prometheus has no session, so the route takes `Authorization: Bearer <token>` of a token whose role is
police or admin (`loa tokens create … --role police`; in prometheus.yml `authorization: {credentials_file:
…}`); a signed-in police officer or admin may open it in a browser too. It is not open to loopback without
a token: behind a reverse proxy on the same machine every request would come from loopback.

The text is produced from memory (`service.metrics`: events and the heartbeat feed it), never from a
query made for the request; only the token is looked up.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from loa114.scheduler.service.metrics import CONTENT_TYPE
from loa114.scheduler.web.auth import Police
from loa114.scheduler.web.context import WebContext

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, _principal: Police) -> Response:
    exposition = WebContext.of(request).station.app.metrics.exposition()
    return Response(exposition, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
