"""tests/needs.py: a missing input or extra skips locally and fails in CI."""

from __future__ import annotations

from pathlib import Path

import needs
import pytest


@pytest.mark.parametrize("in_ci", [False, True])
def test_missing_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, in_ci: bool
) -> None:
    monkeypatch.setattr(needs, "IN_CI", in_ci)
    outcome = pytest.fail.Exception if in_ci else pytest.skip.Exception
    with pytest.raises(outcome, match="no real posts"):
        needs.missing("no real posts")
    with pytest.raises(outcome, match="could not import 'no_such_module_here'"):
        needs.module("no_such_module_here")
    assert needs.module("json").__name__ == "json"


def test_ci_script_sets_ci() -> None:
    script = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert 'export CI="${CI:-true}"' in script.split("pip install", 1)[0]
