"""Synthetic Flask apps shaped like large real ones, for benchmarks.

``make_app(1400, 100)`` looks like pgAdmin 4 (1,362 rules, 103 blueprints, up to 11 arguments per
rule); ``make_app(10_000, 700)`` scales it up. The app is deterministic for a given seed.

Counting conventions:

- ``n_rules`` counts the generated URL rules. Flask's own ``static`` rule comes on top, so
  ``len(list(app.url_map.iter_rules())) == n_rules + 1``.
- ``n_blueprints`` counts every blueprint, nested ones included, i.e. ``len(app.blueprints)``
  (nested blueprints appear there under their dotted name, ``parent.child``).

Shape: rules are spread unevenly over the blueprints; about one blueprint in ten is nested in another
one; each blueprint has one endpoint with ``defaults`` (``/archive/`` with ``page=1`` plus
``/archive/<int:page>``), some have a ``MethodView`` (GET/POST list + GET/PUT/DELETE item); about
8 % of the endpoints are POST-only and 10 % GET/POST. Rules have 0 to ``max_args`` variables that
use default/string, ``int``, ``int(min=..)``, ``int(fixed_digits=4)``, ``float``, ``uuid``,
``any(..)`` and (as the last variable only) ``path``; about 1.5 % of them have exactly ``max_args``.

``sample_values(app)`` gives, for every generated rule, values that build it and match back to it.

Building costs about 0.5 ms per rule (0.7 s for 1,400 rules, 5-6 s for 10,000 here), nearly all of it
in Werkzeug's ``Rule.compile``, as in a real app of that size: build once per benchmark session.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask
from flask.views import MethodView

__all__ = ["Sample", "endpoint_names", "make_app", "sample_values"]

EXTENSION_KEY = "bench.synthetic"

# (singular, plural). Static path words; they never collide with sample values or any() items.
NOUNS: tuple[tuple[str, str], ...] = tuple(
    (word, plural)
    for word, plural in (
        ("order", "orders"),
        ("invoice", "invoices"),
        ("customer", "customers"),
        ("product", "products"),
        ("account", "accounts"),
        ("project", "projects"),
        ("task", "tasks"),
        ("comment", "comments"),
        ("server", "servers"),
        ("database", "databases"),
        ("schema", "schemas"),
        ("table", "tables"),
        ("column", "columns"),
        ("index", "indexes"),
        ("trigger", "triggers"),
        ("view", "views"),
        ("role", "roles"),
        ("group", "groups"),
        ("member", "members"),
        ("team", "teams"),
        ("ticket", "tickets"),
        ("event", "events"),
        ("venue", "venues"),
        ("session", "sessions"),
        ("track", "tracks"),
        ("room", "rooms"),
        ("booking", "bookings"),
        ("payment", "payments"),
        ("refund", "refunds"),
        ("coupon", "coupons"),
        ("shipment", "shipments"),
        ("warehouse", "warehouses"),
        ("supplier", "suppliers"),
        ("category", "categories"),
        ("tag", "tags"),
        ("attachment", "attachments"),
        ("document", "documents"),
        ("folder", "folders"),
        ("version", "versions"),
        ("release", "releases"),
        ("build", "builds"),
        ("job", "jobs"),
        ("step", "steps"),
        ("pipeline", "pipelines"),
        ("dashboard", "dashboards"),
        ("chart", "charts"),
        ("metric", "metrics"),
        ("alert", "alerts"),
        ("rule", "rules"),
        ("policy", "policies"),
        ("contract", "contracts"),
        ("line", "lines"),
        ("note", "notes"),
        ("survey", "surveys"),
        ("question", "questions"),
        ("answer", "answers"),
        ("course", "courses"),
        ("lesson", "lessons"),
        ("student", "students"),
        ("grade", "grades"),
    )
)

ACTIONS: tuple[str, ...] = (
    "edit",
    "delete",
    "history",
    "export",
    "preview",
    "settings",
    "permissions",
    "clone",
    "stats",
    "summary",
    "audit",
    "diff",
    "download",
    "upload",
    "publish",
    "approve",
    "restore",
    "search",
    "statistics",
    "dependencies",
    "dependents",
    "properties",
    "sql",
    "msql",
    "nodes",
    "children",
)

AREAS: tuple[str, ...] = (
    "billing",
    "catalog",
    "browser",
    "sqleditor",
    "dashboard",
    "settings",
    "tools",
    "misc",
    "auth",
    "reports",
    "inventory",
    "shipping",
    "crm",
    "helpdesk",
    "calendar",
    "forum",
    "wiki",
    "search",
    "notifications",
    "messages",
    "profile",
    "teams",
    "projects",
    "tasks",
    "files",
    "media",
    "export",
    "imports",
    "backup",
    "restore",
    "maintenance",
    "schema_diff",
    "erd",
    "debugger",
    "psql",
    "cloud",
    "preferences",
    "statistics",
    "audit",
    "payments",
    "orders",
    "invoices",
    "customers",
    "products",
    "events",
    "venues",
    "tickets",
    "courses",
    "students",
    "grades",
    "surveys",
    "forms",
    "workflows",
    "pipelines",
    "builds",
    "releases",
    "alerts",
    "metrics",
    "logs",
    "tracing",
    "feeds",
    "api",
)

ANY_CHOICES: tuple[tuple[str, ...], ...] = (
    ("daily", "weekly", "monthly"),
    ("csv", "json", "xlsx"),
    ("draft", "published", "retracted"),
    ("asc", "desc"),
    ("light", "dark", "auto"),
)

# Relative weights of 0, 1, 2, ... arguments; HEAVY_RATE of the rules get exactly max_args.
ARG_COUNT_WEIGHTS: tuple[int, ...] = (20, 30, 20, 11, 7, 4, 3, 2, 1, 1, 1) + (1,) * 50
HEAVY_RATE = 0.015

_PATH_SAMPLE = "docs/readme.txt"
_STRING_SAMPLE = "sample-value"


@dataclass(frozen=True)
class Sample:
    """Values that build one generated rule with ``url_for(endpoint, **values)``.

    ``path`` is the URL they build, ``method`` one the rule accepts, and ``view_args`` what matching
    ``path`` gives back (``values`` plus the rule's defaults).
    """

    endpoint: str
    values: dict[str, Any]
    method: str
    path: str
    view_args: dict[str, Any]


@dataclass
class _Variable:
    name: str
    spec: str
    sample: Any

    def placeholder(self) -> str:
        return f"<{self.spec}:{self.name}>" if self.spec else f"<{self.name}>"


def _make_variable(rng: random.Random, noun: str, last: bool) -> _Variable:
    roll = rng.random()
    if last and roll < 0.04:
        return _Variable(f"{noun}_path", "path", _PATH_SAMPLE)
    if roll < 0.42:
        return _Variable(f"{noun}_id", "int", 7)
    if roll < 0.55:
        low = rng.choice((1, 1, 10, 100))
        return _Variable(f"{noun}_id", f"int(min={low})", low + 7)
    if roll < 0.58:
        return _Variable(f"{noun}_year", "int(fixed_digits=4)", 2024)
    if roll < 0.66:
        return _Variable(f"{noun}_uuid", "uuid", uuid.UUID(int=rng.getrandbits(128), version=4))
    if roll < 0.72:
        return _Variable(f"{noun}_ratio", "float", 2.5)
    if roll < 0.78:
        items = rng.choice(ANY_CHOICES)
        return _Variable(f"{noun}_kind", f"any({', '.join(items)})", items[-1])
    if roll < 0.84:
        return _Variable(f"{noun}_name", "string", _STRING_SAMPLE)
    return _Variable(f"{noun}_name", "", _STRING_SAMPLE)


def _view_for(endpoint: str) -> Callable[..., str]:
    def view(**kwargs: Any) -> str:
        return endpoint

    view.__name__ = view.__qualname__ = endpoint.replace(".", "_")
    return view


def _method_view(noun: str, plural: str) -> type[MethodView]:
    def get(self: MethodView, **kwargs: Any) -> str:
        return f"{plural} get"

    def post(self: MethodView, **kwargs: Any) -> str:
        return f"{plural} post"

    def put(self: MethodView, **kwargs: Any) -> str:
        return f"{noun} put"

    def delete(self: MethodView, **kwargs: Any) -> str:
        return f"{noun} delete"

    name = noun.title().replace("_", "") + "API"
    return type(name, (MethodView,), {"get": get, "post": post, "put": put, "delete": delete})


def _blueprint_names(rng: random.Random, n: int) -> list[str]:
    names = list(AREAS)
    rng.shuffle(names)
    if n > len(names):
        extra = [f"{area}_{plural}" for area in AREAS for _, plural in NOUNS if area != plural]
        rng.shuffle(extra)
        names += extra
    if n > len(names):
        names += [f"area{i}" for i in range(n - len(names))]
    return names[:n]


def _allocate(rng: random.Random, total: int, buckets: int) -> list[int]:
    """Split ``total`` into ``buckets`` uneven parts, each at least 1 (at least 2 when possible)."""
    floor = 2 if total >= 2 * buckets else 1
    counts = [floor] * buckets
    weights = [min(rng.paretovariate(1.6), 15.0) for _ in range(buckets)]
    scale = (total - floor * buckets) / sum(weights)
    for i, weight in enumerate(weights):
        counts[i] += int(weight * scale)
    for i in rng.sample(range(buckets), total - sum(counts)):
        counts[i] += 1
    return counts


class _BlueprintBuilder:
    """Adds rules to one blueprint, keeping endpoints and path shapes unique."""

    def __init__(self, bp: Blueprint, full_name: str, rng: random.Random, max_args: int) -> None:
        self.bp = bp
        self.full_name = full_name
        self.rng = rng
        self.max_args = max_args
        self.endpoints: set[str] = set()
        self.shapes: set[tuple[str, ...]] = set()
        self.samples: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = []

    def _unique_endpoint(self, base: str) -> str:
        name, n = base, 2
        while name in self.endpoints:
            name, n = f"{base}_{n}", n + 1
        self.endpoints.add(name)
        return name

    def add_defaults_pair(self, single: bool) -> int:
        endpoint = self._unique_endpoint("archive")
        view = _view_for(f"{self.full_name}.{endpoint}")
        self.bp.add_url_rule("/archive/", endpoint, view, defaults={"page": 1})
        self.shapes.add(("archive", ""))
        self.samples.append((endpoint, {}, "GET", {"page": 1}))
        if single:
            return 1
        self.bp.add_url_rule("/archive/<int:page>", endpoint, view)
        self.shapes.add(("archive", "*"))
        self.samples.append((endpoint, {"page": 7}, "GET", {}))
        return 2

    def add_method_view(self) -> int:
        for _ in range(20):
            noun, plural = self.rng.choice(NOUNS)
            if ("api", plural) not in self.shapes and ("api", plural, "*") not in self.shapes:
                break
        else:
            return 0
        endpoint = self._unique_endpoint(f"{noun}_api")
        view = _method_view(noun, plural).as_view(endpoint)
        self.bp.add_url_rule(f"/api/{plural}", view_func=view, methods=["GET", "POST"])
        self.bp.add_url_rule(f"/api/{plural}/<int:{noun}_id>", view_func=view, methods=["GET", "PUT", "DELETE"])
        self.shapes.update({("api", plural), ("api", plural, "*")})
        self.samples.append((endpoint, {}, "GET", {}))
        self.samples.append((endpoint, {f"{noun}_id": 7}, "GET", {}))
        return 2

    def add_rule(self, n_args: int) -> None:
        rng = self.rng
        for attempt in range(50):
            chain = rng.sample(NOUNS, min(max(n_args, 1), len(NOUNS)))
            segments: list[str] = []
            shape: list[str] = []
            variables: list[_Variable] = []
            for i in range(n_args):
                noun, plural = chain[i]
                var = _make_variable(rng, noun, last=i == n_args - 1)
                segments += [plural, var.placeholder()]
                shape += [plural, "*"]
                variables.append(var)
            action = ""
            ends_with_path = bool(variables) and variables[-1].spec == "path"
            if not ends_with_path and (n_args == 0 or rng.random() < 0.45):
                action = rng.choice(ACTIONS)
                if n_args == 0:
                    action = f"{chain[0][1]}-{action}" if attempt or rng.random() < 0.6 else chain[0][1]
                segments.append(action)
                shape.append(action)
            key = tuple(shape)
            if key not in self.shapes:
                break
        else:  # pragma: no cover - only for tiny vocabularies
            raise RuntimeError(f"could not find a unique rule in blueprint {self.full_name!r}")
        self.shapes.add(key)

        last_noun = chain[n_args - 1][0] if n_args else chain[0][0]
        suffix = action.rsplit("-", 1)[-1].replace("-", "_") if action else "detail"
        if n_args == 0 and action and "-" not in action:
            suffix = "list"
        endpoint = self._unique_endpoint(f"{last_noun}_{suffix}")

        roll = rng.random()
        if roll < 0.08:
            methods = ["POST"]
        elif roll < 0.18:
            methods = ["GET", "POST"]
        else:
            methods = ["GET"]
        view = _view_for(f"{self.full_name}.{endpoint}")
        self.bp.add_url_rule("/" + "/".join(segments), endpoint, view, methods=methods)
        self.samples.append((endpoint, {v.name: v.sample for v in variables}, methods[0], {}))


def make_app(n_rules: int, n_blueprints: int, seed: int = 0, max_args: int = 11) -> Flask:
    """A Flask app with ``n_rules`` generated rules (plus ``static``) in ``n_blueprints`` blueprints."""
    if n_blueprints < 1 or n_rules < n_blueprints:
        raise ValueError("need n_blueprints >= 1 and n_rules >= n_blueprints")
    if not 0 <= max_args <= len(NOUNS):
        raise ValueError(f"max_args must be between 0 and {len(NOUNS)}")
    rng = random.Random(seed)
    app = Flask(__name__)

    names = _blueprint_names(rng, n_blueprints)
    n_nested = n_blueprints // 10 if n_blueprints >= 4 else 0
    top_names, nested_names = names[: n_blueprints - n_nested], names[n_blueprints - n_nested :]
    parents = {child: rng.choice(top_names) for child in nested_names}

    blueprints: dict[str, Blueprint] = {}
    builders: list[_BlueprintBuilder] = []
    for name in names:
        bp = Blueprint(name, __name__, url_prefix="/" + name.replace("_", "-"))
        blueprints[name] = bp
        full = f"{parents[name]}.{name}" if name in parents else name
        builders.append(_BlueprintBuilder(bp, full, rng, max_args))

    counts = _allocate(rng, n_rules, n_blueprints)
    arg_weights = list(ARG_COUNT_WEIGHTS[:max_args]) or [1]
    need_heavy = max_args > 0
    for builder, count in zip(builders, counts):
        done = builder.add_defaults_pair(single=count < 2)
        if count - done >= 5 and rng.random() < 0.15:
            done += builder.add_method_view()
        for _ in range(count - done):
            if need_heavy or (max_args > 0 and rng.random() < HEAVY_RATE):
                n_args, need_heavy = max_args, False
            else:
                n_args = rng.choices(range(len(arg_weights)), weights=arg_weights)[0]
            builder.add_rule(n_args)

    for child, parent in parents.items():
        blueprints[parent].register_blueprint(blueprints[child])
    for name in top_names:
        app.register_blueprint(blueprints[name])

    app.extensions[EXTENSION_KEY] = builders
    return app


def sample_values(app: Flask) -> list[Sample]:
    """One ``Sample`` per generated rule of an app from ``make_app``, in generation order."""
    builders: list[_BlueprintBuilder] = app.extensions[EXTENSION_KEY]
    adapter = app.url_map.bind("localhost")
    samples: list[Sample] = []
    for builder in builders:
        for endpoint, values, method, defaults in builder.samples:
            full = f"{builder.full_name}.{endpoint}"
            path = adapter.build(full, values)
            samples.append(Sample(full, dict(values), method, path, {**defaults, **values}))
    return samples


def endpoint_names(app: Flask) -> list[str]:
    """Every endpoint of the app (``static`` included), sorted."""
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()})
