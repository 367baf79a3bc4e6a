"""The settings the two other halves take, built from the typed config: `content`'s speech settings and
`audio`'s. Light to import (no audio stack, no database), so `loa normalize` and `loa check` start fast."""

from __future__ import annotations

from loa114.audio.settings import AudioSettings
from loa114.content.speech import normalize
from loa114.content.speech.errors import SpeechError
from loa114.content.speech.settings import SpeechSettings, make_settings
from loa114.scheduler.config import Config
from loa114.scheduler.errors import ConfigError


def speech_settings(config: Config) -> SpeechSettings:
    protected = [config.commune.name, config.commune.province]
    protected += [v.name for v in config.villages] + [z.name for z in config.zones]
    try:
        return make_settings(
            dialect=config.commune.dialect,
            glossary=config.speech.glossary,
            hotlines=config.speech.hotlines,
            protected_names=protected,
            pronunciations=config.speech.pronunciations,
        )
    except SpeechError as exc:  # e.g. a glossary entry the normaliser cannot use
        raise ConfigError(
            config.source or "config.yaml",
            f"giá trị {exc.value!r} không dùng được",
            key=f"speech.{exc.field}",
        ) from None


def audio_settings(config: Config, speech: SpeechSettings) -> AudioSettings:
    a = config.audio
    return AudioSettings(
        cache_dir=a.cache_dir,
        engines=tuple(a.engines),
        loudness_lufs=a.loudness_lufs,
        true_peak_dbtp=a.true_peak_dbtp,
        bitrate_kbps=a.bitrate_kbps,
        repeat_phrase=normalize(a.repeat_phrase, speech),
        chime=a.chime,
        gtts_tld=a.gtts_tld,
        gtts_timeout_s=a.gtts_timeout.total_seconds(),
        gtts_retries=a.gtts_retries,
        gtts_cooldown_s=a.gtts_cooldown.total_seconds(),
        gtts_max_in_flight=a.gtts_max_in_flight,
    )
