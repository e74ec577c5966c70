"""The pure core: ``clean(text, config) -> CleanResult``.

No I/O and no module-level state: the file layer, CLI and hook are shells over
this function. The pipeline is split -> index/resolve -> reassemble.
"""

from __future__ import annotations

from dedupe_articles.config import Config
from dedupe_articles.reassembler import assemble
from dedupe_articles.resolver import resolve
from dedupe_articles.result import CleanResult
from dedupe_articles.splitter import parse


def clean(text: str, config: Config | None = None) -> CleanResult:
    """Clean one article: one copy of every piece of content, in order.

    Input with nothing to remove comes back unchanged, byte for byte.

    >>> result = clean("Intro sentence one. Intro two.\\n---END---\\nIntro sentence one. Intro two.\\n")
    >>> result.text
    'Intro sentence one. Intro two.\\n'
    >>> [a.kind.value for a in result.actions]
    ['marker', 'duplicate']
    """
    config = config or Config()
    doc = parse(text, config)
    resolution = resolve(doc, config)
    out, actions = assemble(doc, resolution, config, text)
    return CleanResult(text=out, actions=tuple(actions))


def clean_text(text: str) -> str:
    """Clean one article with the default :class:`Config` and return the text.

    >>> clean_text("# Title\\n\\nSame paragraph, twice over.\\n\\nSame paragraph, twice over.\\n")
    '# Title\\n\\nSame paragraph, twice over.\\n'
    """
    return clean(text).text
