"""Which files the checker reads, how it reads them, and what it needs from their text.

The checker reads Python modules and the Jinja templates of the app's template folders (plus any
``.jinja``-like file), never a hidden folder or a virtual environment. A file is read with its own
encoding and newlines, since ``--fix`` rewrites it byte for byte; its line starts turn offsets
into lines and back, and its ignore comments silence findings line by line.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import tokenize
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

from .write import digest

if t.TYPE_CHECKING:
    from flask import Flask

#: File suffixes read as Jinja templates inside template folders.
TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg", ".txt", ".jinja", ".jinja2", ".j2"})
#: Suffixes that are templates wherever they are.
JINJA_ONLY_SUFFIXES = frozenset({".jinja", ".jinja2", ".j2"})
#: Directories never scanned (besides hidden ones and virtual environments).
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})

#: ``# route-explorer: ignore[RE001, RE003]`` (or a bare ``ignore``) in Python.
PYTHON_IGNORE = re.compile(r"#\s*route-explorer:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")
#: ``{# route-explorer: ignore[RE001] #}`` (or a bare ``ignore``) in a template.
JINJA_IGNORE = re.compile(r"\{#-?\s*route-explorer:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?\s*-?#\}")
_NEWLINE = re.compile(r"\r\n|\r|\n")

#: Line -> codes silenced there (``None``: every code).
Ignores = dict[int, "frozenset[str] | None"]


@dataclass(slots=True)
class SourceFile:
    """A file being checked: its text, line offsets and the ignore comments per line."""

    path: str
    text: str
    line_starts: list[int]
    ignores: Ignores
    ascii: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ascii = self.text.isascii()

    @property
    def digest(self) -> str:
        """The content hash ``--fix`` compares before it writes (:func:`.write.digest`)."""
        return digest(self.text)

    def char_col(self, line: int, byte_col: int) -> int:
        """``ast``'s UTF-8 byte column as a character column (the same in an ASCII file)."""
        if self.ascii:
            return byte_col
        return len(self.line_text(line).encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def offset(self, line: int, byte_col: int) -> int:
        """The character offset in the text of ``ast``'s (line, UTF-8 byte column)."""
        return self.line_starts[line - 1] + self.char_col(line, byte_col)

    def line_of(self, offset: int) -> int:
        """The 1-based line holding the character at ``offset``."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) without its newline."""
        start = self.line_starts[line - 1] if line - 1 < len(self.line_starts) else len(self.text)
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def suppressed(self, code: str, lines: t.Iterable[int]) -> bool:
        """Whether an ignore comment on one of ``lines`` silences ``code``."""
        for line in lines:
            if line in self.ignores:
                codes = self.ignores[line]
                if codes is None or code in codes:
                    return True
        return False


def line_starts(text: str) -> list[int]:
    """The offset at which each line starts (``\\r\\n``, ``\\r`` and ``\\n`` all end a line)."""
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def ignore_comments(text: str, pattern: re.Pattern[str], starts: list[int]) -> Ignores:
    """Line -> codes silenced there (``None``: every code). Ignore comments are rare: search once."""
    found: Ignores = {}
    if "route-explorer" not in text:
        return found
    for match in pattern.finditer(text):
        line = bisect.bisect_right(starts, match.start())
        codes = match.group(1)
        if codes is None or not codes.strip():
            found[line] = None
        elif found.get(line, frozenset()) is not None:
            named = {c.strip().upper() for c in codes.split(",") if c.strip()}
            found[line] = frozenset(found.get(line) or ()) | named
    return found


def read_python(path: str) -> str | None:
    """Source text in its declared encoding, with its own newlines kept (``--fix`` rewrites byte-exact)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def read_template(path: str) -> str:
    """A template's text: UTF-8 as Jinja's loader reads it, with its own newlines kept.

    Raises ``OSError`` or ``UnicodeDecodeError`` (the caller lists the file as skipped).
    """
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def template_folders(app: Flask) -> list[Path]:
    """The template folders of the app and its blueprints that exist, each once."""
    folders: list[Path] = []
    for owner in (app, *app.blueprints.values()):
        folder = owner.template_folder
        if folder:
            path = Path(owner.root_path, folder)
            if path.is_dir() and path not in folders:
                folders.append(path)
    return folders


def skipped_dir(parent: str, name: str) -> bool:
    """Whether a folder holds no code of the app: hidden, a dependency folder, a virtual environment."""
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    return os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))


def python_files_under(root: str) -> t.Iterator[str]:
    """Every Python file under ``root``, skipping the folders :func:`skipped_dir` names."""
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if not skipped_dir(directory, d)]
        for name in names:
            if name.endswith(".py"):
                yield os.path.join(directory, name)


class FilesToCheck:
    """The files under the roots, sorted into Python modules and templates (with their template names)."""

    def __init__(self, roots: t.Sequence[Path], folders: t.Sequence[Path]) -> None:
        self.roots = roots
        self._folders = [os.path.realpath(folder) for folder in folders]

    def collect(self) -> tuple[list[str], list[tuple[str, str | None]]]:
        """Python files and (template file, template name) pairs under the roots, each once.

        Raises ``FileNotFoundError`` for a root that does not exist.
        """
        python: dict[str, None] = {}
        templates: dict[str, str | None] = {}
        for root in self.roots:
            if not root.exists():
                raise FileNotFoundError(str(root))
            if root.is_file():
                if root.suffix == ".py":
                    python[str(root)] = None
                else:
                    templates[str(root)] = self.template_name(str(root))
                continue
            for directory, subdirs, names in os.walk(root):
                subdirs[:] = sorted(d for d in subdirs if not skipped_dir(directory, d))
                for name in sorted(names):
                    self._sort_file(os.path.join(directory, name), python, templates)
        return list(python), list(templates.items())

    def _sort_file(self, full: str, python: dict[str, None], templates: dict[str, str | None]) -> None:
        """Put one file found by the walk with the modules, the templates, or neither."""
        suffix = os.path.splitext(full)[1].lower()
        if suffix == ".py":
            python[full] = None
        elif suffix in TEMPLATE_SUFFIXES:
            name = self.template_name(full)
            if name is not None or suffix in JINJA_ONLY_SUFFIXES:
                templates[full] = name

    def template_name(self, file: str) -> str | None:
        """The name ``render_template`` knows a file by: relative to its template folder.

        A file under a ``templates`` folder that is no template folder of the app is named relative
        to the innermost such folder, the usual layout of templates the app loads some other way.
        """
        real = os.path.realpath(file)
        for folder in self._folders:
            if real.startswith(folder + os.sep):
                return Path(os.path.relpath(real, folder)).as_posix()
        parts = Path(real).parts
        if "templates" in parts[:-1]:
            at = len(parts) - 1 - parts[:-1][::-1].index("templates")
            return "/".join(parts[at:])
        return None
