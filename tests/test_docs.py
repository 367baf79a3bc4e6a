"""Docs kept honest: every config key is in the README's reference, and the README starts right."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from loa114.scheduler.config import Config

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def config_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        key = f"{prefix}{name}"
        nested = _model_of(field.annotation)
        is_list = get_origin(field.annotation) is list
        if nested is not None:
            keys += config_keys(nested, f"{key}[]." if is_list else f"{key}.")
        else:
            keys.append(key)
    return keys


def test_every_config_key_is_documented() -> None:
    documented = set(re.findall(r"^\| `([^`]+)`", README, flags=re.MULTILINE))
    missing = [key for key in config_keys(Config) if key not in documented]
    assert missing == []


def test_readme_starts_with_make_run_and_make_test() -> None:
    commands = re.findall(r"^(make \w+)$", README, flags=re.MULTILINE)
    assert commands[:2] == ["make run", "make test"]
