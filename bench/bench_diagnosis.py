"""Diagnosis accuracy on the hand-made corpus, and speed against Werkzeug's own suggestion."""

from __future__ import annotations

import time
from collections import defaultdict

from flask import Flask
from werkzeug.routing import BuildError

from flask_route_explorer.diagnosis import Diagnosis, diagnose, diagnose_call
from flask_route_explorer.diagnosis.candidates import Index
from flask_route_explorer.inventory import get_inventory

from .corpus import Case, build_corpus
from .synthetic import make_app, sample_values
from .timing import median_seconds, ms, table

#: Kinds where the endpoint name is wrong (the others name the right endpoint with wrong values).
NAME_MISTAKES = frozenset(
    {
        "missing_blueprint_prefix",
        "wrong_blueprint_prefix",
        "unknown_endpoint",
        "relative_endpoint",
        "view_name_not_endpoint",
        "url_not_endpoint",
    }
)


def _ours(apps: dict[str, Flask], case: Case) -> Diagnosis | None:
    return diagnose_call(
        apps[case.app],
        case.endpoint,
        case.values,
        method=case.method,
        blueprint=case.blueprint,
        external=case.external,
        scheme=case.scheme,
        call=case.call_site(),
    )


def _werkzeug(app: Flask, case: Case) -> str | None:
    """The endpoint Werkzeug's "Did you mean" names for the same call (``None``: no BuildError)."""
    endpoint = case.endpoint
    if endpoint.startswith("."):
        endpoint = f"{case.blueprint}{endpoint}" if case.blueprint else endpoint[1:]
    values = {k: v for k, v in case.values.items() if v is not None}
    with app.test_request_context():
        try:
            app.url_for(endpoint, _method=case.method, _external=case.external, _scheme=case.scheme, **values)
        except BuildError as error:
            suggested = error.suggested
            return str(suggested.endpoint) if suggested is not None else None
        except Exception:
            return None
    return None


def _share(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f}% ({hits}/{total})" if total else "n/a"


def accuracy() -> None:
    apps, cases = build_corpus()
    targeted = [c for c in cases if c.meant is not None]
    registered_targets = [c for c in targeted if c.kind != "blueprint_not_registered"]
    no_target = [c for c in cases if c.meant is None and c.kind == "no_target"]
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    top1 = top3 = fixes = werkzeug_top1 = kinds_right = name_cases = name_top1 = name_werkzeug = 0
    for case in cases:
        d = _ours(apps, case)
        if case.kind == "no_target":
            continue
        row = per_kind[case.kind]
        row[0] += 1
        kind_ok = d is not None and d.kind == case.kind
        kinds_right += kind_ok
        row[4] += kind_ok
        if case.meant is None:
            continue
        row[5] += 1
        endpoints = [s.endpoint for s in d.suggestions] if d is not None else []
        hit1 = endpoints[:1] == [case.meant]
        top1 += hit1
        top3 += case.meant in endpoints[:3]
        # A case with no usable fix counts when the engine offers none (issue 10: no _method to POST for a link).
        fixed = d is not None and (d.fix_url == case.meant_url if case.fixable else d.fix is None)
        fixes += fixed
        wz = _werkzeug(apps[case.app], case) == case.meant
        werkzeug_top1 += wz
        if case.kind in NAME_MISTAKES:
            name_cases += 1
            name_top1 += hit1
            name_werkzeug += wz
        row[1] += hit1
        row[2] += fixed
        row[3] += wz
    ours_silent = sum(1 for c in no_target if not (d := _ours(apps, c)) or not d.suggestions)
    werkzeug_silent = sum(1 for c in no_target if _werkzeug(apps[c.app], c) is None)
    n = len(registered_targets)
    print("### Diagnosis accuracy\n")
    print(
        f"Corpus: {len(cases)} faulty calls in 3 hand-built apps ({sum(len(get_inventory(a)) for a in apps.values())} rules), "
        f"{len(per_kind)} kinds; {len(no_target)} of them have no plausible target.\n"
    )
    print(
        table(
            ["measure", "flask-route-explorer", "Werkzeug `BuildError.suggested`"],
            [
                ["top-1 suggestion is the meant endpoint", _share(top1, n), _share(werkzeug_top1, n)],
                [
                    "top-1 when the endpoint name itself is wrong",
                    _share(name_top1, name_cases),
                    _share(name_werkzeug, name_cases),
                ],
                ["meant endpoint in top 3", _share(top3, n), "(one guess only)"],
                ["fix builds the meant URL (`fix_url`; no fix where none is usable)", _share(fixes, n), "(no fix)"],
                ["diagnosis kind as labelled", _share(kinds_right, len(cases) - len(no_target)), "(no kinds)"],
                [
                    "no-target calls left without a suggestion",
                    _share(ours_silent, len(no_target)),
                    _share(werkzeug_silent, len(no_target)),
                ],
            ],
        )
    )
    print()
    print(
        table(
            ["kind", "calls", "top-1 (ours)", "fix_url = meant URL", "top-1 (Werkzeug)", "kind right"],
            [
                [k, r[0], _share(r[1], r[5]), _share(r[2], r[5]), _share(r[3], r[5]), _share(r[4], r[0])]
                for k, r in sorted(per_kind.items())
            ],
        )
    )
    print()


