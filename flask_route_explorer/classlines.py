"""Where a class starts in its file, without parsing the file on the request path.

A function knows its first line (``__code__.co_firstlineno``); a class does not before Python 3.13
(``__firstlineno__``). The line is in the class body's code object, which the module's compiled
code holds: Python keeps that code in the module's ``.pyc`` beside the source, validated by the
source's mtime and size. Reading it back (``marshal``) is about a hundred times cheaper than
``ast.parse`` of the source, which took 1.2 s for 60 modules of a real app on every restart.

Only without a current ``.pyc`` (``PYTHONDONTWRITEBYTECODE``, a read-only folder) is the source
compiled; that result is then kept in a small file under the app's instance folder (see
:func:`keep_in`), keyed on path, mtime and size, so the next restart reads it instead.
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
_tables: dict[str, tuple[_Stamp, ClassLines]] = {}
_compiled: dict[str, tuple[_Stamp, ClassLines]] = {}
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
        known = _tables.get(file)
    if known is not None and known[0] == stamp:
        return known[1]
    code = _cached_code(file, stat)
    table = _classes_of(code) if code is not None else _compiled_lines(file, stamp)
    with _lock:
        _tables[file] = (stamp, table)
    return table


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


def _compiled_lines(file: str, stamp: _Stamp) -> ClassLines:
    """Compile the source (no usable ``.pyc``); the result is kept on disk for the next restart."""
    with _lock:
        stored = _compiled.get(file)
    if stored is not None and stored[0] == stamp:
        return stored[1]
    try:
        table = _classes_of(compile(Path(file).read_bytes(), file, "exec", dont_inherit=True))
    except (OSError, SyntaxError, ValueError):
        table = {}
    with _lock:
        _compiled[file] = (stamp, table)
    _save()
    return table


def keep_in(instance_path: str) -> None:
    """Keep compiled tables under the app's instance folder (created when first needed)."""
    with _lock:
        _cache_folder[:] = [Path(instance_path) / CACHE_FOLDER]
        _compiled.clear()
        _compiled.update(_load(_cache_folder[0] / _CACHE_FILE))


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
        data = {file: [stamp[0], stamp[1], table] for file, (stamp, table) in _compiled.items()}
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
