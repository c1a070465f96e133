"""The explorer page (``{prefix}/``) and its JSON twin (``{prefix}/api/routes``).

Thin: read the query string, ask :mod:`flask_route_explorer.search`, render. The state of the
page lives in the query string only, so every filtered view is a link a developer can share.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

from flask import Blueprint, current_app, request, url_for
from htmx_flask.requests import HtmxHeaders
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..auditing import map_audit, map_audit_if_made
from ..coverage import last_report
from ..inventory import AUTOMATIC_METHODS, get_inventory
from ..rendering import COMMON_METHODS, display_path, explorer_app, render
from ..search import APP_LEVEL, PER_PAGE, group_hits, search, summarize
from .forms import flag
from .rows import RowSettings, audit_badges, route_rows

#: Longer queries are cut: nobody types more, and it bounds the work of one request.
MAX_QUERY_LENGTH = 300
_METHOD_RE = re.compile(r"[A-Z]{1,20}")


def register(bp: Blueprint) -> None:
    """Add the explorer's views to the blueprint."""
    bp.add_url_rule("/", "index", index)
    bp.add_url_rule("/audit", "audit", audit)
    bp.add_url_rule("/api/routes", "api_routes", api_routes)


@dataclass(frozen=True, slots=True)
class PageState:
    """What the query string asks for; unknown or malformed values become ``errors``, never a 500."""

    q: str
    methods: tuple[str, ...]
    blueprint: str
    internal: bool
    auto: bool
    page: int
    errors: tuple[str, ...]
    #: Only the rules the audit has something to say about.
    problems: bool = False

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> PageState:
        errors: list[str] = []
        q = args.get("q", "")
        if len(q) > MAX_QUERY_LENGTH:
            q = q[:MAX_QUERY_LENGTH]
            errors.append(f"The search text was cut to {MAX_QUERY_LENGTH} characters.")
        methods: list[str] = []
        for raw in args.getlist("method"):
            for value in raw.replace(",", " ").split():
                method = value.upper()
                if _METHOD_RE.fullmatch(method):
                    methods.append(method)
                else:
                    errors.append(f"Ignored the method filter {value!r}: a method is a word like GET or POST.")
        try:
            page = int(args.get("page", "1"))
        except ValueError:
            page = 1
            errors.append(f"Ignored page={args.get('page')!r}: the page is a number.")
        return cls(
            q=q.strip(),
            methods=tuple(dict.fromkeys(methods)),
            blueprint=args.get("blueprint", "").strip(),
            internal=flag(args.get("internal")),
            auto=flag(args.get("auto")),
            page=page,
            errors=tuple(errors),
            problems=flag(args.get("problems")),
        )

    def url(self, endpoint: str = "route_explorer.index", **changes: t.Any) -> str:
        """This state as a link, with some values changed (``page`` resets unless given)."""
        values: dict[str, t.Any] = {
            "q": self.q or None,
            "method": list(self.methods) or None,
            "blueprint": self.blueprint or None,
            "internal": 1 if self.internal else None,
            "auto": 1 if self.auto else None,
            "problems": 1 if self.problems else None,
            "page": None,
        }
        values.update(changes)
        return url_for(endpoint, **{k: v for k, v in values.items() if v not in (None, False, "", [])})


def _result(state: PageState, per_page: int | None) -> t.Any:
    inventory = get_inventory(explorer_app())
    only = {f.route.index for f in map_audit(explorer_app()).findings} if state.problems else None
    return inventory, search(
        inventory,
        state.q,
        methods=state.methods,
        blueprint=state.blueprint or None,
        include_internal=state.internal,
        page=state.page,
        per_page=per_page,
        server_name=explorer_app().config.get("SERVER_NAME") or request.host,
        only=only,
    )


def index() -> str:
    """The page; an htmx request (typing, a filter, a page link) gets only the results fragment."""
    state = PageState.from_args(request.args)
    inventory, result = _result(state, PER_PAGE)
    summary = summarize(inventory)
    app = explorer_app()
    coverage = last_report(app.config.get("ROUTE_EXPLORER_COVERAGE_FILE"), app.root_path)
    # The audit reads every view's signature; unless it is already known (or the page is
    # filtered by it), the page asks for it once shown: see :func:`audit`.
    audit_report = map_audit(app) if state.problems else map_audit_if_made(app)
    context = {
        "state": state,
        "result": result,
        "groups": group_hits(result, inventory.blueprints),
        "summary": summary,
        "inventory": inventory,
        "app_name": explorer_app().name,
        "current_page": "routes",
        "method_choices": _method_choices(summary.methods, state),
        "app_level": APP_LEVEL,
        "audit": audit_report,
        "route_rows": route_rows,
        "row_settings": RowSettings(
            query=state.q,
            include_automatic=state.auto,
            audit=audit_report,
            coverage=coverage[1] if coverage else None,
            host_column="host" if inventory.has_hosts else "subdomain" if inventory.has_subdomains else None,
        ),
        "coverage_file": display_path(str(coverage[0]), app.root_path) if coverage else None,
    }
    htmx = HtmxHeaders(request.headers)
    if htmx and not htmx.history_restore_request:
        return render("route_explorer/_routes_results.html", **context)
    return render("route_explorer/explorer.html", **context)


def audit() -> str:
    """The audit's summary and the badges of the rows the same query shows, as htmx out-of-band swaps.

    The first page after a restart leaves them out (the audit costs more than the rest of that
    page) and asks for them from here as soon as it is shown.
    """
    state = PageState.from_args(request.args)
    _inventory, result = _result(state, PER_PAGE)
    return render(
        "route_explorer/_audit_update.html",
        audit=map_audit(explorer_app()),
        state=state,
        result=result,
        audit_badges=audit_badges,
    )


def api_routes() -> Response:
    """Every route that matches ``q``, ``method`` and ``blueprint``, as JSON (``Route.to_dict()``)."""
    state = PageState.from_args(request.args)
    _inventory, result = _result(state, None)
    body = result.to_json(warnings=list(state.errors)) if state.errors else result.to_json()
    # Serialised by the search, not with the app's JSON provider: the host app's settings must not change our API.
    return current_app.response_class(body, mimetype="application/json")


def _method_choices(methods: t.Iterable[str], state: PageState) -> tuple[str, ...]:
    """The methods worth a chip: the common ones the app uses, then the rest; HEAD/OPTIONS only if asked."""
    used = set(methods) | set(state.methods)
    if not state.auto:
        used -= AUTOMATIC_METHODS - set(state.methods)
    common = [m for m in COMMON_METHODS if m in used]
    return tuple(common + sorted(used.difference(common)))
