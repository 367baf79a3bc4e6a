"""`/scripts`: the script library — the office writes and uploads scripts, the police approve them.

HTTP glue only: files, checks and versions are `programs.editing` and `programs.approval`; the preview is
`programs.preview` (what `loa preview` uses). A script id in a URL is checked against the library's id
pattern before any file is looked up, so no URL reaches a path outside `scripts.dir`.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.content.errors import ScriptError
from loa114.content.speech import explain
from loa114.scheduler.accounts import Role
from loa114.scheduler.errors import InputError
from loa114.scheduler.programs.approval import approve, current_versions, history
from loa114.scheduler.programs.editing import (
    MAX_SCRIPT_BYTES,
    RESERVED_IDS,
    decode_script,
    entries,
    findings,
    is_script_id,
    save_script,
    script_file,
)
from loa114.scheduler.programs.preview import preview, read_script
from loa114.scheduler.web.auth import Office, OfficeOrPolice, Police
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import render

router = APIRouter(include_in_schema=False)
page("/scripts", "Kịch bản", Role.OFFICE, Role.POLICE, Role.PROVINCE)  # province: read only

NEW_SCRIPT = """---
id: {id}
title: Tiêu đề bài phát thanh
slots: [sang, chieu]
priority: 5
---
Kính thưa bà con nhân dân xã {{{{ commune.name }}}}.
"""
ContentField = Annotated[str, Form(max_length=MAX_SCRIPT_BYTES)]


def _file(web: WebContext, script_id: str) -> Path:
    """The file of an existing script, or 404 (ids that are not library ids included: no traversal)."""
    path = script_file(web.config.scripts.dir, script_id) if is_script_id(script_id) else None
    if path is None:
        raise HTTPException(404, f"Không có kịch bản '{script_id[:100]}'.")
    return path


def _today(web: WebContext) -> date:
    return web.now().astimezone(web.config.tz).date()


@router.get("/scripts", response_class=HTMLResponse)
def script_list(request: Request, principal: OfficeOrPolice) -> Response:
    web = WebContext.of(request)
    now = web.now()
    rows = entries(web.config, now)
    versions = current_versions(web.store, [(e.id, e.path) for e in rows if is_script_id(e.id)], now)
    return render(
        request,
        "scripts.html",
        principal,
        rows=rows,
        versions=versions,
        linkable={e.id for e in rows if is_script_id(e.id)},
        require_approval=web.config.scripts.require_approval,
        can_write=principal.may(Role.OFFICE),
        max_kb=MAX_SCRIPT_BYTES // 1000,
    )


@router.get("/scripts/new", response_class=HTMLResponse)
def new_form(request: Request, principal: Office) -> Response:
    return render(request, "script_new.html", principal, content=NEW_SCRIPT.format(id="ma-bai-moi"))


def _create(web: WebContext, script_id: str, text: str, author: str) -> Response:
    if script_id in RESERVED_IDS:
        raise InputError(f"mã bài '{script_id}' dành riêng cho trang web; hãy chọn mã khác")
    if is_script_id(script_id) and script_file(web.config.scripts.dir, script_id) is not None:
        raise InputError(f"đã có bài '{script_id}'; hãy mở bài đó trong danh sách để sửa")
    saved = save_script(web.config, web.store, script_id, text, author=author, now=web.now())
    return RedirectResponse(f"/scripts/{saved.script_id}?saved=1", status_code=303)


@router.post("/scripts/new")
def create(
    request: Request,
    principal: Office,
    content: ContentField,
    script_id: Annotated[str, Form(max_length=100)],
) -> Response:
    web = WebContext.of(request)
    text = decode_script(content.encode("utf-8"), "nội dung")
    return _create(web, script_id.strip(), text, principal.name)


@router.post("/scripts/upload")
def upload(request: Request, principal: Office, file: Annotated[UploadFile, File()]) -> Response:
    """A .txt file saved from Notepad or Word: its name is the script id; an existing script is replaced."""
    web = WebContext.of(request)
    name = Path(file.filename or "").name
    if not name.lower().endswith(".txt"):
        raise InputError(
            f"tệp '{name[:100]}': chỉ nhận tệp văn bản .txt (trong Word: Lưu thành… → Plain Text)"
        )
    script_id = name[:-4]
    if not is_script_id(script_id) or script_id in RESERVED_IDS:
        raise InputError(
            f"tệp '{name[:100]}': tên tệp là mã bài, chỉ dùng chữ thường không dấu, số và '-', ví dụ goi-114.txt"
        )
    text = decode_script(file.file.read(MAX_SCRIPT_BYTES + 1), f"tệp '{name}'")
    saved = save_script(web.config, web.store, script_id, text, author=principal.name, now=web.now())
    return RedirectResponse(f"/scripts/{saved.script_id}?saved=1", status_code=303)


@router.get("/scripts/{script_id}", response_class=HTMLResponse)
def edit_form(
    request: Request,
    principal: OfficeOrPolice,
    script_id: str,
    saved: bool = False,
    approved: bool = False,
) -> Response:
    web = WebContext.of(request)
    path, now = _file(web, script_id), web.now()
    version = current_versions(web.store, [(script_id, path)], now).get(script_id)
    content = path.read_bytes().decode("utf-8", errors="replace")
    lines = content.split("\n")
    found = findings(web.config, path, now)
    return render(
        request,
        "script_edit.html",
        principal,
        script_id=script_id,
        file_path=path,
        content=content,
        line_text=lambda n: lines[n - 1] if n and 0 < n <= len(lines) else "",
        findings=found,
        version=version,
        versions=history(web.store, script_id),
        can_write=principal.may(Role.OFFICE),
        can_approve=principal.may(Role.POLICE),
        require_approval=web.config.scripts.require_approval,
        saved=saved,
        approved=approved,
    )


@router.post("/scripts/{script_id}")
def update(request: Request, principal: Office, script_id: str, content: ContentField) -> Response:
    web = WebContext.of(request)
    _file(web, script_id)
    text = decode_script(content.encode("utf-8"), "nội dung")
    save_script(web.config, web.store, script_id, text, author=principal.name, now=web.now())
    return RedirectResponse(f"/scripts/{script_id}?saved=1", status_code=303)


@router.post("/scripts/{script_id}/approve")
def approve_version(
    request: Request,
    principal: Police,
    script_id: str,
    sha256: Annotated[str, Form(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")],
) -> Response:
    web = WebContext.of(request)
    current_versions(web.store, [(script_id, _file(web, script_id))], web.now())  # the file as it is now
    approve(web.store, script_id, sha256, principal.name, web.now())
    return RedirectResponse(f"/scripts/{script_id}?approved=1", status_code=303)


@router.get("/scripts/{script_id}/preview", response_class=HTMLResponse)
def preview_page(request: Request, principal: OfficeOrPolice, script_id: str) -> Response:
    web = WebContext.of(request)
    _file(web, script_id)
    studio = web.station.app.studio
    try:
        reading = read_script(studio, script_id, _today(web), web.now())
    except ScriptError as exc:
        raise InputError(f"bài '{script_id}' chưa dựng được: {exc.message}") from exc
    return render(
        request,
        "script_preview.html",
        principal,
        script_id=script_id,
        reading=reading,
        rewrites=explain(reading.text, studio.speech),
    )


@router.get("/scripts/{script_id}/preview.mp3")
def preview_audio(request: Request, principal: OfficeOrPolice, script_id: str) -> Response:
    """The script spoken as it would air today, rendered on demand (seconds) and never stored."""
    web = WebContext.of(request)
    _file(web, script_id)
    with tempfile.TemporaryDirectory(prefix="loa-web-preview-") as tmp:
        output = Path(tmp) / "preview.mp3"
        try:
            preview(web.station.app.studio, script_id, _today(web), output, web.now())
        except ScriptError as exc:
            raise InputError(f"bài '{script_id}' chưa dựng được: {exc.message}") from exc
        data = output.read_bytes()
    return Response(data, media_type="audio/mpeg", headers={"Cache-Control": "no-store"})
