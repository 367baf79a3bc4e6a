"""Pause marks and cutting spoken text into TTS-sized chunks.

Script authors write "[ngừng]" (one second) or "[ngừng 2 giây]" / "[ngừng 1,5 giây]". The normaliser
keeps them verbatim in one canonical form (so normalising twice changes nothing) and `split_for_tts`
turns them into floats. Chunks are cut where a reader would breathe — sentence ends, then commas —
because gTTS and espeak restart their intonation at every chunk; a clause longer than the limit is
cut between words, and only a word longer than the limit is cut inside.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from loa114.content.speech.errors import SpeechError

DEFAULT_PAUSE_S = 1.0

PAUSE_MARK = re.compile(
    r"\[[ \t]*(?:ngừng|ngưng|dừng|nghỉ)(?:[ \t]+(?P<value>[0-9]{1,6}(?:[.,][0-9]{1,3})?)[ \t]*(?:giây|s)?)?[ \t]*\]",
    re.IGNORECASE,
)


def _value(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the regex only admits digits
        return Decimal(1)


def canonical_pause(m: re.Match[str]) -> str:
    """The one spelling of a pause mark: "[ngừng]" or "[ngừng 1,5 giây]"."""
    raw = m.group("value")
    if raw is None:
        return "[ngừng]"
    text = format(_value(raw).normalize(), "f").replace(".", ",")
    return f"[ngừng {text} giây]"


def pause_seconds(m: re.Match[str]) -> float:
    raw = m.group("value")
    return DEFAULT_PAUSE_S if raw is None else float(_value(raw))


_SENTENCE_END = re.compile(r"(?<=[.!?;…])[\"”’)\]]*\s+|\n+")
_CLAUSE_END = re.compile(r"(?<=[,:])\s+")
# Words before a full stop that do not end a sentence ("TP. Lạng Sơn", "ông Chu M. Dũng").
_NO_BREAK_BEFORE = re.compile(r"(?:\b(?:TP|Tp|TS|ThS|PGS|GS|BS|St|Th|v\.v|[A-ZĐ])\.)[\"”’)\]]*\s+$")


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group(0) and _NO_BREAK_BEFORE.search(text, start, m.end()):
            continue
        out.append(text[start : m.start()] + m.group(0).rstrip())
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _words_into(units: list[str], text: str, max_chars: int) -> None:
    line = ""
    for word in text.split():
        while len(word) > max_chars:  # a single overlong word: the only cut inside a word
            if line:
                units.append(line)
                line = ""
            units.append(word[:max_chars])
            word = word[max_chars:]
        if line and len(line) + 1 + len(word) > max_chars:
            units.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        units.append(line)


def _pack(units: list[str], max_chars: int) -> list[str]:
    chunks: list[str] = []
    for unit in units:
        if chunks and len(chunks[-1]) + 1 + len(unit) <= max_chars:
            chunks[-1] = f"{chunks[-1]} {unit}"
        else:
            chunks.append(unit)
    return chunks


def _paragraph_chunks(paragraph: str, max_chars: int) -> list[str]:
    units: list[str] = []
    for sentence in _sentences(paragraph):
        if len(sentence) <= max_chars:
            units.append(sentence)
            continue
        for clause in (c.strip() for c in _CLAUSE_END.split(sentence)):
            if len(clause) <= max_chars:
                units.append(clause)
            else:
                _words_into(units, clause, max_chars)
    return _pack(units, max_chars)


def split_for_tts(spoken: str, max_chars: int = 100) -> list[str | float]:
    """Chunks of at most `max_chars` characters, and pauses (seconds) where the text has pause marks.

    Paragraphs (blank or single line breaks) always start a new chunk; inside a paragraph, whole
    sentences and then comma-separated clauses are packed greedily.
    """
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise SpeechError(
            f"max_chars must be a positive int, not {max_chars!r}", field="max_chars", value=max_chars
        )
    out: list[str | float] = []
    last = 0
    for m in PAUSE_MARK.finditer(spoken):
        out += _text_chunks(spoken[last : m.start()], max_chars)
        out.append(pause_seconds(m))
        last = m.end()
    out += _text_chunks(spoken[last:], max_chars)
    return out


def _text_chunks(text: str, max_chars: int) -> list[str | float]:
    chunks: list[str | float] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            chunks += _paragraph_chunks(paragraph, max_chars)
    return chunks
