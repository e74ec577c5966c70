"""Real polluted posts (``tests/real/``, copied from ``../shared/real/`` with its
MANIFEST.tsv of where each came from): no ground truth,
but every cleaned post must have no marker, no repeated sentence (from 20
characters up), no paragraph contained in another, and every input sentence
present (in the wording of the attempt kept, for reworded attempts).

Posts the cleaner does not yet get fully right are strict xfails, each with what
is still wrong, so that a fix shows up as an unexpected pass. The posts ship with the
tests; should the folder be missing, the tests skip, or fail when ``CI`` is set
(see ``needs.py``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import needs
import pytest
from invariants import MARKER, paragraphs, problems, strip_code

from dedupe_articles import clean, clean_text

REAL = Path(__file__).resolve().parent / "real"
POSTS = sorted(REAL.glob("*/*.md")) if REAL.is_dir() else []
NO_POSTS = f"no real posts at {REAL}"
# Without posts, one stand-in parameter that skips (or fails in CI) with NO_POSTS.
NONE = [pytest.param(None, id="no-posts")]

# What is still wrong in each (checked by reading the output), and how many problems
# of each kind the invariants find today: a post may get better, never worse.
KNOWN: dict[str, tuple[str, dict[str, int]]] = {
    "c7_diagrams_in_tex.md": (
        "regenerated sections keep an opening sentence twice",
        {"repeated": 3},
    ),
    "chap_3.md": (
        "code examples explained by the same opening sentence, on purpose",
        {"repeated": 1},
    ),
    "2025-11-03-3-neuralink.md": (
        "the intro's closing sentence opens the regenerated conclusion too",
        {"repeated": 1},
    ),
    "2025-11-06-1-phasevai.md": (
        "a sentence reused inside two regenerated paragraphs",
        {"repeated": 1},
    ),
    "2025-12-02-2-openaiit.md": (
        "a reworded sentence kept in the other attempt's wording; repeats",
        {"repeated": 2, "lost": 1},
    ),
}


def _param(path: Path) -> object:
    known = KNOWN.get(path.name)
    marks = [pytest.mark.xfail(strict=True, reason=known[0])] if known else []
    return pytest.param(path, id=f"{path.parent.name}/{path.name}", marks=marks)


def _kinds(found: list[str]) -> Counter[str]:
    """``lost: ...``, ``repeated: ...``, ``paragraph 3 inside ...`` -> their kinds."""
    return Counter(p.split(":")[0].split(" ")[0] for p in found)


@pytest.mark.parametrize("path", [_param(p) for p in POSTS] or NONE)
def test_real_post_is_clean(path: Path | None) -> None:
    if path is None:
        needs.missing(NO_POSTS)
    text = path.read_text(encoding="utf-8")
    out = clean_text(text)
    assert problems(text, out) == []


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in POSTS if p.name in KNOWN] or NONE,
)
def test_known_imperfect_post_is_no_worse(path: Path | None) -> None:
    """The strict xfail above hides which problems a known post has: pin their count
    per kind, so a new lost sentence or repeat fails the run."""
    if path is None:
        needs.missing(NO_POSTS)
    text = path.read_text(encoding="utf-8")
    found = _kinds(problems(text, clean_text(text)))
    pinned = KNOWN[path.name][1]
    worse = {kind: n for kind, n in found.items() if n > pinned.get(kind, 0)}
    assert worse == {}, f"more problems than pinned {pinned}: {found}"


def test_known_posts_exist() -> None:
    if not POSTS:
        needs.missing(NO_POSTS)
    assert set(KNOWN) <= {p.name for p in POSTS}


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in POSTS] or NONE
)
def test_real_post_basics(path: Path | None) -> None:
    """What must hold for every post, today: no marker left, nothing the input had
    twice left twice verbatim as a whole paragraph, stable, and smaller."""
    if path is None:
        needs.missing(NO_POSTS)
    text = path.read_text(encoding="utf-8")
    result = clean(text)
    assert not MARKER.search(result.text)
    assert clean_text(result.text) == result.text
    assert len(result.text) <= len(text)
    prose = [p for p in paragraphs(strip_code(result.text)) if len(p) >= 40]
    assert len(prose) == len(set(prose))  # code may repeat (examples share set-up lines)


def test_checker_finds_a_truncated_attempt_in_its_reworded_sentence() -> None:
    """A truncated attempt's last words are present when the sentence the complete
    attempt wrote begins like them (a word changed); words nothing begins are lost."""
    whole = "次に、**セキュリティ**は、データセンターにとって生命線です。"
    assert problems(f"次に、**セキュリティと\n\n---END---\n\n{whole}\n", whole + "\n") == []
    assert problems(f"まったく別の話題と\n\n---END---\n\n{whole}\n", whole + "\n") == [
        "lost: まったく別の話題と"
    ]
    # A finished sentence is not matched against heads: it must be there (or reworded).
    assert problems(f"次に、セキュリティです。\n\n{whole}\n", whole + "\n") == [
        "lost: 次に、セキュリティです。"
    ]
