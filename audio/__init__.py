"""How Loa 114 sounds: TTS engines, the render cache, processing, program assembly and export.

Never imports `content` or `scheduler`; takes its settings as an `AudioSettings`.
"""

import warnings

with warnings.catch_warnings():
    # pydub looks for ffmpeg on PATH at import; we point it at the wheel's binary in audio.ffmpeg.
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    import pydub  # noqa: F401
