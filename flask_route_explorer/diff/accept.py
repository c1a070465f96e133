"""The accepted-changes file: breaking changes a team has decided to ship.

One change per line, as the diff prints its key: ``CODE ENDPOINT RULE [METHOD-or-VARIABLE]``.
A shorter line accepts every change whose key it starts, word by word (``endpoint_renamed
users.profile`` accepts that rename whatever its rule). ``#`` starts a comment.
"""

from __future__ import annotations

import os
import typing as t

from .changes import Change, ChangeCode


def read_accept_file(path: str | os.PathLike[str]) -> list[str]:
    """The lines of an accepted-changes file; raises :class:`ValueError` for an unknown code."""
    codes = {c.value for c in ChangeCode}
    lines: list[str] = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = " ".join(raw.split("#", 1)[0].split())
            if not line:
                continue
            if line.split()[0] not in codes:
                raise ValueError(f"{os.fspath(path)}:{number}: unknown change code {line.split()[0]!r}")
            lines.append(line)
    return lines


def accepted(change: Change, lines: t.Iterable[str]) -> bool:
    """Whether one of the lines accepts the change (a rule may hold spaces: ``<any(a, b):kind>``)."""
    key = " ".join(" ".join(change.key).split())
    return any(key == line or key.startswith(line + " ") for line in lines)