def _errors(app: Flask, count: int = 30) -> list[BuildError]:
    """Real BuildErrors from typical mistakes on the synthetic app's endpoints."""
    samples = sample_values(app)
    step = max(1, len(samples) // count)
    errors: list[BuildError] = []
    for position, sample in enumerate(samples[::step][:count]):
        short = sample.endpoint.rpartition(".")[2]
        mistake = position % 3
        endpoint = short if mistake == 0 else sample.endpoint[:-1] if mistake == 1 else sample.endpoint
        values = dict(sample.values) if mistake != 2 else {}
        if mistake == 2 and not sample.values:
            endpoint = sample.endpoint + "x"
        with app.test_request_context():
            try:
                app.url_for(endpoint, **values)
            except BuildError as error:
                errors.append(error)
    return errors


def speed() -> None:
    rows = []
    for n_rules, n_blueprints in ((1_400, 100), (10_000, 700)):
        app = make_app(n_rules, n_blueprints)
        errors = _errors(app)
        inventory = get_inventory(app)
        start = time.perf_counter()
        Index(app, inventory)
        index_cost = time.perf_counter() - start

        def ours() -> None:
            for error in errors:
                diagnose(error, app)

        def werkzeug() -> None:
            for error in errors:
                str(
                    BuildError(error.endpoint, error.values, error.method, error.adapter)
                )  # fresh: ``suggested`` is cached

        kinds = {diagnose(e, app).kind for e in errors}
        ours_s = median_seconds(ours, repeat=5) / len(errors)
        werkzeug_s = median_seconds(werkzeug, repeat=3) / len(errors)
        rows.append(
            [
                f"{n_rules:,} rules / {n_blueprints} blueprints",
                len(errors),
                ms(ours_s),
                ms(werkzeug_s),
                f"{werkzeug_s / ours_s:.0f}x",
                ms(index_cost),
                ", ".join(sorted(kinds)),
            ]
        )
    print("### Diagnosis speed (median per error)\n")
    print(
        table(
            ["app", "errors", "`diagnose()`", "Werkzeug `str(error)`", "speed-up", "one-off index build", "kinds"],
            rows,
        )
    )
    print(
        "\n`diagnose()` includes finding the call site, ranking candidates and building the fix for real "
        "in a test request context; the one-off index is built on the first diagnosis and reused until the URL map changes."
    )


def run() -> None:
    print("## Diagnosis\n")
    accuracy()
    speed()


if __name__ == "__main__":
    run()
