"""Where the shipped templates and static files are, in a checkout and inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # The wheel puts them inside the package; a checkout (editable install) keeps them beside it.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


TEMPLATES_DIR = _find("templates")
STATIC_DIR = _find("static") / "route_explorer"
