"""What some tests need from outside the repository: skipped locally, failed in CI.

A developer without the real posts (``tests/real``) or the ``dask`` extra gets
skips. In CI (the ``CI`` environment variable set, as ``.ci/run`` does and most CI
services do) the same gaps fail the run: there a skip would hide a broken setup.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

# CI=true (or 1, yes...); unset, empty, "0", "false" or "no" mean a local run.
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> NoReturn:
    """Skip the test locally; fail it in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: a missing input or extra fails the run)", pytrace=False)
    pytest.skip(reason)


def module(name: str) -> ModuleType:
    """``pytest.importorskip(name)``, failing in CI instead of skipping."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(f"could not import {name!r}: {exc}; pip install '.[test]' (or '.[dask]')")
