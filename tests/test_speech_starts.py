"""The normaliser's fast paths read exactly like the plain ones (issue #9, "Words": speed).

A pass tried only where its `starts` say must find every match a scan of the whole text finds; the
tidy-up and spacing rules written so the regex engine can skip ahead must do what the plain rules
did; and `normalize` must equal the plain path (`explain`'s, which scans every position) on the
shipped scripts and on rule-heavy generated text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loa114.content.speech import make_settings, normalize
from loa114.content.speech import normalizer as normalizer_module
from loa114.content.speech.engine import Pass, Session
from loa114.content.speech.lexicon import word_before
from loa114.content.speech.rules_words import tidy
from loa114.content.speech.settings import SpeechSettings
from tests.test_speech_properties import MIXED

SCRIPTS = Path(__file__).resolve().parents[1] / "content" / "scripts"
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^---[ \t]*\r?\n", re.DOTALL | re.MULTILINE)
SETTINGS = {
    "default": SpeechSettings(),
    "commune": make_settings(protected_names=["Lợi Bác", "Lạng Sơn", "Nà Pàn", "Khu 3"]),
    "custom": make_settings(
        "south",
        glossary={"ABC": "a bê xê", "x.y": "ích y", "Q": "quy", "(VT)": "vê tê"},
        hotlines=["1900"],
        protected_names=["Pò Mã", "ĐỒNG ĐĂNG"],
        pronunciations={"Gmail": "gờ meo", "Wi Fi": "oai phai", "A": "a"},
    ),
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def bodies() -> list[str]:
    return [
        FRONT_MATTER.sub("", p.read_text(encoding="utf-8"), count=1) for p in sorted(SCRIPTS.glob("*.txt"))
    ]


def plain(text: str, speech: SpeechSettings) -> str:
    """`normalize` through the recording session, which scans every position of every pass."""
    return normalizer_module._run(text, speech, Session(record=True))


def check_starts(text: str, speech: SpeechSettings) -> None:
    """Walk the passes as `normalize` does; at each, the starts include every position where the
    pattern matches (never an empty match), and trying only there changes nothing."""
    rules = normalizer_module._rules(speech)
    text = normalizer_module._prepare(text)
    session = Session()
    for masked, rule in [(True, r) for r in rules.masks] + [(False, r) for r in rules.passes]:
        if rule.starts is not None:
            found = set(rule.starts.positions(text))
            for pos in range(len(text) + 1):
                m = rule.pattern.match(text, pos)
                if m is not None:
                    assert pos in found, (rule.pattern.pattern[:60], text[max(0, pos - 20) : pos + 20])
                    assert m.end() > pos
            full = Session().run(text, Pass(rule.pattern, rule.handler), masked)
            assert Session().run(text, rule, masked) == full
        text = session.run(text, rule, masked)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_starts_find_every_match_in_the_shipped_scripts(name: str) -> None:
    for text in bodies():
        check_starts(text, SETTINGS[name])


@FAST
@given(MIXED, st.sampled_from(sorted(SETTINGS)))
def test_starts_find_every_match_in_rule_heavy_text(text: str, name: str) -> None:
    check_starts(text, SETTINGS[name])


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_normalize_reads_the_shipped_scripts_like_the_plain_path(name: str) -> None:
    for text in bodies():
        assert normalize(text, SETTINGS[name]) == plain(text, SETTINGS[name])


@FAST
@given(MIXED, st.sampled_from(sorted(SETTINGS)))
def test_normalize_reads_generated_text_like_the_plain_path(text: str, name: str) -> None:
    assert normalize(text, SETTINGS[name]) == plain(text, SETTINGS[name])


# The tidy-up and spacing rules as they were first written: one regex each, run on every text.
PLAIN_CLEANUP = (
    (r"[ \t]+", " "),
    (r" ?\n ?", "\n"),
    (r" +(?=[;:!?)\]”’]|[,.](?![^\W_]))", ""),  # a "." or "," starting a word is not the sentence's
    (r"(?<=[(\[“‘]) +", ""),
    (r",(?: *,)+", ","),
    (r", *(?=[.!?;:])", ""),
    (r"(?<=[.!?;:]) *,", ""),
    (r"(?<=[.!?;:])(?: *\.)+", ""),
    (r"(?<=[,;])(?=[^\W\d_])", " "),
    (r"(?m)^[ ,]+|[ ,]+$", ""),
    (r"\n{3,}", "\n\n"),
)
PLAIN_MANY_SPACES = re.compile(r"[ ]{2,}")
PLAIN_EDGE_SPACES = re.compile(
    r"^[ ]+|[ ]+$|[ ]+(?=[;:!?)\]}”’»]|[.,](?![^\W_]))|(?<=[(\[{“‘«])[ ]+", re.MULTILINE
)
PUNCTUATED = st.text(alphabet=" \t\n,.;:!?()[]{}“‘”’«»aĐ1_-…", max_size=40)


@settings(max_examples=1500, deadline=None)
@given(PUNCTUATED)
def test_tidy_does_what_the_plain_rules_did(text: str) -> None:
    expected = text
    for pattern, replacement in PLAIN_CLEANUP:
        expected = re.sub(pattern, replacement, expected)
    assert tidy(text) == expected.strip()


@settings(max_examples=1500, deadline=None)
@given(PUNCTUATED)
def test_spacing_does_what_the_plain_rules_did(text: str) -> None:
    text = text.replace("\t", " ")
    expected = PLAIN_EDGE_SPACES.sub("", PLAIN_MANY_SPACES.sub(" ", text))
    got = normalizer_module._EDGE_SPACES.sub("", normalizer_module._MANY_SPACES.sub(" ", text))
    assert got == expected


def plain_word_before(text: str, pos: int) -> str:
    found = re.findall(r"[^\W\d_]+", text[max(0, pos - 24) : pos].lower())
    if not found or not text[max(0, pos - 24) : pos].rstrip().lower().endswith(found[-1]):
        return ""
    word: str = found[-1]
    return word


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="aZ đĐİßΣς_1٣²\t\n .,-ǅﬀ", max_size=30), st.integers(min_value=0, max_value=30))
def test_word_before_is_the_plain_lookup(text: str, pos: int) -> None:
    assert word_before(text, min(pos, len(text))) == plain_word_before(text, min(pos, len(text)))
