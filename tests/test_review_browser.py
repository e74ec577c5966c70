"""The review page in a real browser: headless Chromium runs its script, then dumps the DOM.

The page reads ``filter``, ``sort``, ``open`` and ``view`` from the URL (``#...`` or
``?...``), so each check is one ``chromium --dump-dom URL`` run (about 1-2 s each).
Chromium is required: without it these tests fail (CI installs it with
``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from filetree import ROOT, SEED, read_exact

from dedupe_articles import ActionKind, clean
from dedupe_articles.review import ReviewItem, render_html

CASES = ROOT / "tests" / "cases" / "synthetic"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    for name in (os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", *CANDIDATES):
        found = name and shutil.which(name)
        if found:
            return found
    pytest.fail(
        "Chromium is needed for the review page browser tests and was not found "
        "(looked for $CHROMIUM, /usr/bin/chromium, " + ", ".join(CANDIDATES) + "). "
        "Install it, e.g. `apt-get install -y chromium`.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, ReviewItem]]:
    items = {
        "samples/seed_000_3c562c15f48485c9.txt": read_exact(SEED),
        "en/complementary.txt": read_exact(CASES / "en_complementary_1.in.txt"),
        "ko/restart_paragraph.txt": read_exact(CASES / "ko_restart_paragraph_1.in.txt"),
    }
    review = {path: ReviewItem(path, text, clean(text)) for path, text in items.items()}
    out = tmp_path_factory.mktemp("review") / "review page.html"  # a space: URL quoting
    out.write_text(render_html(list(review.values())), encoding="utf-8")
    return out, review


def dump_dom(path: Path, fragment: str, tmp_path: Path) -> str:
    browser = find_chromium()
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=3000",
        "--dump-dom",
        path.as_uri() + fragment,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<html" in dom and "data-ready" in dom, "the page's script did not run:\n" + dom[:500]
    return dom


class Dom(HTMLParser):
    """The file rows of a dumped page and what the script built in their article views."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, str]] = []  # in DOM order; "hidden" is a key when present
        self.views: dict[tuple[str, str], list[tuple[str, dict[str, str]]]] = {}
        self._view: tuple[str, str] | None = None
        self._depth = 0
        self.feed(dom)
        self.close()

    def row(self, path: str) -> dict[str, str]:
        (row,) = [r for r in self.rows if r["data-path"] == path]
        return row

    def visible(self) -> list[str]:
        return [r["data-path"] for r in self.rows if "hidden" not in r]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "section" and "file" in classes:
            self.rows.append(a)
        elif self._view is not None:
            self.views[self._view].append((tag, a))
            self._depth += tag == "div"
        elif tag == "div" and "article" in classes:
            self._view = (self.rows[-1]["id"], a["data-v"])
            self.views[self._view] = []
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._view is not None and tag == "div":
            self._depth -= 1
            if not self._depth:
                self._view = None

    def lines(self, row: str, view: str) -> list[dict[str, str]]:
        return [
            a for tag, a in self.views[row, view] if tag == "div" and "ln" in a["class"].split()
        ]

    def marked(self, row: str, view: str) -> list[tuple[str, dict[str, str]]]:
        return [(tag, a) for tag, a in self.views[row, view] if tag != "div" and "data-a" in a]


