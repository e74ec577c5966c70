"""Shared fixtures (``corpus``, from :mod:`filetree`) and Hypothesis profiles.

The default profile is derandomized: every run, CI included, tests the same
examples, so a landing never depends on luck. Search new examples with
``HYPOTHESIS_PROFILE=explore python -m pytest tests/test_properties.py`` (random
seeds, failures kept in ``.hypothesis/``); add what it finds as a golden case.
"""

from __future__ import annotations

import os

from filetree import corpus
from hypothesis import settings

__all__ = ["corpus"]  # the fixture, for every test module

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
