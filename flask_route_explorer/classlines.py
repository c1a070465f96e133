"""Where a class starts in its file, without parsing the file on the request path.

A function knows its first line (``__code__.co_firstlineno``); a class does not before Python 3.13
(``__firstlineno__``). The line is in the class body's code object, which the module's compiled
code holds: Python keeps that code in the module's ``.pyc`` beside the source, validated by the
source's mtime and size. Reading it back (``marshal``) is about a hundred times cheaper than
``ast.parse`` of the source, which took 1.2 s for 60 modules of a real app on every restart.

Either way the table is then kept in one small file under the app's instance folder (see
:func:`keep_in`), keyed on path, mtime and size, and the next restart reads that file first: the
first page after a save shows rows from several modules, and one JSON file read once costs less
than their ``.pyc`` files, so only the module just edited is read again. Only without a current
``.pyc`` (``PYTHONDONTWRITEBYTECODE``, a read-only folder) is the source compiled.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import marshal
import os
import tempfile
import threading
from pathlib import Path
from types import CodeType

log = logging.getLogger("flask_route_explorer")

#: A code object without this flag is a class body (functions, lambdas, comprehensions have it).
_CO_NEWLOCALS = 0x0002
#: The cache file's name inside the cache folder, and the folder's name inside the instance folder.
CACHE_FOLDER = "route-explorer-cache"
_CACHE_FILE = "class-lines.json"

#: A file's classes by qualified name, as ``{qualname: first line}``.
ClassLines = dict[str, int]
#: ``(mtime_ns, size)`` of a source file: a table is valid while these do not change.
_Stamp = tuple[int, int]

_lock = threading.Lock()
#: Every table known, by file: those kept on disk are read from there when first needed (``None`` until then).
_kept: dict[str, tuple[_Stamp, ClassLines]] | None = None
_cache_folder: list[Path] = []


def class_line(cls: type, file: str | None) -> int | None:
    """The first line of ``cls`` (its first decorator's, if any) in ``file``; ``None`` if unknown."""
    first = getattr(cls, "__firstlineno__", None)  # Python 3.13 and later
    if isinstance(first, int):
        return first
    qualname = getattr(cls, "__qualname__", None)
    if not file or not isinstance(qualname, str):
        return None
    return class_lines(file).get(qualname)


def class_lines(file: str) -> ClassLines:
    """Every class of a source file by qualified name; cached while the file's mtime and size hold."""
    try:
        stat = os.stat(file)
    except OSError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        known = _kept_tables().get(file)
    if known is not None and known[0] == stamp:
        return known[1]
    table = _read_lines(file, stat)
    with _lock:
        _kept_tables()[file] = (stamp, table)
    _save()
    return table


def _read_lines(file: str, stat: os.stat_result) -> ClassLines:
    """The table from the module's ``.pyc`` when it is current, else from compiling the source."""
    code = _cached_code(file, stat)
    if code is None:
        try:
            code = compile(Path(file).read_bytes(), file, "exec", dont_inherit=True)
        except (OSError, SyntaxError, ValueError):
            return {}
    return _classes_of(code)


def _cached_code(file: str, stat: os.stat_result) -> CodeType | None:
    """The module's code from its ``.pyc``, if that was compiled from the file as it is now."""
    try:
        pyc = Path(importlib.util.cache_from_source(file)).read_bytes()
    except (OSError, ValueError, NotImplementedError):
        return None
    flags = int.from_bytes(pyc[4:8], "little")
    if pyc[:4] != importlib.util.MAGIC_NUMBER or flags != 0:
        return None  # another Python, or a hash-based pyc (rare): not worth checking the hash
    mtime, size = int.from_bytes(pyc[8:12], "little"), int.from_bytes(pyc[12:16], "little")
    if mtime != int(stat.st_mtime) & 0xFFFFFFFF or size != stat.st_size & 0xFFFFFFFF:
        return None
    try:
        code = marshal.loads(pyc[16:])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _classes_of(module_code: CodeType) -> ClassLines:
    """``{qualname: first line}`` of every class body in a module's code, nested ones included."""
    lines: ClassLines = {}
    pending: list[tuple[CodeType, str]] = [(module_code, "")]
    while pending:
        code, prefix = pending.pop()
        for const in code.co_consts:
            if not isinstance(const, CodeType):
                continue
            if const.co_flags & _CO_NEWLOCALS:
                pending.append((const, f"{prefix}{const.co_name}.<locals>."))
            else:
                name = prefix + const.co_name
                lines.setdefault(name, const.co_firstlineno)
                pending.append((const, name + "."))
    return lines


def keep_in(instance_path: str) -> None:
    """Keep the tables under the app's instance folder (read when first needed, created when first written)."""
    global _kept
    with _lock:
        _cache_folder[:] = [Path(instance_path) / CACHE_FOLDER]
        _kept = None


def _kept_tables() -> dict[str, tuple[_Stamp, ClassLines]]:
    """The kept tables, read from disk on first use (call with ``_lock`` held)."""
    global _kept
    if _kept is None:
        _kept = _load(_cache_folder[0] / _CACHE_FILE) if _cache_folder else {}
    return _kept


def _load(path: Path) -> dict[str, tuple[_Stamp, ClassLines]]:
    """The tables kept by an earlier process; anything unreadable counts as nothing kept."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {file: ((int(mtime), int(size)), dict(table)) for file, (mtime, size, table) in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _save() -> None:
    """Write the tables atomically; a folder that cannot be written only costs the next restart time."""
    with _lock:
        if not _cache_folder:
            return
        folder = _cache_folder[0]
        data = {file: [stamp[0], stamp[1], table] for file, (stamp, table) in _kept_tables().items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")  # a cache, never to be committed
        _write_atomically(folder / _CACHE_FILE, json.dumps(data))
    except OSError as error:
        log.debug("flask-route-explorer could not keep class lines in %s: %s", folder, error)


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one (two processes may write)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