def test_filter_from_the_url_and_open_file_rendered(
    page: tuple[Path, dict[str, ReviewItem]], tmp_path: Path
) -> None:
    path, review = page
    seed_path = "samples/seed_000_3c562c15f48485c9.txt"
    seed = review[seed_path]
    assert seed.result is not None
    static = Dom(path.read_text(encoding="utf-8"))
    seed_id = static.row(seed_path)["id"]
    assert not static.lines(seed_id, "input")  # articles are built by the script on opening

    html = dump_dom(path, f"#filter=seed&open={seed_id}", tmp_path)
    dom = Dom(html)

    # The summary is there.
    assert 'data-stat="files" data-value="3"' in html
    assert 'data-stat="changed" data-value="3"' in html
    assert html.count('<rect class="bar') == 3
    # The filter box was set from the URL and only the seed is shown.
    assert dom.visible() == [seed_path]
    assert '<span id="count">1 of 3 files</span>' in html
    # The seed is open on its input view and every action is a highlighted element.
    row = dom.row(seed_path)
    assert "open" in row["class"].split() and row.get("data-view") == "input"
    assert len(dom.lines(seed_id, "input")) == len(seed.text.splitlines())
    ids: set[int] = set()
    kinds: set[str] = set()
    for _, attrs in dom.marked(seed_id, "input"):
        ids.update(int(i) for i in attrs["data-a"].split())
        assert re.fullmatch(r"(pt |tag )?k-([a-z_]+)( ov)?", attrs["class"]), attrs
        kinds.add(attrs["class"].split("k-")[1].split()[0])
    assert ids == set(range(len(seed.result.actions)))
    assert kinds == {a.kind.value for a in seed.result.actions}
    # The other rows and the output view were not built.
    assert not dom.lines(seed_id, "output")
    assert all(not dom.lines(r["id"], "input") for r in dom.rows if r["id"] != seed_id)


def test_output_view_marks_merges(page: tuple[Path, dict[str, ReviewItem]], tmp_path: Path) -> None:
    path, review = page
    en_id = Dom(path.read_text(encoding="utf-8")).row("en/complementary.txt")["id"]
    dom = Dom(dump_dom(path, f"#open={en_id}&view=output", tmp_path))
    assert len(dom.visible()) == 3
    assert dom.row("en/complementary.txt").get("data-view") == "output"
    result = review["en/complementary.txt"].result
    assert result is not None
    lines = dom.lines(en_id, "output")
    assert len(lines) == len(result.text.splitlines())
    merged = {str(i) for i, a in enumerate(result.actions) if a.kind is ActionKind.MERGED}
    marked = [a for a in lines if "tb" in a["class"].split()]
    assert marked and all("k-merged" in a["class"] for a in marked)
    assert all(set(a["data-a"].split()) == merged for a in marked)
    assert not dom.lines(en_id, "input")


def test_query_string_sort_and_filter(
    page: tuple[Path, dict[str, ReviewItem]], tmp_path: Path
) -> None:
    path, review = page
    dom = Dom(dump_dom(path, "?sort=pct", tmp_path))
    order = [r["data-path"] for r in dom.rows]
    by_share = sorted(dom.rows, key=lambda r: -float(r["data-pct"]))
    assert order == [r["data-path"] for r in by_share]
    assert order != sorted(review)  # the sort changed the order
    assert len(dom.visible()) == 3
    dom = Dom(dump_dom(path, "?filter=KO%2F", tmp_path))  # case-insensitive, URL-encoded
    assert dom.visible() == ["ko/restart_paragraph.txt"]


def test_action_link_shows_its_reason(
    page: tuple[Path, dict[str, ReviewItem]], tmp_path: Path
) -> None:
    path, review = page
    seed_path = "samples/seed_000_3c562c15f48485c9.txt"
    result = review[seed_path].result
    assert result is not None
    i, action = next((i, a) for i, a in enumerate(result.actions) if a.kind is ActionKind.DUPLICATE)
    seed_id = Dom(path.read_text(encoding="utf-8")).row(seed_path)["id"]
    html = dump_dom(path, f"#open={seed_id}&action={i}", tmp_path)
    tip = re.search(r'<div id="tip" ([^>]*)>(.*?)<script>', html, re.S)
    assert tip is not None and "hidden" not in tip[1], "the tooltip is not shown"
    assert 'class="ti k-duplicate"' in tip[2]
    assert f">{action.detail}<" in tip[2] and f"score {action.score:.1f}" in tip[2]
    assert action.matched_excerpt in tip[2]
    assert "Click to see it in the output" in tip[2]
