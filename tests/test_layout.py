"""The installed layout: every package folder is listed in pyproject.toml, and code imports only
through `loa114.` (the top-level names `content`, `audio`, `scheduler` are not installed)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from loa114.content import library
from loa114.scheduler.config.model import Scripts

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("content", "audio", "scheduler")


def test_every_package_folder_is_installed() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {
        "loa114." + ".".join(init.parent.relative_to(ROOT).parts)
        for folder in FOLDERS
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk
    assert setuptools["package-dir"] == {f"loa114.{folder}": folder for folder in FOLDERS}


def test_no_module_imports_the_bare_folder_names() -> None:
    bare = []
    for path in [*ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            bare += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FOLDERS]
    assert bare == []


def test_a_config_without_scripts_reads_the_shipped_ones() -> None:
    assert Scripts().dir == ROOT / "content" / "scripts" == library.SHIPPED_DIR
    assert any(Scripts().dir.glob("*.txt"))
