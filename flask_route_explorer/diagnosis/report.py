"""The diagnosis as plain text: under a traceback (the PEP 678 note), in the terminal, in the CLI.

Every face labels a fix by what it is: a verified call ("Fix", "Builds"), a template whose
placeholders the developer fills in ("a template: fill in USER_ID", built with sample values), or
no fix at all when the best suggestion is only a guess ("a guess: ..."). The wording lives here,
so the note, the CLI and the pages say the same.
"""

from __future__ import annotations

import typing as t

from .model import Diagnosis
from .regression import assertion
from .sentences import join_names

#: First characters of the text, so a note of ours is recognised (and never added twice).
NOTE_PREFIX = "flask-route-explorer: "


def fix_label(diagnosis: Diagnosis) -> str:
    """``Fix``, or ``Fix (a template: fill in USER_ID)`` when placeholders remain."""
    if diagnosis.placeholders:
        return f"Fix (a template: fill in {join_names(diagnosis.placeholders)})"
    return "Fix"


def sample_values(diagnosis: Diagnosis) -> dict[str, t.Any]:
    """The sample value the fix was built with for each placeholder (``{"USER_ID": 1}``)."""
    return {
        name.upper(): value for name, value in diagnosis.fix_values.items() if name.upper() in diagnosis.placeholders
    }


def built_label(diagnosis: Diagnosis) -> str:
    """``Builds``, or for a template ``With sample values (USER_ID=1)``: what the fix's URL is."""
    if not diagnosis.placeholders:
        return "Builds"
    samples = ", ".join(f"{name}={value!r}" for name, value in sample_values(diagnosis).items())
    return f"With sample values ({samples})"


def built_text(diagnosis: Diagnosis) -> str | None:
    """``Builds: /users/4``, or for a template ``With sample values (USER_ID=1): /users/1``."""
    return f"{built_label(diagnosis)}: {diagnosis.fix_url}" if diagnosis.fix_url is not None else None


def guess_text(diagnosis: Diagnosis) -> str | None:
    """``A guess: 'meal_plan' (/meal-plan), not offered as the fix``; ``None`` unless the best suggestion is a guess."""
    if not diagnosis.guess:
        return None
    best = diagnosis.suggestions[0]
    return f"A guess: '{best.endpoint}' ({best.rule}), not offered as the fix: check it before you use it"


def test_line(diagnosis: Diagnosis) -> str | None:
    """The regression test in one line, pointing at the whole test (the error page, the CLI's ``build``)."""
    built = assertion(diagnosis)
    if built is None or diagnosis.regression_test is None:
        return None
    return f"with app.test_request_context(): assert {built}  # whole pytest test: error page, `flask route-explorer build`"


def note_text(diagnosis: Diagnosis) -> str:
    """Headline, fix and the URL it builds, the test that proves it: what a developer needs under a traceback."""
    lines = [NOTE_PREFIX + diagnosis.headline]
    if diagnosis.call is not None and diagnosis.call.file:
        lines.append(f"  Call: {diagnosis.call.file}:{diagnosis.call.line}")
    if diagnosis.fix:
        lines.append(f"  {fix_label(diagnosis)}: {diagnosis.fix}")
        built = built_text(diagnosis)
        if built:
            lines.append(f"  {built}")
        test = test_line(diagnosis)
        if test:
            lines.append(f"  Test: {test}")
    elif diagnosis.guess:
        lines.append(f"  {guess_text(diagnosis)}")
    elif diagnosis.suggestions:
        lines.append("  Did you mean: " + ", ".join(f"'{s.endpoint}'" for s in diagnosis.suggestions[:3]))
    if diagnosis.hook_error:
        lines.append(f"  Also: {diagnosis.hook_error}")
    if diagnosis.incomplete:
        lines.append(f"  Incomplete: {'; '.join(diagnosis.incomplete)}")
    return "\n".join(lines)


#: A few words per diagnosis kind, for the badge above a headline.
KIND_LABELS: dict[str, str] = {
    "missing_blueprint_prefix": "Missing blueprint prefix",
    "wrong_blueprint_prefix": "Wrong blueprint prefix",
    "unknown_endpoint": "Unknown endpoint",
    "relative_endpoint": "Relative endpoint",
    "view_name_not_endpoint": "View name, not the endpoint",
    "url_not_endpoint": "URL, not the endpoint",
    "missing_parameters": "Missing URL values",
    "none_parameter": "Value is None",
    "wrong_parameter_name": "Misnamed URL value",
    "method_not_allowed": "Method not allowed",
    "invalid_value": "Value the converter rejects",
    "blueprint_not_registered": "Blueprint not registered",
    "no_request_context": "No request context",
    "scheme_without_external": "_scheme without _external",
    "url_defaults_hook": "A url_defaults hook raised",
    "values_not_keywords": "Values not passed as keywords",
    "other": "url_for failed",
}


def kind_label(kind: str) -> str:
    """The badge text of a diagnosis kind ("URL, not the endpoint"), never its identifier."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())
