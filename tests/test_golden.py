"""Golden cases: ``tests/cases/<group>/<name>.in.txt`` must clean to ``<name>.out.txt``.

Groups (see ``tests/cases/README.md``):

* ``synthetic``: one defect per small article; expected output in ``<name>.out.txt``.
* ``negative``: clean articles; only ``<name>.in.txt``, which must come back byte for byte.
* ``wild``: real polluted articles with their expected output.
* ``known_failures``: correct but very hard expectations, ``xfail(strict=True)`` on the
  exact-output check (the stability checks still run normally).

Every case is also checked for idempotence: the expected output is a fixed point of the
cleaner and cleaning the cleaner's own output changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from filetree import read_exact

from dedupe_articles import clean_text

CASES_DIR = Path(__file__).parent / "cases"
IN_SUFFIX = ".in.txt"
OUT_SUFFIX = ".out.txt"
GROUPS_WITH_EXPECTED = ("synthetic", "wild", "known_failures")
GROUPS = ("negative", *GROUPS_WITH_EXPECTED)
REQUIRED_GROUPS = ("synthetic", "negative", "wild")


class Case(NamedTuple):
    group: str
    name: str
    input_path: Path
    expected_path: Path  # the input itself for negative cases

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


def collect_cases() -> list[Case]:
    cases = []
    for group in GROUPS:
        for input_path in sorted((CASES_DIR / group).glob(f"*{IN_SUFFIX}")):
            name = input_path.name[: -len(IN_SUFFIX)]
            if group == "negative":
                expected_path = input_path
            else:
                expected_path = input_path.with_name(name + OUT_SUFFIX)
            cases.append(Case(group, name, input_path, expected_path))
    return cases


CASES = collect_cases()
CASES_WITH_EXPECTED = [case for case in CASES if case.group in GROUPS_WITH_EXPECTED]


def params(cases: list[Case], *, xfail_known: bool = False) -> list[object]:
    """pytest params with ids ``group/name``; a sentinel that fails if there are none."""
    if not cases:
        return [pytest.param(None, id="no-cases-found")]
    marks_known = [pytest.mark.xfail(strict=True, reason="known failure")] if xfail_known else []
    return [
        pytest.param(case, id=case.id, marks=marks_known if case.group == "known_failures" else [])
        for case in cases
    ]


def require(case: Case | None) -> Case:
    if case is None:
        pytest.fail(f"no golden cases found under {CASES_DIR}")
    return case


def mismatch_message(what: str, case: Case, got: str, want: str) -> str:
    pairs = enumerate(zip(got, want, strict=False))
    index = next((i for i, (a, b) in pairs if a != b), min(len(got), len(want)))
    return (
        f"{case.id}: {what}; first difference at character {index} "
        f"(got {got[index : index + 40]!r}, want {want[index : index + 40]!r}); "
        f"lengths got={len(got)} want={len(want)}"
    )


@pytest.mark.parametrize("case", params(CASES, xfail_known=True))
def test_golden_output(case: Case | None) -> None:
    case = require(case)
    got = clean_text(read_exact(case.input_path))
    want = read_exact(case.expected_path)
    assert got == want, mismatch_message("output differs from expected", case, got, want)


@pytest.mark.parametrize("case", params(CASES_WITH_EXPECTED))
def test_expected_is_fixed_point(case: Case | None) -> None:
    case = require(case)
    want = read_exact(case.expected_path)
    got = clean_text(want)
    assert got == want, mismatch_message("cleaning the expected output changed it", case, got, want)


@pytest.mark.parametrize("case", params(CASES))
def test_cleaning_is_stable(case: Case | None) -> None:
    case = require(case)
    once = clean_text(read_exact(case.input_path))
    twice = clean_text(once)
    assert twice == once, mismatch_message("cleaning its output changed it", case, twice, once)


@pytest.mark.parametrize("group", REQUIRED_GROUPS)
def test_group_is_not_empty(group: str) -> None:
    assert any(case.group == group for case in CASES), f"no cases in {CASES_DIR / group}"


def test_case_files_are_consistent() -> None:
    """Known groups only; every input has its expected output; no orphans or strays."""
    assert CASES_DIR.is_dir(), f"missing case directory {CASES_DIR}"
    problems = []
    for directory in sorted(p for p in CASES_DIR.iterdir() if p.is_dir()):
        if directory.name not in GROUPS:
            problems.append(f"unknown group directory {directory.name}")
    for group in GROUPS:
        directory = CASES_DIR / group
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or path.name == "README.md":
                continue
            if path.name.endswith(IN_SUFFIX):
                name = path.name[: -len(IN_SUFFIX)]
                expected = path.with_name(name + OUT_SUFFIX)
                if group in GROUPS_WITH_EXPECTED and not expected.is_file():
                    problems.append(f"{group}/{path.name} has no {expected.name}")
            elif path.name.endswith(OUT_SUFFIX):
                name = path.name[: -len(OUT_SUFFIX)]
                if group == "negative":
                    problems.append(f"negative/{path.name}: negative cases have no .out.txt")
                elif not path.with_name(name + IN_SUFFIX).is_file():
                    problems.append(f"{group}/{path.name} has no {name}{IN_SUFFIX}")
            else:
                problems.append(f"{group}/{path.name} is not a case file")
    assert not problems, "\n".join(problems)


def test_expected_outputs_differ_from_inputs() -> None:
    """A synthetic or wild case whose input is already clean belongs in ``negative``."""
    same = [
        case.id
        for case in CASES_WITH_EXPECTED
        if read_exact(case.input_path) == read_exact(case.expected_path)
    ]
    assert not same, f"input equals expected output (move to negative/): {same}"
