"""Checks that hold for every cleaned article, with or without ground truth.

Used by the real-post tests and the property tests. The sentence splitter here
is deliberately simpler than the engine's, so the checks do not share its bugs.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

MARKER = re.compile(r"-{3}\s*END\s*-{3}")
_FINISHED = re.compile(r"[。！？!?.:：)）」』\"”*]\s*$")
_SENT = re.compile(r"[^。！？!?.\n]*(?:[。！？!?]+[」』）)\"”]*|\.(?=\s|$)|\n|$)")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+|\*\*|__|`", "", text)


def body(text: str) -> str:
    """``text`` without its front matter."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if text.startswith(("---\n", "+++\n")):
        end = text.find("\n" + text[:3], 4)
        if end != -1:
            return text[end + 4 :]
    return text


def sentences(text: str) -> list[str]:
    """Sentences and lines of ``text``, front matter and markers excluded."""
    return [s.strip() for s in _SENT.findall(MARKER.sub("\n\n", body(text))) if s.strip()]


def strip_code(text: str) -> str:
    return re.sub(r"(?ms)^\s*(```|~~~).*?^\s*\1[^\n]*$", "\n\n", text)


def paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, front matter excluded."""
    return [p.strip() for p in re.split(r"\n\s*\n", body(text)) if p.strip()]


def problems(original: str, cleaned: str, *, min_repeat: int = 20, near: float = 85) -> list[str]:
    """Everything wrong with ``cleaned`` as a cleaning of ``original``."""
    found: list[str] = []
    if MARKER.search(cleaned):
        found.append("marker left")
    out_norm = _norm(cleaned)
    out_keys = [_norm(s) for s in sentences(cleaned)]
    for sentence in sentences(original):
        key = _norm(MARKER.sub("", sentence)).rstrip("…").rstrip(".")
        if not key or key in out_norm:
            continue
        # A reworded attempt is kept in the wording of the most complete one.
        best = process.extractOne(key, out_keys, scorer=fuzz.ratio, score_cutoff=near)
        # So is a truncated attempt's last words, against the same-length head of
        # the sentence the complete attempt wrote.
        if best is None and not _FINISHED.search(sentence):
            best = process.extractOne(
                key, [k[: len(key)] for k in out_keys], scorer=fuzz.ratio, score_cutoff=near
            )
        if best is None:
            found.append(f"lost: {sentence[:60]}")
    counts: dict[str, int] = {}
    in_code = False
    for line in body(cleaned).split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if (
            in_code
            or line.lstrip().startswith(("|", "-", "*", "#", ">"))
            or re.match(r"\s*\d+\.", line)
        ):
            continue
        for sentence in sentences(line):
            key = _norm(sentence)
            if len(key) >= min_repeat:
                counts[key] = counts.get(key, 0) + 1
    found += [f"repeated: {k[:60]}" for k, n in counts.items() if n > 1]
    # Code legitimately repeats (examples share their set-up lines): prose only.
    paras = [_norm(p) for p in paragraphs(strip_code(cleaned))]
    long_paras = [(i, p) for i, p in enumerate(paras) if len(p) >= min_repeat]
    for i, p in long_paras:
        for j, q in long_paras:
            if i != j and p in q and not (p == q and i > j):
                found.append(f"paragraph {i} inside paragraph {j}: {p[:50]}")
    return found
