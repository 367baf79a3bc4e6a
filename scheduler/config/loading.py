"""Reading `config.yaml`: one line naming the file, the YAML line and the key path for any bad value
(`config.yaml:42: slots[1].time: ...`), and relative paths resolved against the config file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from loa114.scheduler.config.model import Config, Icecast, RefError
from loa114.scheduler.config.yaml_lines import YamlSyntaxError, line_of, load_with_lines, read_text
from loa114.scheduler.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không được hỗ trợ (kiểm tra chính tả)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "date_from_datetime_parsing": "ngày không hợp lệ, dùng dạng YYYY-MM-DD",
    "date_parsing": "ngày không hợp lệ, dùng dạng YYYY-MM-DD",
    "date_type": "ngày không hợp lệ, dùng dạng YYYY-MM-DD",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "too_short": "danh sách không được rỗng",
    "string_pattern_mismatch": "giá trị không đúng dạng (mã: chữ thường không dấu, số, '-' hoặc '_'; số gọi: chỉ chữ số)",
    "string_too_short": "không được để trống",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "value_error":
        cause = error.get("ctx", {}).get("error")
        return str(cause) if cause else str(error.get("msg", ""))
    if kind == "literal_error":
        return f"giá trị không hợp lệ {error.get('input')!r}; chọn một trong: {error['ctx']['expected']}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(error.get("ctx", {}).values()), "")
        words = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}
        return f"phải {words[kind]} {bound}"
    return _MESSAGES.get(kind, str(error.get("msg", "")))


def _loc_text(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds union branch names ("list[...]", "literal[...]") and validator names to locations
    return tuple(p for p in loc if isinstance(p, int) or ("[" not in str(p) and "function-" not in str(p)))


def load_config(path: Path | str, *, database_url: str | None = None) -> Config:
    """Read and validate `path`; `database_url` (from LOA_DATABASE_URL) overrides `database.url`."""
    path = Path(path)
    return _resolve(validated(path, Config, read_yaml(path)), path, database_url)


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Any, int]]:
    """The file's mapping and the line of each key, or a ConfigError naming the file (and line)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise ConfigError(path, "không tìm thấy tệp cấu hình") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"không đọc được tệp cấu hình: {exc}") from None
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise ConfigError(path, exc.message, line=exc.line) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "tệp cấu hình phải là một bảng khóa: giá trị", line=1)
    return data, lines


def validated(path: Path, model: type[M], read: tuple[dict[str, Any], dict[Any, int]]) -> M:
    """`model` from the file's data; the first problem as a ConfigError with its line and key."""
    data, lines = read
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = _clean_loc(tuple(error["loc"]))
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, RefError):
            loc = cause.loc
        raise ConfigError(
            path, _message(error), line=line_of(lines, loc), key=_loc_text(loc) or None
        ) from None


def _resolve(config: Config, path: Path, database_url: str | None) -> Config:
    base = path.resolve().parent

    def absolute(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    url = database_url or config.database.url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        url = "sqlite:///" + str(absolute(Path(url.removeprefix("sqlite:///"))))
    return config.model_copy(
        update={
            "source": path.resolve(),
            "scripts": config.scripts.model_copy(update={"dir": absolute(config.scripts.dir)}),
            "playout": config.playout.model_copy(
                update={"dir": absolute(config.playout.dir), "icecast": _icecast(config, absolute)}
            ),
            "audio": config.audio.model_copy(update={"cache_dir": absolute(config.audio.cache_dir)}),
            "notices": config.notices.model_copy(
                update={
                    "dir": absolute(config.notices.dir),
                    "templates": absolute(config.notices.templates) if config.notices.templates else None,
                }
            ),
            "database": config.database.model_copy(update={"url": url}),
            "web": config.web.model_copy(update={"secret_file": absolute(config.web.secret_file)}),
            "reports": config.reports.model_copy(update={"dir": absolute(config.reports.dir)}),
        }
    )


def _icecast(config: Config, absolute: Callable[[Path], Path]) -> Icecast | None:
    icecast = config.playout.icecast
    if icecast is None or icecast.source_password_file is None:
        return icecast
    return icecast.model_copy(update={"source_password_file": absolute(icecast.source_password_file)})
