"""Hypothesis properties of :func:`dedupe_articles.clean` on generated articles.

Articles are built from pseudo-words (or CJK characters) so that no two
sentences are near-copies by accident; pollution is then applied with known
ground truth.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import problems

from dedupe_articles import clean, clean_text

_SYLLABLES = [
    "ka",
    "to",
    "mi",
    "ra",
    "ne",
    "so",
    "lu",
    "pe",
    "di",
    "go",
    "ban",
    "tor",
    "vel",
    "sin",
    "mar",
]
_WORDS = sorted({a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ("", "n", "s")})
_CJK = (
    "日本語文章生成継続発揮性能計算資源電力市場投資技術者未来社会企業開発研究教育安全設計運用改善"
)
_CJK += (
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _article(seed: int, lang: str) -> str:
    """A clean article: 3-9 paragraphs of 1-4 distinct sentences, some headings."""
    rng = random.Random(seed)
    blocks: list[str] = []
    for i in range(rng.randint(3, 9)):
        if i and rng.random() < 0.2:
            blocks.append(
                ("## " if lang == "en" else "## 見出し") + _sentence(rng, lang, 3).rstrip(".。")
            )
        sentences = [_sentence(rng, lang, rng.randint(6, 12)) for _ in range(rng.randint(1, 4))]
        blocks.append(("" if lang == "ja" else " ").join(sentences))
    return "\n\n".join(blocks) + "\n"


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, str]:
    """A clean article (blocks joined by one blank line) and its language."""
    lang = draw(st.sampled_from(["en", "ja"]))
    return _article(draw(st.integers(0, 2**32 - 1)), lang), lang


def _sentence(rng: random.Random, lang: str, size: int) -> str:
    if lang == "ja":
        return "".join(rng.choice(_CJK) for _ in range(size * 2)) + "。"
    text = " ".join(rng.choice(_WORDS) for _ in range(size))
    return text[0].upper() + text[1:] + "."


def _cut_points(text: str, lang: str, rng: random.Random, count: int) -> list[int]:
    """Positions inside sentences, never right after one ends (a cut there is
    indistinguishable from a paragraph break)."""
    if lang == "en":
        pool = [i for i in range(5, len(text) - 5) if text[i] == " " and text[i - 1] not in ".\n"]
    else:
        pool = [i for i in range(5, len(text) - 5) if text[i - 1] not in "。\n" and text[i] != "\n"]
    # Cuts fall in paragraphs (a heading cut in half is golden-case territory).
    pool = [i for i in pool if not text.startswith("#", text.rfind("\n", 0, i) + 1)]
    return sorted(rng.sample(pool, min(count, len(pool))))


def pollute(article: str, lang: str, seed: int) -> str:
    """Cut ``article`` at 1-3 points inside sentences; regenerate each
    continuation 2-4 times (truncated copies, in shuffled order, one complete),
    some attempts repeating the last words before the cut; glue with markers."""
    rng = random.Random(seed)
    cuts = _cut_points(article, lang, rng, rng.randint(1, 3))
    if not cuts:
        return article
    bounds = [*cuts, len(article)]
    parts = [article[: cuts[0]]]
    for a, b in itertools.pairwise(bounds):
        attempts = [
            article[a : rng.randint(a + 8, b - 1)] for _ in range(rng.randint(1, 3)) if b - a > 10
        ]
        attempts.insert(rng.randint(0, len(attempts)), article[a:b])
        for attempt in attempts:
            head = ""
            if rng.random() < 0.3:
                start = article.rfind(" ", 0, a - 1) + 1 if lang == "en" else a - rng.randint(4, 6)
                line_start = article.rfind("\n", 0, a) + 1
                if article.startswith("#", line_start):
                    line_start = article.index(" ", line_start) + 1  # not inside "## "
                if line_start < start < a:
                    head = article[start:a]
            # The space at a cut between words travels with the continuation,
            # so the join is decidable; mid-word cuts are golden-case territory.
            parts.append(head + attempt)
    # Files end with a newline, whichever attempt happens to come last.
    return "\n---END---\n".join(parts).rstrip("\n") + "\n"


@given(articles())
@SETTINGS
def test_clean_article_is_unchanged(article: tuple[str, str]) -> None:
    text, _ = article
    result = clean(text)
    assert result.text == text
    assert result.actions == ()


@given(articles(), st.integers(2, 4), st.booleans())
@SETTINGS
def test_article_repeated_k_times_comes_back_once(
    article: tuple[str, str], k: int, marked: bool
) -> None:
    text, _ = article
    glue = "\n---END---\n" if marked else "\n\n"
    assert clean_text(glue.join([text.rstrip("\n")] * k) + "\n") == text


def test_regenerated_continuations_mostly_come_back_equal() -> None:
    """Exact reconstruction holds for most, not all, random pollutions: the rate
    is the property (measured 93-98 %; the quality benchmark has the details), and
    a drop below 90 % is a regression. Nothing may ever be lost."""
    cases = [
        (_article(k * 7919, "en" if k % 2 else "ja"), "en" if k % 2 else "ja", k)
        for k in range(120)
    ]
    exact = 0
    for article, lang, seed in cases:
        polluted = pollute(article, lang, seed)
        out = clean_text(polluted)
        exact += out == article
        assert [p for p in problems(polluted, out) if p.startswith("lost")] == [], seed
    assert exact / len(cases) >= 0.90, f"{exact}/{len(cases)} exact"


@pytest.mark.parametrize("k", [68, 722, 2377, 4099, 4561, 4903, 6244, 6297, 11295])
def test_pollutions_found_by_search_lose_nothing(k: int) -> None:
    """Pollutions on which a wider random search caught a lost sentence in a
    development version of the reworded-continuation rule (a shorter copy, or a
    copy with repeated words, taken for another wording of a stitched continuation;
    commits c5e98f4-6edea6b; 6297: a later continuation taken for a reworded cut
    copy of one that opened with another word, commit c5895a4; 4099, 4903 and
    6244: a word (or two CJK characters) the article writes twice, repeated at a
    cut and kept once, then another attempt's wording of the sentence losing its
    first words; 11295: a longer attempt of two chained continuations dropped,
    and 4561, where a first version of that fix lost sentences to a chain a longer
    attempt had already replaced); kept as fixed
    examples, so that rule cannot lose them again. They come from this module's
    generator, so they follow it if it changes."""
    lang = "en" if k % 2 else "ja"
    article = _article(k * 104729 + 13, lang)
    polluted = pollute(article, lang, k)
    out = clean_text(polluted)
    assert [p for p in problems(polluted, out) if p.startswith("lost")] == []
    assert clean_text(out) == out


@given(articles(), st.integers(0, 2**16))
@SETTINGS
def test_idempotent_and_nothing_lost(article: tuple[str, str], seed: int) -> None:
    text, lang = article
    polluted = pollute(text, lang, seed)
    once = clean_text(polluted)
    assert clean_text(once) == once
    assert [p for p in problems(polluted, once) if p.startswith("lost")] == []


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
@settings(max_examples=150, deadline=None)
def test_any_text_is_cleaned_idempotently(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


def test_same_output_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Sets of strings iterate in an order that depends on PYTHONHASHSEED; the output
    must not (a previous version picked index shingles in set order)."""
    polluted = [pollute(_article(k * 7919, "en" if k % 2 else "ja"), "en" if k % 2 else "ja", k)
                for k in range(12)]  # fmt: skip
    src = tmp_path / "inputs.json"
    src.write_text(json.dumps(polluted), encoding="utf-8")
    script = (
        "import json, sys, hashlib; from dedupe_articles import clean_text;"
        "texts = json.load(open(sys.argv[1], encoding='utf-8'));"
        "print(hashlib.sha1(''.join(map(clean_text, texts)).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(src)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
