"""The JSON API under /api/v1 (documented at /api/v1/openapi.json), for IP radio platforms and dashboards.

Auth: the session cookie or `Authorization: Bearer TOKEN` (`loa tokens create`). One module per subject,
each with an `APIRouter` named `router`, listed in `MODULES`.
"""

MODULES: list[str] = ["me", "broadcasts", "campaign", "province"]
