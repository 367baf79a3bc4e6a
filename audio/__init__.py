"""How Loa 114 sounds: TTS engines, the render cache, processing, program assembly and export.

Never imports `content` or `scheduler`; takes its settings as an `AudioSettings`.
"""

import warnings

# pydub looks for ffmpeg on PATH when it is first imported and warns; we point it at the wheel's binary
# (audio/ffmpeg.py). pydub itself is imported only by the modules that need it: `loa check` and
# `loa normalize` start without it.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
