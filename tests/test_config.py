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


def test_markers_that_are_valid_alone_but_not_together_are_refused_up_front() -> None:
    """The splitter searches one pattern made of all the markers: an inline flag such
    as ``(?x)`` can break it although each pattern compiles on its own."""
    with pytest.raises(MarkerError, match=r"cannot be combined") as info:
        Config(markers=("(?x)END # the marker",))
    assert info.value.pattern == "(?x)END # the marker"
    assert Config(markers=("(?x)END", "<<STOP>>")).markers == ("(?x)END", "<<STOP>>")
