"""Diagnosis on mistakes real people made: the corpus of ``real_corpus.json``, next to Werkzeug's guess.

Each case is replayed as it happened: the app is rebuilt from its rules, the request that made the
call is pushed (so relative names resolve against its blueprint), and the failing ``url_for`` call
runs from a real file (a Python module or a Jinja template) with the variables the call site had.
The exception it raises is diagnosed by :func:`flask_route_explorer.diagnose`, frames and all.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
import typing as t
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader
from werkzeug.routing import BuildError

from flask_route_explorer.diagnosis import Diagnosis, diagnose

from .real_corpus_check import CORPUS, build_app, extract_call, namespace, request_path
from .timing import table


@dataclass(frozen=True)
class Outcome:
    case: dict[str, t.Any]
    diagnosis: Diagnosis | None
    werkzeug: str | None

    @property
    def meant(self) -> str | None:
        return t.cast("str | None", self.case["meant"])

    @property
    def targets(self) -> list[str]:
        """What the diagnosis proposes, best first: the fix's endpoint, then the suggestions."""
        if self.diagnosis is None:
            return []
        found = [self.diagnosis.fix_endpoint] if self.diagnosis.fix_endpoint else []
        found += [s.endpoint for s in self.diagnosis.suggestions]
        return list(dict.fromkeys(found))

    @property
    def silent(self) -> bool:
        return not self.targets

    @property
    def fix_builds(self) -> bool:
        return self.diagnosis is not None and self.diagnosis.fix_url is not None

    @property
    def fix_equals_accepted(self) -> bool:
        if self.diagnosis is None or not self.diagnosis.fix or not self.case["accepted_fix"]:
            return False
        try:
            return _normalised(extract_call(self.diagnosis.fix)) == _normalised(extract_call(self.case["accepted_fix"]))
        except Exception:
            return False


def _normalised(call: str) -> str:
    """A call without the differences a developer would not care about: spaces and quote style."""
    return re.sub(r"\s+", "", call).replace('"', "'")


def _module_for(directory: Path, case_id: str, call: str, names: t.Iterable[str]) -> t.Callable[..., t.Any]:
    """A function in a real module file whose one line is the failing call (so frames have source)."""
    name = "corpus_" + re.sub(r"\W", "_", case_id)
    path = directory / f"{name}.py"
    parameters = ", ".join(names)
    path.write_text(
        f"import flask\nfrom flask import request, url_for\n\n\ndef run({parameters}):\n    return {call}\n"
    )
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return t.cast("t.Callable[..., t.Any]", module.run)


def replay(case: dict[str, t.Any], directory: Path) -> Outcome:
    """Run the failing call as it ran for its reporter, and diagnose what it raised."""
    app: Flask = build_app(case["id"], case["app"])
    call_spec = case["call"]
    call = extract_call(call_spec["source"])
    scope = {k: namespace(v) for k, v in (call_spec.get("names") or {}).items()}
    path, method = (
        request_path(app, call_spec["request_endpoint"]) if call_spec.get("request_endpoint") else ("/", "GET")
    )
    template = bool(call_spec.get("template"))
    if template:
        folder = directory / re.sub(r"\W", "_", case["id"])
        folder.mkdir()
        (folder / "page.html").write_text("{{ " + call + " }}\n")
        app.jinja_loader = FileSystemLoader(str(folder))  # type: ignore[assignment]
    else:
        run = _module_for(directory, case["id"], call, scope)
    with app.test_request_context(path, method=method):
        try:
            if template:
                app.update_template_context(scope)
                app.jinja_env.get_template("page.html").render(**scope)
            else:
                run(**scope)
        except Exception as error:
            werkzeug = None
            if isinstance(error, BuildError):
                suggested = error.suggested
                werkzeug = str(suggested.endpoint) if suggested is not None else None
            return Outcome(case, diagnose(error, app), werkzeug)
    return Outcome(case, None, None)


def _rate(hits: int, total: int) -> str:
    return f"{100 * hits / total:.0f}% ({hits}/{total})" if total else "n/a"


def outcomes() -> list[Outcome]:
    cases = json.loads(CORPUS.read_text())
    with tempfile.TemporaryDirectory() as directory:
        return [replay(case, Path(directory)) for case in cases]


def run() -> None:
    results = outcomes()
    targeted = [o for o in results if o.meant is not None]
    hopeless = [o for o in results if o.meant is None]
    rows = [
        (
            "top-1 (meant endpoint first)",
            _rate(sum(o.targets[:1] == [o.meant] for o in targeted), len(targeted)),
            _rate(sum(o.werkzeug == o.meant for o in targeted), len(targeted)),
        ),
        ("top-3", _rate(sum(o.meant in o.targets[:3] for o in targeted), len(targeted)), "-"),
        (
            "no suggestion where a target exists",
            _rate(sum(o.silent for o in targeted), len(targeted)),
            _rate(sum(o.werkzeug is None for o in targeted), len(targeted)),
        ),
        (
            "no suggestion for hopeless calls",
            _rate(sum(o.silent for o in hopeless), len(hopeless)),
            _rate(sum(o.werkzeug is None for o in hopeless), len(hopeless)),
        ),
        ("fix builds", _rate(sum(o.fix_builds for o in targeted), len(targeted)), "-"),
        ("fix equals the accepted fix", _rate(sum(o.fix_equals_accepted for o in targeted), len(targeted)), "-"),
    ]
    print(f"## Diagnosis on real mistakes ({len(results)} cases from public reports, bench/real_corpus.json)\n")
    print(table(["Measure", "flask-route-explorer", "Werkzeug's guess"], rows))
    misses = [o for o in targeted if o.targets[:1] != [o.meant]]
    if misses:
        print("\nTop-1 misses: " + ", ".join(f"{o.case['id']} ({o.targets[:1] or 'silent'})" for o in misses))
    noisy = [o for o in hopeless if not o.silent]
    if noisy:
        print("Suggestions for hopeless calls: " + ", ".join(f"{o.case['id']} ({o.targets[:1]})" for o in noisy))


if __name__ == "__main__":
    run()
