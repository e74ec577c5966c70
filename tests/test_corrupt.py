"""Tests of the benchmark's corruption generator (benchmarks/corrupt.py) and corpus."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import joins  # noqa: E402
from benchmarks.blocks import parse_blocks, split_sentences  # noqa: E402
from benchmarks.corrupt import MARKER, SHAPES, corrupt  # noqa: E402
from benchmarks.quality import Case, baseline, changes, units  # noqa: E402

CORPUS = {
    f"{p.parent.name}/{p.name}": p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "benchmarks" / "corpus").glob("*/*.md"))
}
LANGS = ("en", "ja", "zh", "ko", "de", "es", "fr")
CORRUPTING = [s for s in SHAPES if s != "clean"]
SEEDS = range(4)


def lang_of(name: str) -> str:
    return name.split("/")[0]


def sentences(article: str, lang: str) -> list[str]:
    """Prose sentences and the lines of every other block of a clean article."""
    out: list[str] = []
    for blk in parse_blocks(article):
        if blk.kind == "para":
            out.extend(split_sentences(blk.text, lang))
        else:
            out.extend(line for line in blk.text.split("\n") if line)
    return out


def present(sentence: str, text: str) -> bool:
    """In full, or split once at a continuation cut (head, then the tail elsewhere)."""
    if sentence in text:
        return True
    return any(
        sentence[:i].rstrip() in text and sentence[i:].lstrip() in text
        for i in range(1, len(sentence))
        if sentence[:i].strip()
    )


def normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))


def test_corpus_is_clean_and_big_enough() -> None:
    for lang in LANGS:
        assert sum(lang_of(n) == lang for n in CORPUS) >= 6, lang
    for name, text in CORPUS.items():
        blocks = parse_blocks(text)  # raises unless blocks are separated by one blank line
        assert 8 <= len(blocks) <= 25, name
        assert 2000 <= len(text.encode()) <= 9000, name
        assert text.endswith("\n") and not text.endswith("\n\n"), name
        assert not re.search(r"[ \t]$", text, re.M), name
        assert "\r" not in text and MARKER not in text, name


@pytest.mark.parametrize("shape", SHAPES)
def test_deterministic(shape: str) -> None:
    name, article = next(iter(CORPUS.items()))
    a = corrupt(article, seed=7, shape=shape, lang=lang_of(name))
    b = corrupt(article, seed=7, shape=shape, lang=lang_of(name))
    assert a == b
    if shape != "clean":
        texts = {corrupt(article, seed=s, shape=shape).text for s in range(5)}
        assert len(texts) == 5


def test_clean_shape_is_unchanged() -> None:
    for name, article in CORPUS.items():
        c = corrupt(article, seed=3, shape="clean", lang=lang_of(name))
        assert c.text == article == c.original


@pytest.mark.parametrize("shape", CORRUPTING)
def test_every_original_sentence_survives(shape: str) -> None:
    for name, article in CORPUS.items():
        lang = lang_of(name)
        wanted = sentences(article, lang)
        for seed in SEEDS:
            c = corrupt(article, seed=seed, shape=shape, lang=lang)
            assert c.text != c.original
            assert normalized(c.original) == article
            text = normalized(c.text)
            lost = [s for s in wanted if not present(s, text)]
            assert not lost, f"{name}:{seed}:{shape} lost {lost[:2]}"


@pytest.mark.parametrize("shape", CORRUPTING)
def test_markers_and_regeneration(shape: str) -> None:
    for name, article in CORPUS.items():
        c = corrupt(article, seed=1, shape=shape, lang=lang_of(name))
        assert MARKER in c.text, name
        assert len(c.text) > len(article), name
        # the first segment is the original's beginning, untouched
        head = c.text.replace("\r\n", "\n").split(MARKER)[0].rstrip()
        assert article.startswith(head.split("\n\n")[0]), name


def test_crlf_variant_has_crlf_ground_truth() -> None:
    found = 0
    for name, article in CORPUS.items():
        for seed in range(6):
            c = corrupt(article, seed=seed, shape="mixed", lang=lang_of(name))
            if "crlf" in c.notes:
                found += 1
                assert c.original == article.replace("\n", "\r\n")
                assert "\n" not in c.text.replace("\r\n", "")
            else:
                assert c.original == article
    assert found >= 10


def test_complementary_no_attempt_holds_the_target_paragraph() -> None:
    checked = 0
    for name, article in CORPUS.items():
        blocks = parse_blocks(article)
        for seed in SEEDS:
            c = corrupt(article, seed=seed, shape="complementary", lang=lang_of(name))
            for note in c.notes:
                if note.startswith("complementary@"):
                    for b in map(int, re.findall(r"\d+", note)):
                        assert blocks[b].text not in c.text, f"{name}:{seed}"
                        checked += 1
    assert checked >= len(CORPUS)


def test_reworded_attempts_differ() -> None:
    article = CORPUS["en/01_sourdough_starter.md"]
    c = corrupt(article, seed=2, shape="reworded", lang="en")
    orig = set(units(article))
    assert "reworded" in c.notes
    assert any(u not in orig for u in units(c.text) if MARKER not in u and len(u) > 40)


def test_indented_fence_keeps_its_blank_lines() -> None:
    # CommonMark lets a fence be indented up to three spaces; a blank line inside
    # such a block is code, not a block break (the real post c7 has one).
    text = "Intro.\n\n```latex\na\n\nb\n ```\n\nEnd.\n"
    assert [b.kind for b in parse_blocks(text)] == ["para", "code", "para"]


def test_baseline_and_units() -> None:
    text = "Title\n\nA one. B two!\n\n---END---\n\nA one. B two!\r\n\r\nC three\n"
    assert baseline(text) == "Title\r\n\r\nA one. B two!\r\n\r\nC three\r\n"
    assert units("Dr. Who. 3.14 is pi.\n今日は晴れ。明日は「雨」？はい") == [
        "Dr.",
        "Who.",
        "3.14 is pi.",
        "今日は晴れ。",
        "明日は「雨」？",
        "はい",
    ]


def test_join_benchmark_scores_only_real_cuts() -> None:
    """benchmarks/joins.py: cuts between words are taken only where a space stood,
    the cut paragraph is left out of the model, and the engine gets most of them right."""
    right, total = joins.run(["en", "de"], 10, 1, False)
    assert total and set(k for _, k in total) == {"between words", "inside a word"}
    between = sum(right[k] for k in total if k[1] == "between words")
    assert between / sum(total[k] for k in total if k[1] == "between words") >= 0.9
    for text in CORPUS.values():
        for para in joins.paragraphs(text):
            assert not para.startswith(("```", "#", "|", "- "))


def _case(key: str, exact: bool, lost: int = 0, tool: str = "engine") -> Case:
    return Case(key, "en", "mixed", tool, exact, 10, lost, 0, 0, 100, 0.01)


def test_changes_against_an_earlier_run_lists_gains_losses_and_moves() -> None:
    old = [
        {"key": k, "tool": "engine", "exact": e, "lost": lost, "dups": 0, "junk": 0}
        for k, e, lost in [("a", False, 1), ("b", True, 0), ("c", False, 2), ("gone", True, 0)]
    ]
    old.append({"key": "a", "tool": "baseline", "exact": True, "lost": 0, "dups": 0, "junk": 0})
    new = [_case("a", True), _case("b", False, 1), _case("c", False, 1), _case("new", False)]
    lines = changes(old, new)
    assert lines[0] == (
        "against the earlier run (3 cases in both): exact 1 -> 1  lost 3 -> 2  dups 0 -> 0  "
        "junk 0 -> 0"
    )
    assert lines[1:] == [
        "GAIN a  lost 1->0 dups 0->0 junk 0->0",
        "LOSS b  lost 0->1 dups 0->0 junk 0->0",
        "~    c  lost 2->1 dups 0->0 junk 0->0",
    ]
