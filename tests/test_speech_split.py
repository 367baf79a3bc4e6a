"""Cutting spoken text for the TTS engines: size limit, natural cut points, pauses."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loa114.content.speech import SpeechError, normalize, split_for_tts

PAUSE = re.compile(r"\[ngừng(?: [0-9,]+ giây)?\]")


def words_of(chunks: list[str | float]) -> list[str]:
    return " ".join(c for c in chunks if isinstance(c, str)).split()


def test_short_text_is_one_chunk() -> None:
    assert split_for_tts("Kính thưa bà con nhân dân!") == ["Kính thưa bà con nhân dân!"]


def test_sentences_are_packed_and_cut_at_sentence_ends() -> None:
    text = "Bà con lưu ý. Chỉ báo tin đúng sự thật. Không dùng ứng dụng để đùa nghịch."
    assert split_for_tts(text, max_chars=40) == [
        "Bà con lưu ý. Chỉ báo tin đúng sự thật.",
        "Không dùng ứng dụng để đùa nghịch.",
    ]


def test_long_sentence_is_cut_at_commas() -> None:
    text = "Khi gọi, nói rõ địa chỉ, tên thôn, tên xã, gần nhà ai hoặc công trình nào, và cái gì đang cháy."
    chunks = split_for_tts(text, max_chars=40)
    assert chunks == [
        "Khi gọi, nói rõ địa chỉ, tên thôn,",
        "tên xã, gần nhà ai hoặc công trình nào,",
        "và cái gì đang cháy.",
    ]


def test_clause_longer_than_the_limit_is_cut_between_words() -> None:
    text = "một hai ba bốn năm sáu bảy tám chín mười"
    assert split_for_tts(text, max_chars=12) == ["một hai ba", "bốn năm sáu", "bảy tám chín", "mười"]


def test_semicolons_and_question_marks_end_sentences() -> None:
    assert split_for_tts("Có cháy không? Gọi ngay; đừng chờ.", max_chars=15) == [
        "Có cháy không?",
        "Gọi ngay;",
        "đừng chờ.",
    ]


def test_abbreviation_dot_is_not_a_sentence_end() -> None:
    assert split_for_tts("Ông Chu M. Dũng đến. Bà con chờ.", max_chars=20) == [
        "Ông Chu M. Dũng đến.",
        "Bà con chờ.",
    ]


def test_lines_are_never_joined() -> None:
    assert split_for_tts("THÔNG BÁO KHẨN\nCháy tại thôn.\n\nGọi một một bốn.") == [
        "THÔNG BÁO KHẨN",
        "Cháy tại thôn.",
        "Gọi một một bốn.",
    ]


def test_pause_marks_become_seconds() -> None:
    spoken = normalize("Chú ý! [ngừng] Có cháy. [ngưng 2s] Gọi 114 [ngừng 1,5 giây]")
    assert split_for_tts(spoken) == ["Chú ý!", 1.0, "Có cháy.", 2.0, "Gọi một một bốn", 1.5]


def test_overlong_word_is_cut_to_fit() -> None:
    assert split_for_tts("abcdefghij", max_chars=4) == ["abcd", "efgh", "ij"]


def test_empty_text_gives_no_chunks() -> None:
    assert split_for_tts("  \n ") == []


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_max_chars_is_a_programmer_error(bad: object) -> None:
    with pytest.raises(SpeechError):
        split_for_tts("a", max_chars=bad)  # type: ignore[arg-type]


WORD = st.text(alphabet="abcdeghiklmnoptuyàáạảãăâđêôơư", min_size=1, max_size=12)
PUNCT = st.sampled_from(["", "", "", ",", ".", ";", "!", "?", ":", "…", "\n", " [ngừng]", " [ngừng 2 giây]"])
SPOKEN = st.lists(st.tuples(WORD, PUNCT), max_size=80).map(lambda ps: " ".join(w + p for w, p in ps))


@settings(max_examples=300, deadline=None)
@given(SPOKEN, st.integers(min_value=16, max_value=200))
def test_chunks_fit_keep_every_word_and_end_at_punctuation(spoken: str, max_chars: int) -> None:
    chunks = split_for_tts(spoken, max_chars)
    texts = [c for c in chunks if isinstance(c, str)]
    assert all(0 < len(c) <= max_chars for c in texts)
    assert words_of(chunks) == PAUSE.sub(" ", spoken).split()
    assert [c for c in chunks if isinstance(c, float)] == [
        1.0 if m.group(0) == "[ngừng]" else 2.0 for m in PAUSE.finditer(spoken)
    ]
    # Inside one stretch between line breaks and pauses, a chunk ends at punctuation unless it was
    # cut between words of an overlong clause, and then the next word could not have fitted.
    for segment in re.split(r"\n|\[ngừng[^\]]*\]", spoken):
        parts = [c for c in split_for_tts(segment, max_chars) if isinstance(c, str)]
        for chunk, nxt in zip(parts, parts[1:], strict=False):
            if chunk[-1] not in ",.;!?:…":
                assert len(chunk) + 1 + len(nxt.split()[0]) > max_chars, (chunk, nxt)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=120))
def test_any_text_any_limit_never_exceeds_the_limit(text: str, max_chars: int) -> None:
    for chunk in split_for_tts(text, max_chars):
        assert isinstance(chunk, float) or 0 < len(chunk) <= max_chars
