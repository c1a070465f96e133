"""Where ``--fix`` may write, and the write itself: nothing outside the project, no byte lost.

:class:`WritePolicy` says which files may be rewritten: never one outside the project root, never
one of an installed package (a third-party blueprint's templates in site-packages), and by default
only files under version control or under the app's root. A read-only file (no write bit) and a
file with several hard links are refused unless forced.

:func:`write_checked` writes. The path is resolved first, so a symbolic link is written through to
its target and stays a link. The new text goes to a temporary file beside the target, given the
target's mode and owner, and replaces it in one step (``os.replace``); immediately before, the
target is read again and must hold exactly the bytes the fix was computed from, else nothing is
written. Bytes another process appends to the old file in the instant between that last read and
the replace are appended to the new one. A forced hard-linked file is written in place instead
(same inode, so every link sees the fix), after the same check.
"""

from __future__ import annotations

import enum
import hashlib
import os
import stat
import subprocess
import sysconfig
import tempfile
import time
import typing as t
from dataclasses import dataclass

#: Folders that hold installed packages, wherever they are (another virtual environment's too).
_PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})


class Refusal(enum.Enum):
    """Why a file may not be rewritten; the value is the sentence the report shows."""

    OUTSIDE_ROOT = "it is outside the project root"
    INSTALLED_PACKAGE = "it belongs to an installed package"
    NOT_TRACKED = "it is neither under version control nor under the app's root (--force writes it)"
    READ_ONLY = "it is read-only (--force writes it)"
    HARD_LINKED = "it has other hard links (--force writes it in place, keeping them)"
    MISSING = "it no longer exists"


class FileChanged(Exception):
    """The file no longer holds the bytes the fix was computed from: nothing was written."""


def digest(text: str) -> str:
    """The content hash the check records and ``--fix`` compares (SHA-256 of the text as UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _installed_package_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(os.path.realpath(paths[key]) for key in ("purelib", "platlib", "stdlib", "platstdlib") if key in paths)


def installed_package(path: str) -> bool:
    """Whether ``path`` (a real path) belongs to an installed package: in site-packages or the standard library."""
    if set(path.split(os.sep)) & _PACKAGE_FOLDERS:
        return True
    return any(_under(path, folder) for folder in _installed_package_folders())


def tracked_files(root: str) -> frozenset[str] | None:
    """The real paths of the files git tracks under ``root``; ``None`` when it is no git work tree."""
    try:
        listed = subprocess.run(
            ["git", "-C", root, "ls-files", "-z"], capture_output=True, timeout=60, check=True
        ).stdout.decode("utf-8", errors="surrogateescape")
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(os.path.realpath(os.path.join(root, name)) for name in listed.split("\0") if name)


@dataclass(frozen=True)
class WritePolicy:
    """Which files ``--fix`` may rewrite (see the module's docstring)."""

    #: The project root (a real path): nothing outside it is ever written. ``None``: the caller chose
    #: the files itself (the library's default); then neither the root nor version control is asked.
    root: str | None = None
    #: The app's root folder (a real path): its files may be written even when git does not track them.
    app_root: str | None = None
    #: Real paths git tracks under the root; ``None``: not a git work tree (only the app's root counts).
    tracked: frozenset[str] | None = None
    #: Write read-only and hard-linked files, and files neither tracked nor under the app's root.
    force: bool = False

    @classmethod
    def for_project(cls, root: str, app_root: str | None = None, *, force: bool = False) -> WritePolicy:
        """The policy of a project: its root, the app's root, and what git tracks there."""
        real = os.path.realpath(root)
        return cls(real, os.path.realpath(app_root) if app_root else None, tracked_files(real), force)

    def refusal(self, path: str) -> Refusal | None:
        """Why ``path`` may not be rewritten, or ``None``. A symbolic link is judged by its target."""
        target = os.path.realpath(path)
        if self.root is not None and not _under(target, self.root):
            return Refusal.OUTSIDE_ROOT
        if installed_package(target):
            return Refusal.INSTALLED_PACKAGE
        try:
            status = os.stat(target)
        except OSError:
            return Refusal.MISSING
        if self.force:
            return None
        if self.root is not None and not self.known(target):
            return Refusal.NOT_TRACKED
        if not status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            return Refusal.READ_ONLY
        if status.st_nlink > 1:
            return Refusal.HARD_LINKED
        return None

    def known(self, target: str) -> bool:
        """Whether git tracks ``target`` or it lies under the app's root."""
        return (self.tracked is not None and target in self.tracked) or (
            self.app_root is not None and _under(target, self.app_root)
        )


def write_checked(path: str, original: bytes, data: bytes) -> None:
    """Replace the file's ``original`` bytes with ``data``, keeping its mode, owner and links.

    Raises :class:`FileChanged` (nothing written) when the file no longer holds ``original``, and
    ``OSError`` when it cannot be written (a read-only folder; an owner it may not give the copy).
    """
    target = os.path.realpath(path)
    with open(target, "rb") as current:
        if current.read() != original:
            raise FileChanged(target)
        status = os.fstat(current.fileno())
        if status.st_nlink > 1:
            _write_in_place(target, original, data)
            return
        _replace(target, current, status, data)
        late = _drain(current)  # appended to the old file by writers that opened it before the replace
    if late:
        with open(target, "ab") as new:
            new.write(late)


#: How long the old file must stay quiet after the replace before nothing more is carried over.
_QUIET_SECONDS = 0.03


def _drain(old: t.BinaryIO) -> bytes:
    """What is still written to the replaced file: a writer that opened it just before the replace
    writes there an instant later (``echo >> file`` opens, then writes), so wait until it is quiet."""
    late = b""
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < _QUIET_SECONDS:
        chunk = old.read()
        if chunk:
            late += chunk
            quiet_since = time.monotonic()
        else:
            time.sleep(0.002)
    return late


def _replace(target: str, current: t.BinaryIO, status: os.stat_result, data: bytes) -> None:
    """Write ``data`` beside ``target`` with its mode and owner, check ``current`` once more, replace."""
    fd, temporary = tempfile.mkstemp(prefix=".route-explorer-", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
            os.chown(temporary, status.st_uid, status.st_gid)
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if current.read():  # appended while the new text was written
            raise FileChanged(target)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _write_in_place(target: str, original: bytes, data: bytes) -> None:
    """Rewrite a hard-linked file in place (same inode), if it still holds ``original``.

    Not atomic: a reader may see a half-written file for an instant. Only reached with ``--force``.
    """
    with open(target, "r+b") as f:
        if f.read() != original:
            raise FileChanged(target)
        f.seek(0)
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())
