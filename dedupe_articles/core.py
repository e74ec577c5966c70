"""The pure core: ``clean(text, config) -> CleanResult``.

No I/O and no module-level state: the file layer, CLI and hook are shells over
this function. The pipeline is split -> index/resolve -> reassemble.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from dedupe_articles.config import Config
from dedupe_articles.reassembler import assemble
from dedupe_articles.reorder import reorder
from dedupe_articles.resolver import resolve
from dedupe_articles.result import Action, CleanResult
from dedupe_articles.splitter import parse

# Reassembly can put side by side what the input kept apart (a cut paragraph and
# its continuation), which a second look would join; cleaning runs to a fixpoint so
# that clean(clean(x)) == clean(x). Two passes settle almost everything.
_MAX_PASSES = 3


def clean(text: str, config: Config | None = None) -> CleanResult:
    """Clean one article: one copy of every piece of content, in order.

    Input with nothing to remove comes back unchanged, byte for byte.

    >>> result = clean("One sentence here. And two.\\n---END---\\nOne sentence here. And two.\\n")
    >>> result.text
    'One sentence here. And two.\\n'
    >>> [a.kind.value for a in result.actions]
    ['marker', 'duplicate']
    """
    config = config or Config()
    current, actions = _one_pass(text, config)
    for _ in range(_MAX_PASSES - 1):
        if not actions or current == text:
            break
        again, more = _one_pass(current, config)
        if not more:
            break
        actions = actions + _relocate(more, current, text)
        current = again
    return CleanResult(text=current, actions=tuple(sorted(actions, key=_order)))


def clean_text(text: str) -> str:
    """Clean one article with the default :class:`Config` and return the text.

    >>> clean_text("# Title\\n\\nSame paragraph, twice over.\\n\\nSame paragraph, twice over.\\n")
    '# Title\\n\\nSame paragraph, twice over.\\n'
    """
    return clean(text).text


def _one_pass(text: str, config: Config) -> tuple[str, list[Action]]:
    doc = parse(text, config)
    resolution = reorder(doc, resolve(doc, config))
    return assemble(doc, resolution, config, text)


def _relocate(actions: list[Action], seen: str, original: str) -> list[Action]:
    """Point actions found in an intermediate text at the same text in the input."""
    starts = [0]
    at = original.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = original.find("\n", at + 1)
    out = []
    for action in actions:
        piece = seen[action.start : action.end]
        at = original.find(piece) if piece else -1
        if at < 0:
            at = min(action.start, len(original))
        end = at + len(piece)
        out.append(
            replace(
                action,
                start=at,
                end=end,
                start_line=bisect.bisect_right(starts, at),
                end_line=bisect.bisect_right(starts, max(at, end - 1)),
                detail=action.detail + " (second look)",
            )
        )
    return out


def _order(action: Action) -> tuple[int, int, str]:
    return action.start, action.end, action.kind.value
