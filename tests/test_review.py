"""The review page (``dedupe_articles.review``): escaping, spans, summary, determinism.

These tests read the generated HTML as text; ``test_review_browser.py`` opens it in
a real browser.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from filetree import ROOT, SEED, read_exact

from dedupe_articles import Action, ActionKind, CleanResult, clean
from dedupe_articles.review import ReviewItem, input_fragment, output_fragment, render_html

CASES = ROOT / "tests" / "cases"
DATA = re.compile(r'<script type="application/json" id="d-(\d+)">(.*?)</script>', re.S)


def item(path: str, text: str) -> ReviewItem:
    return ReviewItem(path, text, clean(text))


def file_data(page: str) -> dict[int, dict[str, Any]]:
    """Each row's embedded JSON, by row number."""
    return {int(m[1]): json.loads(m[2]) for m in DATA.finditer(page)}


class Fragment(HTMLParser):
    """The text of each line and every highlighted element of a view fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line_attrs: list[dict[str, str]] = []
        self.marks: list[tuple[str, list[int], str]] = []  # class, action ids, text
        self.points: list[tuple[str, list[int], str]] = []  # class, action ids, label
        self._mark: dict[str, str] | None = None
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "div" and "ln" in a.get("class", "").split():
            self.lines.append("")
            self.line_attrs.append(a)
        elif tag == "mark":
            self._mark = a
            self.marks.append((a["class"], [int(i) for i in a["data-a"].split()], ""))
        elif tag == "span":
            ids = [int(i) for i in a["data-a"].split()]
            self.points.append((a["class"], ids, a["data-label"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._mark = None

    def handle_data(self, data: str) -> None:
        self.lines[-1] += data
        if self._mark is not None:
            cls, ids, text = self.marks[-1]
            self.marks[-1] = (cls, ids, text + data)


def shown_lines(text: str) -> list[str]:
    lines = text.replace("\r", "").split("\n")
    return lines[:-1] if text.endswith("\n") else lines


# --- escaping ---------------------------------------------------------------------

NASTY = "A <b>bold</b> & \"quoted\" 'single' </script><!-- x --> \u2028 end.\n"
NASTY_PATH = "dir/<img src=x onerror=alert(1)>&\"'.txt"


def test_article_text_and_file_names_are_escaped() -> None:
    text = NASTY + "\n---END---\n\n" + NASTY
    page = render_html([item(NASTY_PATH, text)], title='Review <of> "x" & y')
    assert "<img" not in page and "<b>bold" not in page and "<!-- x" not in page
    assert "<title>Review &lt;of&gt; &quot;x&quot; &amp; y</title>" in page
    assert 'data-path="dir/&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;.txt"' in page
    # Two script elements per page: the row's data and the page's code.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    (data,) = file_data(page).values()
    assert "</" not in DATA.search(page)[2]  # type: ignore[index]
    fragment = data["input"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &#x27;single&#x27;" in fragment
    assert Fragment(fragment).lines == shown_lines(text)
    assert Fragment(data["output"]).lines == shown_lines(clean(text).text)


def test_unspeakable_text_still_gives_a_page() -> None:
    page = render_html([ReviewItem("a.txt", "bad \udcff byte\x00 here", None, "invalid utf-8")])
    page.encode("utf-8")  # a lone surrogate would make this raise
    assert "\x00" not in page and "\udcff" not in page
    assert "invalid utf-8" in page and 'data-path="a.txt"' in page


# --- highlighted spans ------------------------------------------------------------


def assert_every_action_highlighted(text: str, actions: tuple[Action, ...]) -> None:
    frag = Fragment(input_fragment(text, actions))
    assert "".join(frag.lines) == text.replace("\r", "").replace("\n", "")
    for i, action in enumerate(actions):
        span = text[action.start : action.end]
        if not span:
            assert any(i in ids and f"k-{action.kind.value}" in cls for cls, ids, _ in frag.points)
            continue
        covered = [(cls, t) for cls, ids, t in frag.marks if i in ids]
        assert "".join(t for _, t in covered) == span.replace("\r", "").replace("\n", ""), action
        alone = not any(
            j != i and b.start < action.end and action.start < b.end for j, b in enumerate(actions)
        )
        if alone:
            assert {cls for cls, _ in covered} == {f"k-{action.kind.value}"}
        else:
            assert all(cls.endswith(" ov") for cls, _ in covered)


def test_every_action_of_the_seed_is_a_span_of_its_kind() -> None:
    text = read_exact(SEED)
    result = clean(text)
    assert result.actions
    assert_every_action_highlighted(text, result.actions)


@pytest.mark.parametrize(
    "case",
    [
        "synthetic/en_complementary_1",  # merged and shorter_variant on the same block
        "synthetic/en_overlap_1",  # stitched span of repeated characters
        "synthetic/ja_crlf_1",  # CRLF, empty stitched span
        "synthetic/zh_collapsed_echo_1",
        "synthetic/ko_restart_paragraph_1",
        "synthetic/en_frontmatter_1",
    ],
)
def test_every_action_of_a_case_is_a_span_of_its_kind(case: str) -> None:
    text = read_exact(CASES / f"{case}.in.txt")
    assert_every_action_highlighted(text, clean(text).actions)


def test_overlapping_actions_innermost_wins_and_all_are_listed() -> None:
    text = "0123456789abcdefghij"
    actions = (
        Action(ActionKind.DUPLICATE, 0, 20, 1, 1, "", 0, "x"),
        Action(ActionKind.STITCHED, 5, 10, 1, 1, "", 0, "x"),
    )
    frag = Fragment(input_fragment(text, actions))
    assert frag.marks == [
        ("k-duplicate", [0], "01234"),
        ("k-stitched ov", [0, 1], "56789"),
        ("k-duplicate", [0], "abcdefghij"),
    ]
    # Equal spans: the more specific kind wins, whatever the order of the actions.
    same = (
        Action(ActionKind.SHORTER_VARIANT, 2, 8, 1, 1, "", 0, "x"),
        Action(ActionKind.MERGED, 2, 8, 1, 1, "", 0, "x"),
    )
    for actions in (same, same[::-1]):
        marks = Fragment(input_fragment(text, actions)).marks
        assert marks == [("k-merged ov", [0, 1], "234567")]


def test_block_starts_are_tagged_with_their_kinds() -> None:
    text = read_exact(CASES / "synthetic" / "en_complementary_1.in.txt")
    frag = Fragment(input_fragment(text, clean(text).actions))
    assert ("tag k-merged", [4, 5], "merged · shorter variant") in frag.points
    assert not any("marker" in label for _, _, label in frag.points)


def test_stitched_join_marks_its_output_block() -> None:
    text = read_exact(SEED)
    result = clean(text)
    (stitch,) = [a for a in result.actions if a.kind is ActionKind.STITCHED]
    i = result.actions.index(stitch)
    frag = Fragment(output_fragment(result.text, result.actions))
    marked = [n for n, a in enumerate(frag.line_attrs) if "tb" in a["class"].split()]
    assert marked and all(frag.line_attrs[n]["data-a"] == str(i) for n in marked)
    assert all("k-stitched" in frag.line_attrs[n]["class"] for n in marked)
    key = stitch.matched_excerpt.removesuffix("…")
    assert frag.lines[marked[0]].startswith(key)
    assert ("pt k-stitched", [i], "joined") in frag.points


def test_output_blocks_are_found_past_front_matter() -> None:
    # matched_block excludes front matter; the page must still mark the right block.
    body = read_exact(CASES / "synthetic" / "en_overlap_1.in.txt")
    text = "---\ntitle: T\n\ntags: [a]\n---\n\n" + body
    result = clean(text)
    (stitch,) = [a for a in result.actions if a.kind is ActionKind.STITCHED]
    frag = Fragment(output_fragment(result.text, result.actions))
    marked = [n for n, a in enumerate(frag.line_attrs) if "tb" in a["class"].split()]
    assert marked
    assert frag.lines[marked[0]].startswith(stitch.matched_excerpt.removesuffix("…"))


def test_actions_json_is_the_report_data() -> None:
    text = read_exact(SEED)
    result = clean(text)
    (data,) = file_data(render_html([ReviewItem("seed.txt", text, result)])).values()
    assert data["actions"] == [a.to_dict() for a in result.actions]


# --- summary, failures, determinism -----------------------------------------------


def stats(page: str) -> dict[str, int]:
    found = re.findall(r'data-stat="(\w+)" data-value="(-?\d+)"', page)
    return {key: int(value) for key, value in found}


def test_summary_numbers() -> None:
    seed = read_exact(SEED)
    ko = read_exact(CASES / "synthetic" / "ko_restart_paragraph_1.in.txt")
    clean_text = read_exact(CASES / "negative" / "fr_refrain_1.in.txt")
    items = [
        item("seed.txt", seed),
        item("ko.txt", ko),
        item("fr.txt", clean_text),
        ReviewItem("bad.txt", "whatever", None, "invalid utf-8 at byte offset 3"),
    ]
    removed = sum(len(t.encode()) - len(clean(t).text.encode()) for t in (seed, ko, clean_text))
    assert removed > 0
    page = render_html(items)
    assert stats(page) == {
        "files": 4,
        "changed": 2,
        "unchanged": 1,
        "failed": 1,
        "removed": removed,
    }
    assert f">{removed:,}</span>" in page
    assert page.count('<rect class="bar ') == 4
    assert '<rect class="bar failed"' in page


def test_failed_item_shows_its_error() -> None:
    page = render_html(
        [ReviewItem("bad.txt", "", None, "invalid utf-8 at byte offset 12 <0xff>"), item("a", "A.")]
    )
    row = re.search(r'<section class="file failed".*?</section>', page, re.S)
    assert row is not None
    assert '<div class="error">invalid utf-8 at byte offset 12 &lt;0xff&gt;</div>' in row[0]
    assert 'data-v="output" aria-pressed' not in row[0]  # no clean output to show
    assert '<span class="badge failed">failed</span>' in row[0]
    (data,) = [d for d in file_data(page).values() if d["output"] is None]
    assert data["actions"] == []


def test_unchanged_item() -> None:
    page = render_html([item("fine.txt", "Just one paragraph.\n")])
    assert stats(page)["unchanged"] == 1
    assert "no changes" in page


def test_output_is_deterministic_and_sorted_by_path() -> None:
    items = [
        item("b/seed.txt", read_exact(SEED)),
        item("a/en.txt", read_exact(CASES / "synthetic" / "en_complementary_1.in.txt")),
        ReviewItem("c/bad.txt", "x", None, "boom"),
    ]
    page = render_html(items)
    assert page == render_html(items) == render_html(items[::-1])
    paths = re.findall(r'<section class="file \w+" id="f-\d+" data-path="([^"]+)"', page)
    assert paths == ["a/en.txt", "b/seed.txt", "c/bad.txt"]


def test_cjk_articles_get_a_lang() -> None:
    page = render_html(
        [
            item("ja.txt", read_exact(SEED)),
            item("zh.txt", read_exact(CASES / "synthetic" / "zh_collapsed_echo_1.in.txt")),
            item("ko.txt", read_exact(CASES / "synthetic" / "ko_restart_paragraph_1.in.txt")),
            item("en.txt", "Plain English.\n"),
        ]
    )
    langs = re.findall(r'<div class="article" data-v="input"(?: lang="(\w+)")?>', page)
    assert langs == ["", "ja", "ko", "zh"]  # en, ja, ko, zh in path order
    assert '<meta charset="utf-8">' in page


def test_page_is_self_contained() -> None:
    page = render_html([item("seed.txt", read_exact(SEED))])
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"\bfetch\(|XMLHttpRequest", page)


def test_empty_batch() -> None:
    page = render_html([])
    assert stats(page)["files"] == 0
    assert "0 of 0 files" in page


def test_fragment_of_empty_text() -> None:
    assert "empty" in input_fragment("", ())
    assert "empty" in output_fragment("", ())
    assert html.unescape(input_fragment("&", ())) == '<div class="ln" data-n="1">&</div>'


def test_whole_result_shape() -> None:
    # A CleanResult built by hand (no cleaner) renders like any other.
    text = "Keep.\n\n---END---\n\nKeep.\n"
    result = CleanResult(
        "Keep.\n",
        (
            Action(ActionKind.MARKER, 7, 16, 3, 3, "---END---"),
            Action(ActionKind.DUPLICATE, 18, 23, 5, 5, "Keep.", 0, "Keep.", 100.0, "exact copy"),
        ),
    )
    (data,) = file_data(render_html([ReviewItem("k.txt", text, result)])).values()
    frag = Fragment(data["input"])
    assert [(cls, t) for cls, _, t in frag.marks] == [
        ("k-marker", "---END---"),
        ("k-duplicate", "Keep."),
    ]


def test_cli_html_flag_writes_the_page_and_keeps_inputs(tmp_path: Path) -> None:
    from dedupe_articles.cli import main

    polluted = tmp_path / "in" / "a.txt"
    polluted.parent.mkdir()
    body = "First paragraph <b>here</b>, long & enough.\n\nSecond one, also long enough here.\n"
    polluted.write_text(body + "---END---\n" + body, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Nothing to remove <here> & now.\n", encoding="utf-8")
    before = polluted.read_bytes()
    page = tmp_path / "review.html"

    code = main([str(tmp_path / "in"), "--check", "--html", str(page), "-q"])

    assert code == 1  # --check found a change
    assert polluted.read_bytes() == before
    html = page.read_text(encoding="utf-8")
    assert "a.txt" in html and "b.txt" in html
    assert "<b>here</b>" not in html  # article text never becomes markup
    assert "\\u003cb\\u003ehere" in html  # ... it is embedded escaped, for the lazy view
    assert "duplicate" in html and "marker" in html
