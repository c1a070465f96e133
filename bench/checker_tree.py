"""A synthetic source tree full of ``url_for`` calls against a ``bench.synthetic`` app.

``write_tree(app, root)`` writes 1,000 Jinja templates and 500 Python modules holding 20,000
calls in all: mostly calls that build (literal and computed values, ``**kwargs``), plus a few
percent of typical mistakes (typo, missing variable, wrong value) and non-literal endpoints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from .synthetic import Sample, sample_values


@dataclass(frozen=True)
class TreeStats:
    templates: int
    modules: int
    calls: int
    planted_mistakes: int
    dynamic: int


def _value(value: Any, name: str, rng: random.Random, template: bool) -> str:
    """A literal when the value is one (UUIDs never are), else an expression known at run time."""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool) and rng.random() < 0.6:
        return repr(value)
    return f"obj.{name}" if template else f"obj[{name!r}]"


def _call(sample: Sample, rng: random.Random, template: bool) -> tuple[str, bool, bool]:
    """``(call text, is a planted mistake, has a dynamic endpoint)``."""
    roll = rng.random()
    endpoint = sample.endpoint
    values = dict(sample.values)
    mistake = False
    if roll < 0.02:
        return ("url_for(target)" if template else "url_for(target, **params)"), False, True
    if roll < 0.04:
        endpoint = endpoint[:-1] + ("x" if endpoint[-1] != "x" else "y")
        mistake = True
    elif roll < 0.06 and values:
        values.pop(next(iter(values)))
        mistake = True
    elif roll < 0.07 and any(isinstance(v, int) and not isinstance(v, bool) for v in values.values()):
        name = next(k for k, v in values.items() if isinstance(v, int) and not isinstance(v, bool))
        values[name] = "not-a-number"
        mistake = True
    arguments = [repr(endpoint)]
    for name, value in values.items():
        text = repr(value) if mistake and value == "not-a-number" else _value(value, name, rng, template)
        arguments.append(f"{name}={text}")
    return f"url_for({', '.join(arguments)})", mistake, False


def write_tree(
    app: Flask, root: Path, *, n_templates: int = 1000, n_modules: int = 500, n_calls: int = 20_000, seed: int = 0
) -> TreeStats:
    """Write the tree under ``root`` (``templates/`` and ``pkg/``) and say what is in it."""
    rng = random.Random(seed)
    samples = sample_values(app)
    template_calls = n_calls * 3 // 5
    module_calls = n_calls - template_calls
    mistakes = dynamic = 0
    templates_dir = root / "templates"
    (templates_dir / "layout").mkdir(parents=True, exist_ok=True)
    (templates_dir / "layout" / "base.html").write_text(
        "<!doctype html>\n<title>{% block title %}{% endblock %}</title>\n{% block content %}{% endblock %}\n",
        encoding="utf-8",
    )
    for index in range(n_templates):
        count = template_calls // n_templates + (1 if index < template_calls % n_templates else 0)
        lines = [
            '{% extends "layout/base.html" %}',
            f"{{% block title %}}Page {index}{{% endblock %}}",
            "{% block content %}",
            "<ul>",
        ]
        for _ in range(count):
            text, mistake, is_dynamic = _call(rng.choice(samples), rng, template=True)
            mistakes += mistake
            dynamic += is_dynamic
            lines.append(f'  <li><a href="{{{{ {text} }}}}">{{{{ obj.title|e }}}}</a></li>')
        lines += ["</ul>", "{% endblock %}", ""]
        folder = templates_dir / f"area{index % 40}"
        folder.mkdir(exist_ok=True)
        (folder / f"page{index}.html").write_text("\n".join(lines), encoding="utf-8")
    package = root / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for index in range(n_modules):
        count = module_calls // n_modules + (1 if index < module_calls % n_modules else 0)
        lines = [
            '"""Generated."""',
            "",
            "from flask import redirect, url_for",
            "",
            "",
            f"def links_{index}(obj, target, params):",
            "    return [",
        ]
        for _ in range(count):
            text, mistake, is_dynamic = _call(rng.choice(samples), rng, template=False)
            mistakes += mistake
            dynamic += is_dynamic
            lines.append(f"        redirect({text})," if rng.random() < 0.1 else f"        {text},")
        lines += ["    ]", ""]
        (package / f"mod{index}.py").write_text("\n".join(lines), encoding="utf-8")
    return TreeStats(n_templates + 1, n_modules + 1, n_calls, mistakes, dynamic)
