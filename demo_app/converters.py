"""The custom URL converter of the demo app."""

from __future__ import annotations

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """Lower-case words joined by hyphens: ``hello-flask``."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"

    def to_url(self, value: str) -> str:
        return super().to_url(value.lower())
