"""Links that open a view's source file at its line in the developer's editor."""

from __future__ import annotations

import os
import typing as t
from urllib.parse import quote

EDITOR_URLS: dict[str, str] = {
    "vscode": "vscode://file/{path}:{line}",
    "vscode-insiders": "vscode-insiders://file/{path}:{line}",
    "cursor": "cursor://file/{path}:{line}",
    "pycharm": "pycharm://open?file={path}&line={line}",
    "idea": "idea://open?file={path}&line={line}",
    "sublime": "subl://open?url=file://{path}&line={line}",
    "textmate": "txmt://open?url=file://{path}&line={line}",
    "macvim": "mvim://open?url=file://{path}&line={line}",
    "emacs": "emacs://open?url=file://{path}&line={line}",
}


def editor_template(setting: str | None) -> str | None:
    """The URL template for ``ROUTE_EXPLORER_EDITOR`` (or the environment variable of that name)."""
    choice = setting or os.environ.get("ROUTE_EXPLORER_EDITOR") or None
    if choice is None:
        return None
    if choice in EDITOR_URLS:
        return EDITOR_URLS[choice]
    return choice if "{path}" in choice else None


def editor_url(
    file: str | None,
    line: int | None,
    setting: str | None,
    path_map: t.Mapping[str, str] | None = None,
) -> str | None:
    """The editor link for ``file:line``, or ``None`` when no editor is configured or no file is known."""
    template = editor_template(setting)
    if template is None or not file:
        return None
    for prefix, replacement in (path_map or {}).items():
        if file.startswith(prefix):
            file = replacement + file[len(prefix) :]
            break
    return template.replace("{path}", quote(file, safe="/:\\")).replace("{line}", str(line or 1))
