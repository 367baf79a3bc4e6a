"""A province file: many communes on one deployment, each with its own `config.yaml` (villages, zones, slots,
scripts), the shared keys (database, web, playout root) at the top.

    province: {name: Lạng Sơn}
    database: {url: "postgresql+psycopg://loa@db/loa114"}
    web: {host: 0.0.0.0, port: 8114}
    playout: {dir: /srv/loa114/playout}
    communes:
      - {id: loi-bac, config: communes/loi-bac.yaml}
      - {id: na-sam, config: communes/na-sam.yaml}

Each commune is isolated by construction, not by a filter each query must remember: on PostgreSQL its rows
live in its own schema (`c_loi_bac`), on SQLite in its own file beside the shared one; its programs in
`<playout.dir>/<commune>/<date>/<slot>/<zone>/`. A plain `config.yaml` is a province of one and keeps
working unchanged (public schema, its own playout folder).

The province's own accounts (role `province`, accounts/province.py) live in the shared store: the
`province` schema on PostgreSQL, the shared file itself (`database.url`) on SQLite. A plain `config.yaml`
has none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import Field

from loa114.scheduler.config.loading import load_config, read_yaml, validated
from loa114.scheduler.config.model import Config, Database, Model, Web
from loa114.scheduler.errors import ConfigError, InputError

COMMUNE_ID = r"^[a-z0-9][a-z0-9-]{0,39}$"
PROVINCE_SCHEMA = "province"  # never a commune's: theirs are `c_<id>`


class ProvinceInfo(Model):
    name: str


class CommuneEntry(Model):
    id: str = Field(pattern=COMMUNE_ID)
    config: Path


class SharedPlayout(Model):
    dir: Path = Path("playout")


class ProvinceFile(Model):
    province: ProvinceInfo
    database: Database = Database()
    web: Web = Web()
    playout: SharedPlayout = SharedPlayout()
    communes: list[CommuneEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Province:
    name: str
    communes: dict[str, Config]  # by commune key, in the file's order
    source: Path | None = None
    database: Database | None = None  # the province's own accounts; None for a plain config.yaml

    def commune(self, key: str | None) -> Config:
        """The commune `key`; without one, the only commune (several: the caller must choose)."""
        if key is None:
            if len(self.communes) == 1:
                return next(iter(self.communes.values()))
            raise InputError(f"tỉnh có {len(self.communes)} xã: chọn một bằng --commune ({self.keys_text()})")
        if key not in self.communes:
            raise InputError(f"--commune {key!r}: không có xã này; các xã: {self.keys_text()}")
        return self.communes[key]

    def keys_text(self) -> str:
        return ", ".join(self.communes)

    def with_web_port(self, port: int) -> Province:
        """`loa serve --port`: several processes on one machine."""
        return replace(
            self,
            communes={
                key: c.model_copy(update={"web": c.web.model_copy(update={"port": port})})
                for key, c in self.communes.items()
            },
        )


def load_province(path: Path | str, *, database_url: str | None = None) -> Province:
    """A province file, or a plain commune `config.yaml` as a province of one."""
    path = Path(path)
    read = read_yaml(path)
    if "communes" not in read[0]:
        config = load_config(path, database_url=database_url)
        return Province(config.commune.province, {config.commune.id: config}, config.source)
    shared = validated(path, ProvinceFile, read)
    base = path.resolve().parent
    url = _absolute_sqlite(database_url or shared.database.url, base)
    playout_root = shared.playout.dir if shared.playout.dir.is_absolute() else base / shared.playout.dir
    communes: dict[str, Config] = {}
    for entry in shared.communes:
        if entry.id in communes:
            raise ConfigError(path, f"xã {entry.id!r} có hai lần trong danh sách communes")
        file = entry.config if entry.config.is_absolute() else base / entry.config
        config = load_config(file)
        if config.commune.id not in (None, entry.id):
            raise ConfigError(
                file, f"commune.id là {config.commune.id!r} nhưng tệp tỉnh gọi xã này là {entry.id!r}"
            )
        communes[entry.id] = _in_province(config, entry.id, url, shared.web, playout_root)
    schema = None if url.startswith("sqlite") else PROVINCE_SCHEMA
    return Province(shared.province.name, communes, path.resolve(), Database(url=url, schema_name=schema))


def _in_province(config: Config, key: str, url: str, web: Web, playout_root: Path) -> Config:
    if url.startswith("sqlite"):
        database = Database(url=_sqlite_beside(url, key))
    else:
        database = Database(url=url, schema_name="c_" + key.replace("-", "_"))
    return config.model_copy(
        update={
            "commune": config.commune.model_copy(update={"id": key}),
            "database": database,
            "web": web.model_copy(update={"secret_file": config.web.secret_file}),
            "playout": config.playout.model_copy(update={"dir": playout_root / key}),
            # communes may share a folder of configs: their reports and notices must not overwrite each other's
            "reports": config.reports.model_copy(update={"dir": config.reports.dir / key}),
            "notices": config.notices.model_copy(update={"dir": config.notices.dir / key}),
        }
    )


def _sqlite_beside(url: str, key: str) -> str:
    """`sqlite:///var/loa114.db` → `sqlite:///var/loa114-loi-bac.db`: one file per commune."""
    path = Path(url.removeprefix("sqlite:///"))
    return "sqlite:///" + str(path.with_name(f"{path.stem}-{key}{path.suffix or '.db'}"))


def _absolute_sqlite(url: str, base: Path) -> str:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        return "sqlite:///" + str(base / url.removeprefix("sqlite:///"))
    return url
