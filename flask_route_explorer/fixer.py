"""``--fix``: rewrite the endpoint string of findings whose fix is unambiguous, and nothing else.

Safety rules: only the characters of the endpoint inside its quotes change (quotes, spacing,
comments stay); the file must parse before and after, else it is left untouched; the text at the
recorded offsets must still be the old endpoint; writes are atomic (temporary file in the same
directory, then ``os.replace``) and keep the file's permissions.
"""

from __future__ import annotations

import ast
import difflib
import io
import os
import stat
import tempfile
import tokenize
import typing as t
from dataclasses import dataclass, field

from jinja2 import Environment
from jinja2.exceptions import TemplateSyntaxError

from .checker import Finding


@dataclass(frozen=True, slots=True)
class FileFix:
    """The endpoint replacements made (or proposed) in one file."""

    path: str
    display: str
    fixed: tuple[Finding, ...]
    diff: str


@dataclass
class FixResult:
    """What ``--fix`` / ``--diff`` did: files changed, findings fixed, and what was left for a person."""

    files: list[FileFix] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def fixed(self) -> list[Finding]:
        return [finding for file in self.files for finding in file.fixed]

    @property
    def diff(self) -> str:
        return "".join(file.diff for file in self.files)


def fixable(findings: t.Iterable[Finding]) -> list[Finding]:
    """Findings ``--fix`` may rewrite: one deterministic replacement and a known location."""
    return [f for f in findings if f.replacement and f.span and f.path]


def fix_findings(findings: t.Iterable[Finding], jinja_env: Environment, *, write: bool = True) -> FixResult:
    """Apply every unambiguous fix, file by file; with ``write=False`` only compute the diff."""
    result = FixResult()
    by_file: dict[str, list[Finding]] = {}
    for finding in fixable(findings):
        by_file.setdefault(t.cast(str, finding.path), []).append(finding)
    for path, file_findings in sorted(by_file.items()):
        _fix_file(path, file_findings, jinja_env, write, result)
    return result


def _fix_file(path: str, findings: list[Finding], jinja_env: Environment, write: bool, result: FixResult) -> None:
    try:
        with open(path, "rb") as f:
            raw = f.read()
        encoding = _encoding(path, raw)
        text = raw.decode(encoding)
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.skipped.extend((finding, f"cannot read the file: {error}") for finding in findings)
        return
    if not _parses(path, text, jinja_env):
        result.skipped.extend((finding, "the file does not parse") for finding in findings)
        return
    new_text = text
    applied: list[Finding] = []
    spans: set[tuple[int, int]] = set()
    # From the end of the file backwards, so earlier offsets stay valid.
    for finding in sorted(findings, key=lambda f: t.cast(tuple[int, int], f.span)[0], reverse=True):
        start, end = t.cast(tuple[int, int], finding.span)
        if (start, end) in spans:
            applied.append(finding)  # the same call, reported for another blueprint
            continue
        if new_text[start:end] != finding.endpoint:
            result.skipped.append((finding, "the file changed since it was checked"))
            continue
        new_text = new_text[:start] + t.cast(str, finding.replacement) + new_text[end:]
        spans.add((start, end))
        applied.append(finding)
    if not applied or new_text == text:
        return
    if not _parses(path, new_text, jinja_env):
        result.skipped.extend((finding, "the fixed file would not parse") for finding in applied)
        return
    display = findings[0].file
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{display}", f"b/{display}"
        )
    )
    if write:
        _write_atomic(path, new_text.encode(encoding))
    result.files.append(FileFix(path, display, tuple(reversed(applied)), diff))


def _encoding(path: str, raw: bytes) -> str:
    if path.endswith(".py"):
        return tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
    return "utf-8"


def _parses(path: str, text: str, jinja_env: Environment) -> bool:
    try:
        if path.endswith(".py"):
            ast.parse(text, filename=path)
        else:
            jinja_env.parse(text, None, path)
    except (SyntaxError, ValueError, TemplateSyntaxError):
        return False
    return True


def _write_atomic(path: str, data: bytes) -> None:
    """Replace the file in one step, keeping its permission bits."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".route-explorer-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
