"""`normalize` and `explain`: the order in which the rule families run over a text.

Order matters and is the whole design: pause marks, e-mail and web addresses and protected names are
parked first so nothing can touch them; place abbreviations ("TP. Lạng Sơn") and glossary
abbreviations next (a glossary may define codes with digits), then the loanword lexicon ("4G" before
any digit rule sees it); then the digit shapes that are not quantities (phones, dates, times,
fractions), codes such as PC07, every remaining number with its unit, Roman numerals, spelled
capitals, symbols, and a final tidy-up. Compiled rules are cached
per settings, so a call costs a handful of regex passes over the text; most passes only try their
regex where a match can begin (see `starts`), and a step whose trigger is absent is skipped.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from loa114.content.speech import rules_datetime
from loa114.content.speech.engine import UNSPEAKABLE, Hit, Pass, Rewrite, Session
from loa114.content.speech.pronunciations import pronunciation_pass
from loa114.content.speech.prosody import PAUSE_MARK, canonical_pause
from loa114.content.speech.rules_addresses import EMAIL, PLACE, PLACE_START, URL, AddressReader, place
from loa114.content.speech.rules_numbers import (
    AGE_GROUP,
    AGE_GROUP_START,
    CHAIN,
    CODE,
    CODE_START,
    NUMBER,
    NUMBER_START,
    NumberReader,
)
from loa114.content.speech.rules_words import (
    CAPS,
    CAPS_START,
    ROMAN,
    ROMAN_START,
    SYMBOLS,
    SYMBOLS_START,
    caps,
    glossary_pattern,
    glossary_starts,
    make_glossary_handler,
    make_roman_handler,
    symbols,
    tidy,
)
from loa114.content.speech.settings import SpeechSettings
from loa114.content.speech.starts import DIGIT, starts_of

log = logging.getLogger(__name__)

_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_BREAK_CHARS = "\r\u2028\u2029\x85\x0b\x0c"
_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def _pause(m: re.Match[str]) -> Hit:
    return canonical_pause(m), "pause"


def _set_apart(m: re.Match[str]) -> Hit:
    """A protected name, parked with a space on each side that touches something ("114Nà Pàn-5",
    "85%Khu 3"), so the words its neighbours become never merge with it — on this pass or the next.
    Spaces that turn out to be extra are folded after unmasking."""
    text, start, end = m.string, m.start(), m.end()
    before = " " if start > 0 and not text[start - 1].isspace() else ""
    after = " " if end < len(text) and not text[end].isspace() else ""
    return before + m.group("name") + after, ""


# Substrings (of the lower-cased text) without which a masking rule cannot match.
_NEEDLES: dict[re.Pattern[str], tuple[str, ...]] = {
    EMAIL: ("@",),
    URL: ("://", "www.", ".vn", ".com", ".net", ".org", ".gov", ".edu", ".info"),
}
_MANY_SPACES = re.compile(r"  +")
# ^[ ]+|[ ]+$|[ ]+(?=[;:!?)\]}”’»]|[.,] not before a letter or digit)|(?<=[(\[{“‘«])[ ]+, opening with the space
# it removes so that the regex engine skips from space to space. A "." or "," that starts a word (".COM") is not
# the sentence's: gluing it to the word before would make an address a second pass reads differently.
_EDGE_SPACES = re.compile(
    r" (?:(?<![^\n] )[ ]*|[ ]*$|[ ]*(?=[;:!?)\]}”’»]|[.,](?![^\W_]))|(?<=[(\[{“‘«] )[ ]*)", re.MULTILINE
)


class _Rules:
    """Everything compiled for one SpeechSettings."""

    def __init__(self, settings: SpeechSettings) -> None:
        addresses = AddressReader(settings.pronunciations)
        self.masks: list[Pass] = [
            Pass(PAUSE_MARK, _pause),
            Pass(EMAIL, addresses.email),
            Pass(URL, addresses.url),
        ]
        if settings.protected_names:
            names = sorted(settings.protected_names, key=len, reverse=True)
            alternatives = "|".join(r"\s+".join(re.escape(w) for w in name.split()) for name in names)
            firsts = re.escape("".join(sorted({c for n in names for c in (n[0].lower(), n[0].upper())})))
            name = rf"(?=[{firsts}])(?<![^\W\d_])(?P<name>{alternatives})(?P<joint>-+(?=[^\W_]))?(?![^\W\d_])"
            named = re.compile(name, re.IGNORECASE)
            self.masks.append(Pass(named, _set_apart, starts_of(named, firsts)))
        reader = NumberReader(settings.dialect, settings.hotlines, settings.glossary)
        passes: list[Pass] = []
        pattern, lookup = glossary_pattern(settings.glossary)
        glossary: list[Pass] = []
        if pattern is not None:
            glossary.append(Pass(pattern, make_glossary_handler(lookup), glossary_starts(pattern, lookup)))
        passes.append(Pass(PLACE, place, PLACE_START))
        passes += glossary
        lexicon = pronunciation_pass(settings.pronunciations)
        if lexicon is not None:
            passes.append(lexicon)
        passes += rules_datetime.make_passes(settings.dialect)
        passes += [
            Pass(CHAIN, reader.chain, DIGIT),
            Pass(AGE_GROUP, reader.age_group, AGE_GROUP_START),
            Pass(CODE, reader.code, CODE_START),
            Pass(NUMBER, reader.number, NUMBER_START),
            # "114h. A": a place abbreviation glued to digits stands alone only now
            Pass(PLACE, place, PLACE_START),
            Pass(ROMAN, make_roman_handler(settings.dialect), ROMAN_START),
            Pass(CAPS, caps, CAPS_START),
            Pass(SYMBOLS, symbols, SYMBOLS_START),
        ]
        # Once digits and symbols are words, an abbreviation or loanword glued to them ("114/v.v",
        # "114Zalo") stands alone: a second pass reads it now rather than on the next normalisation.
        passes += glossary
        if lexicon is not None:
            passes.append(lexicon)
        self.passes = passes


_cache: dict[tuple[object, ...], _Rules] = {}
_cache_lock = threading.Lock()


def _rules(settings: SpeechSettings) -> _Rules:
    key = settings.cache_key()
    rules = _cache.get(key)
    if rules is None:
        rules = _Rules(settings)
        with _cache_lock:
            if len(_cache) > 64:
                _cache.clear()
            _cache[key] = rules
    return rules


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if any(c in text for c in _BREAK_CHARS):
        text = _LINE_BREAKS.sub("\n", text)
    text = UNSPEAKABLE.sub("", text)
    return _SPACES.sub(" ", text)


def _run(text: str, settings: SpeechSettings | None, session: Session) -> str:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    rules = _rules(settings or SpeechSettings())
    text = _prepare(text)
    lowered = text.lower()
    for rule in rules.masks:
        needles = _NEEDLES.get(rule.pattern)
        if needles is not None and not any(needle in lowered for needle in needles):
            continue  # no "@" in the text: the e-mail rule cannot match, skip its scan
        text = session.run(text, rule, masked=True)
    for rule in rules.passes:
        text = session.run(text, rule)
    text = _EDGE_SPACES.sub("", _MANY_SPACES.sub(" ", session.unmask(tidy(text))))
    return unicodedata.normalize("NFC", text)


def normalize(text: str, settings: SpeechSettings | None = None) -> str:
    """The spoken text: plain Vietnamese words a TTS voice reads correctly. Never raises on text."""
    return _run(text, settings, Session())


def explain(text: str, settings: SpeechSettings | None = None) -> list[Rewrite]:
    """Each token read differently from how it is written, with the rule that fired, in reading order."""
    session = Session(record=True)
    _run(text, settings, session)
    return session.rewrites()
