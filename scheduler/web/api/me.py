"""`GET /api/v1/me`: who a session or token is (a system checks its token with it)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from loa114.scheduler.web.auth import Anyone

router = APIRouter(tags=["tài khoản"])


class Me(BaseModel):
    name: str
    role: str
    village_id: str | None
    via_token: bool


@router.get("/me", response_model=Me, summary="Tài khoản hoặc mã truy cập đang dùng")
def me(principal: Anyone) -> Me:
    return Me(
        name=principal.name,
        role=principal.role.value,
        village_id=principal.village_id,
        via_token=principal.via_token,
    )
