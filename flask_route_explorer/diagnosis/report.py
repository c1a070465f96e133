"""The diagnosis as plain text: under a traceback (the PEP 678 note), in the terminal, in the CLI."""

from __future__ import annotations

from .model import Diagnosis

#: First characters of the text, so a note of ours is recognised (and never added twice).
NOTE_PREFIX = "flask-route-explorer: "


def note_text(diagnosis: Diagnosis) -> str:
    """Headline, fix and the URL it builds: what a developer needs under a traceback."""
    lines = [NOTE_PREFIX + diagnosis.headline]
    if diagnosis.call is not None and diagnosis.call.file:
        lines.append(f"  Call: {diagnosis.call.file}:{diagnosis.call.line}")
    if diagnosis.fix:
        lines.append(f"  Fix: {diagnosis.fix}")
    if diagnosis.fix_url:
        lines.append(f"  Builds: {diagnosis.fix_url}")
    elif diagnosis.suggestions:
        lines.append("  Did you mean: " + ", ".join(f"'{s.endpoint}'" for s in diagnosis.suggestions[:3]))
    return "\n".join(lines)
