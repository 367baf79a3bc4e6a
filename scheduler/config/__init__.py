"""The typed configuration, loaded once from `config.yaml` and passed down.

Owns: the pydantic model (`model`), loading with file/line/key errors (`loading`), the lenient value
parsers a clerk's YAML needs (`values`), YAML line tracking (`yaml_lines`), and the settings the other two
halves take (`settings`: speech for `content`, sound for `audio`). Imports only `scheduler.errors`, and
`content`/`audio` for their settings types.
"""

from loa114.scheduler.config.loading import load_config
from loa114.scheduler.config.model import Campaign, Commune, Config, Contact, Icecast, Slot, Village, Zone

__all__ = ["Campaign", "Commune", "Config", "Contact", "Icecast", "Slot", "Village", "Zone", "load_config"]
