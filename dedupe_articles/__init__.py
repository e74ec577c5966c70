r"""dedupe-articles: turn a polluted, many-times-continued article into one clean article.

>>> from dedupe_articles import clean_text
>>> clean_text("Hello there, my dear world.\n\nHello there, my dear world.\n")
'Hello there, my dear world.\n'
"""

from __future__ import annotations

from dedupe_articles.config import Config
from dedupe_articles.core import clean, clean_text
from dedupe_articles.result import Action, ActionKind, CleanResult

__all__ = ["Action", "ActionKind", "CleanResult", "Config", "clean", "clean_text"]
__version__ = "0.1.0"
