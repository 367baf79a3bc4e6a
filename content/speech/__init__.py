"""Vietnamese speech normalisation: written script text → words a TTS voice reads correctly.

normalize(text, settings) -> str           spoken text (NFC), never raises on text
explain(text, settings) -> list[Rewrite]    why each token is read the way it is
split_for_tts(spoken, max_chars) -> chunks  text chunks and pause seconds for the TTS engine
number_to_words(n, dialect) -> str          2026 → "hai nghìn không trăm hai mươi sáu"
make_settings(dialect, glossary, hotlines, protected_names, pronunciations) -> SpeechSettings
"""

from loa114.content.speech.engine import Rewrite
from loa114.content.speech.errors import SpeechError
from loa114.content.speech.normalizer import explain, normalize
from loa114.content.speech.numbers import number_to_words
from loa114.content.speech.pronunciations import DEFAULT_PRONUNCIATIONS
from loa114.content.speech.prosody import split_for_tts
from loa114.content.speech.settings import DEFAULT_GLOSSARY, SpeechSettings, make_settings

__all__ = [
    "DEFAULT_GLOSSARY",
    "DEFAULT_PRONUNCIATIONS",
    "Rewrite",
    "SpeechError",
    "SpeechSettings",
    "explain",
    "make_settings",
    "normalize",
    "number_to_words",
    "split_for_tts",
]
