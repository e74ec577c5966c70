"""The real ``pre-commit try-repo`` against this repository, in a fresh git repository.

pre-commit installs the package into its own environment (with pip), so the first
run takes a while; the environment is shared by the tests of one session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filetree import C as CLEAN
from filetree import E as EXPECTED
from filetree import P as POLLUTED

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def git_env(home: Path) -> dict[str, str]:
    # Outside git state (a hook running this suite, a user's config) must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(home),
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def working_tree_files() -> list[str]:
    """Tracked and untracked files of this repository, ignored ones left out."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [p for p in listed.split("\0") if p and (REPO / p).is_file()]


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.fail("pre-commit is not installed; it is part of the 'test' extra")
    return git_env(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A committed snapshot of this working tree.

    try-repo takes the HEAD commit plus changes to tracked files: new, uncommitted
    files would be missed and a repository without commits fails. A snapshot tests
    exactly what is on disk.
    """
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for rel in working_tree_files():
        (snapshot / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, snapshot / rel)
    git(snapshot, env, "init", "-q", "-b", "main")
    git(snapshot, env, "add", "-A")
    git(snapshot, env, "commit", "-q", "--no-gpg-sign", "-m", "snapshot")
    return snapshot


@pytest.fixture
def user_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A user's repository with a polluted article and a clean one, committed."""
    git(tmp_path, env, "init", "-q", "-b", "main")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "post.md").write_bytes(POLLUTED)
    (tmp_path / "clean.txt").write_bytes(CLEAN)
    (tmp_path / "code.py").write_bytes(POLLUTED)  # not an article: left alone
    git(tmp_path, env, "add", "-A")
    git(tmp_path, env, "commit", "-q", "--no-gpg-sign", "-m", "articles")
    return tmp_path


def try_repo(hook_repo: Path, user_repo: Path, env: dict[str, str], hook: str) -> tuple[int, str]:
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files"],
        cwd=user_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return run.returncode, run.stdout + run.stderr


def test_manifest_is_valid() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-manifest",
            str(REPO / ".pre-commit-hooks.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_fix_hook_fails_and_fixes_then_passes(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    code, output = try_repo(hook_repo, user_repo, env, "dedupe-articles")
    assert code == 1, output
    assert "files were modified by this hook" in output
    assert (user_repo / "docs" / "post.md").read_bytes() == EXPECTED
    assert (user_repo / "clean.txt").read_bytes() == CLEAN
    assert (user_repo / "code.py").read_bytes() == POLLUTED
    before = (user_repo / "clean.txt").stat().st_mtime_ns
    code, output = try_repo(hook_repo, user_repo, env, "dedupe-articles")
    assert code == 0, output
    assert (user_repo / "docs" / "post.md").read_bytes() == EXPECTED
    assert (user_repo / "clean.txt").stat().st_mtime_ns == before


def test_check_hook_fails_without_modifying(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    code, output = try_repo(hook_repo, user_repo, env, "dedupe-articles-check")
    assert code == 1, output
    assert "would clean docs/post.md (2 actions" in output
    assert "files were modified by this hook" not in output
    assert (user_repo / "docs" / "post.md").read_bytes() == POLLUTED
