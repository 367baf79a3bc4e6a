"""Settings of the audio half: one frozen object that `scheduler` builds from config.yaml.

Everything that changes how an announcement sounds lives here, so the render cache can key on it
and the audio package can be tested and benchmarked without the rest of the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AudioSettings:
    cache_dir: Path
    engines: tuple[str, ...] = ("gtts", "offline")  # order to try
    loudness_lufs: float = -16.0
    true_peak_dbtp: float = -1.0
    sample_rate: int = 22050
    bitrate_kbps: int = 64
    highpass_hz: int = 200
    lowpass_hz: int = 7000
    item_gap_s: float = 2.0  # silence between items in a program
    repeat_gap_s: float = 1.0  # pause before "Xin nhắc lại" and the repeat
    chunk_gap_s: float = 0.25  # between TTS chunks
    repeat_phrase: str = "Xin nhắc lại."  # already spoken text
    chime: bool = True
    gtts_tld: str = "com.vn"
    gtts_timeout_s: float = 10.0
    gtts_retries: int = 3  # attempts on 429/5xx/timeouts/connection errors, exponential backoff
    gtts_backoff_s: float = 1.0
    gtts_cooldown_s: float = 300.0  # after gTTS is found unreachable, skip it for this long (all processes)
    gtts_max_in_flight: int = 6  # online requests out at once in the whole process (keep-alive sessions too)
    gtts_probe_timeout_s: float = 3.0  # `Speaker.probe`: one short request, no retries
    offline_voice: str = "vi"
    offline_rate_wpm: int = 150

    def processing_params(self) -> dict[str, object]:
        """Parameters that change processed speech; part of every cache key."""
        return {
            "sample_rate": self.sample_rate,
            "highpass_hz": self.highpass_hz,
            "lowpass_hz": self.lowpass_hz,
        }
