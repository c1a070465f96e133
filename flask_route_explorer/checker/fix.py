"""``--fix``: which findings may be rewritten, and the rewrite of their endpoint string, nothing else.

A finding is rewritable when the engine's answer has exactly one sure candidate of a
deterministic cause (:func:`sure_replacement`); the decision reads the candidate's structured
cause, never the words of its reason.

Safety rules: only the characters of the endpoint inside its quotes change (quotes, spacing,
comments stay); the file must parse before and after, else it is left untouched; it must still hold
the content the check read (its hash), and the text at the recorded offsets must still be the old
endpoint. Where it may write, and how (atomically, through symbolic links, keeping mode, owner and
hard links, never losing a concurrent write), is :mod:`.write`'s part.
"""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
import typing as t
from dataclasses import dataclass, field

from jinja2 import Environment
from jinja2.exceptions import TemplateSyntaxError

from ..diagnosis import Cause, Diagnosis
from .findings import Finding
from .write import FileChanged, Refusal, WritePolicy, digest, write_checked

#: Kinds whose fix only replaces the endpoint name with one deterministic candidate.
FIXABLE_KINDS = frozenset({"missing_blueprint_prefix", "view_name_not_endpoint", "wrong_blueprint_prefix"})

#: Candidates the engine found by cause score at least this; typos score below (see candidates.py).
SURE_SCORE = 0.9


def sure_replacement(result: Diagnosis, endpoint: str) -> str | None:
    """The one endpoint ``--fix`` may write: a single candidate with a deterministic cause.

    The engine scores causes (prefix, view name, blueprint variable, relative name, same name
    elsewhere) at :data:`SURE_SCORE` or more and typos below it; a second sure candidate, or a
    blueprint-prefix candidate that is not about the blueprint's variable, leaves it to a person.
    """
    if result.kind not in FIXABLE_KINDS or endpoint.startswith(".") or not result.suggestions:
        return None
    sure = [s for s in result.suggestions if s.score >= SURE_SCORE]
    if len(sure) != 1 or sure[0] is not result.suggestions[0] or sure[0].endpoint == endpoint:
        return None
    if result.kind == "wrong_blueprint_prefix" and sure[0].cause is not Cause.BLUEPRINT_VARIABLE:
        return None
    return sure[0].endpoint


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
        """Every finding whose endpoint was (or, with ``--diff``, would be) rewritten."""
        return [finding for file in self.files for finding in file.fixed]

    @property
    def diff(self) -> str:
        """The unified diff of every file changed."""
        return "".join(file.diff for file in self.files)


def fixable(findings: t.Iterable[Finding]) -> list[Finding]:
    """Findings ``--fix`` may rewrite: one deterministic replacement and a known location."""
    return [f for f in findings if f.replacement and f.span and f.path]


def fix_findings(
    findings: t.Iterable[Finding],
    jinja_env: Environment,
    *,
    write: bool = True,
    policy: WritePolicy | None = None,
) -> FixResult:
    """Apply every unambiguous fix, file by file; with ``write=False`` only compute the diff.

    ``policy`` says which files may be written (the command passes the project's); by default any
    file the findings name, except installed packages', read-only and hard-linked files.
    """
    policy = policy or WritePolicy()
    result = FixResult()
    by_file: dict[str, list[Finding]] = {}
    for finding in fixable(findings):
        by_file.setdefault(t.cast(str, finding.path), []).append(finding)
    for path, file_findings in sorted(by_file.items()):
        refusal = policy.refusal(path)
        if refusal is not None:
            result.skipped.extend((finding, _refused(refusal, policy)) for finding in file_findings)
        else:
            _fix_file(path, file_findings, jinja_env, write, result)
    return result


def _refused(refusal: Refusal, policy: WritePolicy) -> str:
    """The reason a file is not written, as the report shows it."""
    return f"{refusal.value} ({policy.root})" if refusal is Refusal.OUTSIDE_ROOT else refusal.value


def _fix_file(path: str, findings: list[Finding], jinja_env: Environment, write: bool, result: FixResult) -> None:
    """Rewrite one file's endpoints, only if it parses before and after; note what was left and why."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        encoding = _file_encoding(path, raw)
        text = raw.decode(encoding)
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.skipped.extend((finding, f"cannot read the file: {error}") for finding in findings)
        return
    if any(finding.digest not in (None, digest(text)) for finding in findings):
        result.skipped.extend((finding, "the file changed since it was checked") for finding in findings)
        return
    if not _parses(path, text, jinja_env):
        result.skipped.extend((finding, "the file does not parse") for finding in findings)
        return
    new_text, applied = _replace_endpoints(text, findings, result)
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
    if write and not _written(path, raw, new_text.encode(encoding), applied, result):
        return
    result.files.append(FileFix(path, display, tuple(reversed(applied)), diff))


def _written(path: str, original: bytes, data: bytes, applied: list[Finding], result: FixResult) -> bool:
    """Write the fixed file (:func:`.write.write_checked`); when it cannot be, say why for each fix."""
    try:
        write_checked(path, original, data)
    except FileChanged:
        reason = "the file changed while it was being fixed"
    except OSError as error:
        reason = f"cannot write the file: {error.strerror or error}"
    else:
        return True
    result.skipped.extend((finding, reason) for finding in applied)
    return False


def _replace_endpoints(text: str, findings: list[Finding], result: FixResult) -> tuple[str, list[Finding]]:
    """The text with each finding's endpoint replaced, and the findings applied (last in the file first).

    The text at a finding's offsets must still be its endpoint, else the file changed since the
    check and the finding is skipped. Working from the end of the file backwards keeps the
    earlier offsets valid.
    """
    new_text = text
    applied: list[Finding] = []
    spans: set[tuple[int, int]] = set()
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
    return new_text, applied


def _file_encoding(path: str, raw: bytes) -> str:
    """A Python file's declared encoding (PEP 263); templates are UTF-8, as Jinja's loader reads them."""
    if path.endswith(".py"):
        return tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
    return "utf-8"


def _parses(path: str, text: str, jinja_env: Environment) -> bool:
    """Whether the text parses as Python (``.py``) or as a template of the app's environment."""
    try:
        if path.endswith(".py"):
            ast.parse(text, filename=path)
        else:
            jinja_env.parse(text, None, path)
    except (SyntaxError, ValueError, TemplateSyntaxError):
        return False
    return True
