"""Config validation: every caller (library, CLI, Dask engine) gets the same errors up front."""

from __future__ import annotations

import pytest

from dedupe_articles import Config
from dedupe_articles.config import MarkerError


@pytest.mark.parametrize("bad", ["(", "[a-", "a{2,1}"])
def test_invalid_marker_is_a_value_error_naming_field_and_pattern(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^markers: ") as info:
        Config(markers=(r"-{3}END-{3}", bad))
    assert f"markers: {bad!r} is not a valid regular expression: " in str(info.value)
    assert isinstance(info.value, MarkerError) and info.value.pattern == bad
    assert info.value.reason and info.value.reason in str(info.value)


def test_with_changes_validates_markers_too() -> None:
    with pytest.raises(ValueError, match=r"^markers: '\(' is not a valid regular expression"):
        Config().with_changes(markers=("(",))
    assert Config().with_changes(markers=("<<<CONTINUE>>>",)).markers == ("<<<CONTINUE>>>",)


def test_other_checks_come_before_the_markers() -> None:
    with pytest.raises(ValueError, match=r"^near_duplicate_cutoff must be between 0 and 100"):
        Config(near_duplicate_cutoff=200, markers=("(",))
    with pytest.raises(ValueError, match=r"^markers must hold at least one pattern$"):
        Config(markers=())
