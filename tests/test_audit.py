"""The route audit: one planted case of every finding, a clean app, and the real-app false positives."""

from __future__ import annotations

import functools
import importlib.util
import typing as t
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from flask.views import MethodView, View
from werkzeug.routing import BaseConverter

from flask_route_explorer import AuditFinding, AuditReport, RouteExplorer, audit, expected_unreferenced
from flask_route_explorer.auditing import Code, Proof, Severity, TwinReason
from flask_route_explorer.inventory import get_inventory


class HexConverter(BaseConverter):
    regex = "[0-9a-f-]+"


def new_app(root: Path | None = None) -> Flask:
    return Flask("auditapp", root_path=str(root) if root else None)


def codes(report: AuditReport) -> list[str]:
    return sorted(f.code.name for f in report.findings)


def only(report: AuditReport, code: Code) -> AuditFinding:
    found = report.of(code)
    assert len(found) == 1, report.report()
    return t.cast(AuditFinding, found[0])


def planted_app() -> Flask:
    """One planted case of every finding (references are checked in their own tests)."""
    app = new_app()
    app.url_map.converters["hex"] = HexConverter

    @app.route("/items/<name>")
    def item_by_name(name: str) -> str:
        return name

    @app.route("/items/<uuid:item_id>")  # SHADOWED: the string rule came first and takes every UUID
    def item_by_id(item_id: str) -> str:
        return str(item_id)

    @app.route("/about")
    def about() -> str:
        return "about"

    @app.route("/about")  # COLLIDING: same pattern, other endpoint, other code
    def about_again() -> str:
        return "again"

    @app.route("/docs")
    def docs() -> str:
        return "docs"

    @app.route("/docs/")  # SLASH_TWINS
    def docs_slash() -> str:
        return "docs/"

    @app.route("/files/<uuid:file_id>")
    def file_by_uuid(file_id: str) -> str:
        return "uuid"

    @app.route("/files/<hex:digest>")  # CONVERTER_OVERLAP: hex and uuid tie; UUIDs go to the first
    def file_by_hex(digest: str) -> str:
        return "hex"

    @app.route("/user/<int:user_id>")  # VARIABLE_NOT_ACCEPTED (and PARAMETER_NOT_SUPPLIED for uid)
    def user(uid: int) -> str:
        return "user"

    @app.route("/post")  # PARAMETER_NOT_SUPPLIED
    def post(post_id: int) -> str:
        return "post"

    @app.route("/page", defaults={"page": 1, "sort": "name"})  # DEFAULT_NOT_A_PARAMETER: sort
    def page(page: int) -> str:
        return "page"

    class Things(MethodView):
        def get(self) -> str:
            return "things"

    # METHOD_WITHOUT_HANDLER: POST, the class has no post()
    app.add_url_rule("/things", view_func=Things.as_view("things"), methods=["GET", "POST"])
    app.add_url_rule("/", "home", lambda: "home")
    app.add_url_rule("/", "index")  # ALIAS (no view, flaskr's pattern) and NO_VIEW

    def shared() -> str:
        return "shared"

    app.add_url_rule("/s1", "s1", shared)
    app.add_url_rule("/s2", "s2", shared)  # VIEW_UNDER_SEVERAL_ENDPOINTS

    def decorated(func: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(func)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
            return func(*args, **kwargs)

        return wrapper

    @app.route("/wrapped/<slug>")  # SIGNATURE_UNCERTAIN: the decorator may consume slug
    @decorated
    def wrapped() -> str:
        return "wrapped"

    return app


def test_planted_app_has_one_finding_of_each_kind() -> None:
    report = audit(planted_app(), references=False)
    assert codes(report) == sorted(
        [
            "SHADOWED",
            "COLLIDING",
            "SLASH_TWINS",
            "CONVERTER_OVERLAP",
            "VARIABLE_NOT_ACCEPTED",
            "PARAMETER_NOT_SUPPLIED",
            "PARAMETER_NOT_SUPPLIED",
            "METHOD_WITHOUT_HANDLER",
            "DEFAULT_NOT_A_PARAMETER",
            "ALIAS",
            "NO_VIEW",
            "VIEW_UNDER_SEVERAL_ENDPOINTS",
            "SIGNATURE_UNCERTAIN",
        ]
    ), report.report()
    assert len(report.errors) == 9
    assert {f.severity for f in report.information} == {Severity.INFO}


def test_shadowed_names_the_winner_with_a_proof() -> None:
    finding = only(audit(planted_app(), references=False), Code.SHADOWED)
    assert (finding.endpoint, finding.methods) == ("item_by_id", ("GET",))
    assert finding.other is not None and finding.other.endpoint == "item_by_name"
    assert finding.proof is Proof.CONVERTERS
    assert all(url.startswith("/items/") for url in finding.evidence)
    assert "never reached for GET" in finding.message and "item_by_name" in finding.message


def test_collision_reports_the_rule_never_dispatched() -> None:
    report = audit(planted_app(), references=False)
    colliding = only(report, Code.COLLIDING)
    assert colliding.endpoint == "about_again" and colliding.other is not None
    assert colliding.other.endpoint == "about"
    assert colliding.fix and "build_only=True" in colliding.fix
    assert only(report, Code.SLASH_TWINS).endpoint == "docs_slash"
    overlap = only(report, Code.CONVERTER_OVERLAP)
    assert overlap.endpoint == "file_by_hex" and overlap.names == ("digest",)
    # Neither loser is reported twice as shadowed.
    assert [f.endpoint for f in report.of(Code.SHADOWED)] == ["item_by_id"]


def test_signature_findings_name_the_parameters() -> None:
    report = audit(planted_app(), references=False)
    assert only(report, Code.VARIABLE_NOT_ACCEPTED).names == ("user_id",)
    assert sorted(f.names for f in report.of(Code.PARAMETER_NOT_SUPPLIED)) == [("post_id",), ("uid",)]
    assert only(report, Code.DEFAULT_NOT_A_PARAMETER).names == ("sort",)
    assert only(report, Code.METHOD_WITHOUT_HANDLER).methods == ("POST",)
    assert only(report, Code.SIGNATURE_UNCERTAIN).names == ("slug",)


def test_information_findings() -> None:
    report = audit(planted_app(), references=False)
    alias = only(report, Code.ALIAS)
    assert alias.endpoint == "index" and alias.reasons == (TwinReason.NO_VIEW,)
    assert only(report, Code.NO_VIEW).endpoint == "index"
    shared = only(report, Code.VIEW_UNDER_SEVERAL_ENDPOINTS)
    assert (shared.endpoint, shared.names) == ("s2", ("s1",))


def test_clean_app_has_no_findings(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text(
        "{{ url_for('index') }} {{ url_for('users.profile', user_id=1) }} {{ url_for('users.by_name', name='x') }}"
        " {{ url_for('archive') }} {{ url_for('api') }}"
    )
    app = new_app(tmp_path)
    users = Blueprint("users", __name__, url_prefix="/users")

    @users.route("/<int:user_id>")
    def profile(user_id: int) -> str:
        return "p"

    @users.route("/<name>")  # int comes first (weight 50), a deliberate and ordered pair
    def by_name(name: str) -> str:
        return name

    app.register_blueprint(users)

    @app.route("/")
    def index() -> str:
        return "i"

    @app.route("/archive/", defaults={"page": 1})
    @app.route("/archive/<int:page>")
    def archive(page: int) -> str:
        return "a"

    class Api(MethodView):
        def get(self, item_id: int | None = None) -> str:
            return "g"

        def post(self) -> str:
            return "p"

    app.add_url_rule("/api", view_func=Api.as_view("api"), methods=["GET", "POST"])
    app.add_url_rule("/api/<int:item_id>", view_func=app.view_functions["api"], methods=["GET"])
    report = audit(app)
    assert not report.findings, report.report()
    assert report.rules == 7 and report.references_checked
    assert "0 errors, 0 information" in report.summary()


# --------------------------------------------------------------------------- false positives seen in real apps


def test_argument_injecting_decorator_is_not_an_error() -> None:
    """CTFd's ``@validate_args`` injects ``query_args``; functools.wraps exposes the inner signature."""
    app = new_app()

    def validate_args(func: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(func)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
            return func(*args, query_args={}, **kwargs)

        return wrapper

    class Listing(MethodView):
        @validate_args
        def get(self, query_args: dict[str, t.Any]) -> str:
            return "list"

    app.add_url_rule("/challenges", view_func=Listing.as_view("challenges"))

    @app.route("/plain")
    @validate_args
    def plain(query_args: dict[str, t.Any]) -> str:
        return "plain"

    assert not audit(app, references=False).findings


def test_wrapped_bound_methods_skip_self() -> None:
    """flask-admin registers functools.wraps wrappers of bound methods."""
    app = new_app()

    class Admin:
        def index_view(self) -> str:
            return "index"

        def edit_view(self, item_id: int) -> str:
            return "edit"

    admin = Admin()

    def wrap(method: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(method)
        def inner(*args: t.Any, **kwargs: t.Any) -> str:
            return method(*args, **kwargs)

        return inner

    app.add_url_rule("/admin/", "admin.index", wrap(admin.index_view))
    app.add_url_rule("/admin/edit/<int:item_id>", "admin.edit", wrap(admin.edit_view))
    app.add_url_rule("/admin/raw/<int:item_id>", "admin.raw", admin.edit_view)
    assert not audit(app, references=False).findings


def test_partial_and_kwargs_views_are_not_errors() -> None:
    app = new_app()

    def render(template: str, item_id: int) -> str:
        return template

    def anything(**kwargs: t.Any) -> str:
        return "x"

    app.add_url_rule("/p/<int:item_id>", "partial", functools.partial(render, "page.html"))
    app.add_url_rule("/k/<a>/<b>", "kwargs", anything, defaults={"c": 1})

    class Plain(View):
        def dispatch_request(self, **kwargs: t.Any) -> str:
            return "x"

    app.add_url_rule("/v/<x>", view_func=Plain.as_view("plain"))
    assert not audit(app, references=False).findings


def test_build_only_copy_of_the_same_view_is_an_alias() -> None:
    """CTFd's ``views.themes_beta``: a documented copy of ``views.themes`` on the same pattern."""
    app = new_app()

    @app.route("/themes/<theme>/static/<path:path>")
    def themes(theme: str, path: str) -> str:
        """General static file handler."""
        return theme + path

    @app.route("/themes/<theme>/static/<path:path>")
    def themes_beta(theme: str, path: str) -> str:
        """A copy of the above, used only to build URLs."""
        return theme + path

    app.add_url_rule("/old", "old", redirect_to="/new")
    app.add_url_rule("/new", "new", lambda: "new")
    app.add_url_rule("/new", "new_alias", app.view_functions["new"], alias=True)
    report = audit(app, references=False)
    assert not report.errors, report.errors.report()
    assert [(f.endpoint, f.reasons) for f in report.of(Code.ALIAS)] == [
        ("themes_beta", (TwinReason.SAME_CODE,)),
        ("new_alias", (TwinReason.ALIAS, TwinReason.SAME_VIEW)),
    ]


def test_catch_all_and_static_segments_do_not_shadow() -> None:
    """CTFd's ``/<path:route>`` sits under every GET path; flaskbb's ``/user/<username>`` under ``/user/x``."""
    app = new_app()
    app.add_url_rule("/<path:route>", "static_html", lambda route: route)
    app.add_url_rule("/user/<username>", "profile", lambda username: username)
    app.add_url_rule("/user/settings", "settings", lambda: "s")

    def topic(topic_id: int, slug: str | None = None) -> str:
        return "t"

    app.add_url_rule("/topic/<int:topic_id>-<slug>", "topic", topic)
    app.add_url_rule("/topic/<int:topic_id>", "topic", topic)
    app.add_url_rule("/files/<path:name>", "files", lambda name: name)
    app.add_url_rule("/files/<path:name>/raw", "raw", lambda name: name)  # Werkzeug weighs the static tail
    app.add_url_rule("/archive", "archive", lambda: "a", methods=["POST"])
    app.add_url_rule("/archive", "archive_page", lambda: "a", methods=["GET"])
    assert not audit(app, references=False).findings


class GreedyConverter(BaseConverter):
    """Takes any segment and is tried before ``int`` (weight 50)."""

    regex = "[^/]+"
    weight = 10


def test_a_converter_that_swallows_another_rule() -> None:
    app = new_app()
    app.url_map.converters["greedy"] = GreedyConverter
    app.add_url_rule("/n/<int:number>", "numbers", lambda number: "n")
    app.add_url_rule("/n/<greedy:word>", "words", lambda word: word)
    report = audit(app, references=False)
    finding = only(report, Code.SHADOWED)
    assert finding.endpoint == "numbers" and finding.other is not None and finding.other.endpoint == "words"
    assert finding.proof is Proof.SAMPLES  # a custom converter: the regexes are not compared


def test_any_converter_is_sampled_exhaustively() -> None:
    app = new_app()
    app.add_url_rule("/r/<any(day,week):period>", "first", lambda period: period)
    app.add_url_rule("/r/<any(day,week):span>", "second", lambda span: span)
    finding = only(audit(app, references=False), Code.COLLIDING)
    assert finding.endpoint == "second"


def test_shadowed_for_one_method_only() -> None:
    app = new_app()
    app.add_url_rule("/x/<name>", "read", lambda name: name, methods=["GET", "POST"])
    app.add_url_rule("/x/<int:number>", "numbers", lambda number: "n", methods=["GET", "DELETE"])
    report = audit(app, references=False)
    assert not report.findings, report.report()  # int (weight 50) is tried first: not shadowed
    app2 = new_app()
    app2.add_url_rule("/x/<name>", "read", lambda name: name, methods=["GET"])
    app2.add_url_rule("/x/<uuid:key>", "keys", lambda key: "k", methods=["GET", "DELETE"])
    finding = only(audit(app2, references=False), Code.SHADOWED)
    assert finding.methods == ("GET",)


def test_internal_rules_are_left_out_unless_asked(make_app: t.Callable[..., Flask]) -> None:
    app = make_app(tool_rule=True)
    app.add_url_rule("/", "index", lambda: "i")
    report = audit(app, references=False)
    assert report.rules == 1
    every = audit(app, references=False, include_internal=True)
    assert every.rules == 3  # index, static and the toolbar's static


# --------------------------------------------------------------------------- references


PROJECT_VIEWS = """
from flask import url_for
from flask_route_explorer import expected_unreferenced


def linked():
    return url_for("linked")


def lonely():
    return "l"


def items():
    return "i"


@expected_unreferenced
def hook():
    return "h"
"""


def _project(tmp_path: Path) -> Flask:
    """An app whose views live in the scanned folder (the checker reports only the project's own views)."""
    path = tmp_path / "views.py"
    path.write_text(PROJECT_VIEWS)
    spec = importlib.util.spec_from_file_location(f"auditviews_{tmp_path.name}", path)
    assert spec is not None and spec.loader is not None
    views = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(views)
    app = new_app(tmp_path)
    app.add_url_rule("/linked", "linked", views.linked)
    app.add_url_rule("/lonely", "lonely", views.lonely)
    app.add_url_rule("/api/items", "api.items", views.items)
    app.add_url_rule("/hook", "hook", views.hook)
    return app


def test_unreferenced_endpoints_with_ignores(tmp_path: Path) -> None:
    app = _project(tmp_path)
    report = audit(app)
    assert sorted(f.endpoint for f in report.of(Code.UNREFERENCED)) == ["api.items", "lonely"]
    assert not report.errors
    app.config["ROUTE_EXPLORER_AUDIT_IGNORE"] = ["api.*"]
    assert [f.endpoint for f in audit(app).of(Code.UNREFERENCED)] == ["lonely"]
    assert not audit(app, references=False).of(Code.UNREFERENCED)


def test_expected_unreferenced_through_a_decorator_and_a_view_class(tmp_path: Path) -> None:
    app = new_app(Path(__file__).parent)

    def deco(func: t.Callable[..., str]) -> t.Callable[..., str]:
        @functools.wraps(func)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
            return func(*args, **kwargs)

        return wrapper

    @app.route("/a")
    @deco
    @expected_unreferenced
    def marked() -> str:
        return "a"

    @expected_unreferenced
    class Hook(MethodView):
        def post(self) -> str:
            return "h"

    app.add_url_rule("/hook", view_func=Hook.as_view("hook"))
    report = audit(app, [__file__])
    assert report.references_checked and not report.findings, report.report()


# --------------------------------------------------------------------------- the report's faces


def test_errors_read_well_in_pytest() -> None:
    report = audit(planted_app(), references=False)
    text = repr(report.errors)
    assert text.startswith("AuditFindings(9): RA101 /items/<uuid:item_id> (item_by_id)")
    assert len(text) <= 240 and ".report() lists all" in text
    assert repr(audit(new_app(), references=False).errors) == "AuditFindings([])"
    with pytest.raises(AssertionError, match="AuditFindings"):
        assert not report.errors


def test_to_dict_is_the_json() -> None:
    data = audit(planted_app(), references=False).to_dict()
    assert data["errors"] == 9 and data["rules"] == 17
    shadowed = next(f for f in data["findings"] if f["code"] == "RA101")
    assert shadowed["kind"] == "shadowed" and shadowed["severity"] == "error"
    assert shadowed["other"] == {"rule": "/items/<name>", "endpoint": "item_by_name"}
    assert shadowed["proof"] == "converters" and shadowed["file"].endswith("test_audit.py")


def test_findings_by_row_for_the_explorer() -> None:
    app = planted_app()
    report = audit(app, references=False)
    inventory = get_inventory(app)
    winner = inventory.routes_for("item_by_name")[0]
    loser = inventory.routes_for("item_by_id")[0]
    assert [f.code for f in report.for_rule(loser)] == [Code.SHADOWED]
    assert [f.code for f in report.for_rule(winner)] == [Code.SHADOWED]  # named as the winner
    assert report.for_rule(loser.werkzeug_rule) == report.for_rule(loser)
    assert [f.code for f in report.by_endpoint()["item_by_id"]] == [Code.SHADOWED]
    assert "item_by_name" not in report.by_endpoint()


def test_audit_works_with_the_explorer_mounted(make_app: t.Callable[..., Flask]) -> None:
    app = make_app()
    RouteExplorer(app)
    app.add_url_rule("/", "index", lambda: "i")
    assert not audit(app, references=False).findings


def test_endpoint_named_through_a_macro_or_a_setting_is_referenced(tmp_path: Path) -> None:
    """flaskbb: ``navlink('management.add_user', ...)`` in templates and ``REAUTH_VIEW = "auth.reauth"``."""
    app = _project(tmp_path)
    bp = Blueprint("management", __name__)
    bp.add_url_rule("/users/add", "add_user", app.view_functions["lonely"])
    bp.add_url_rule("/reauth", "reauth", app.view_functions["lonely"])
    app.register_blueprint(bp)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "nav.html").write_text(
        "{% macro navlink(endpoint, text) %}<a href='{{ url_for(endpoint) }}'>{{ text }}</a>{% endmacro %}\n"
        "{{ navlink('management.add_user', 'Add') }}\n"
    )
    (tmp_path / "settings.py").write_text('REAUTH_VIEW = "management.reauth"\n')
    report = audit(app)
    assert sorted(f.endpoint for f in report.of(Code.UNREFERENCED)) == ["api.items", "lonely"]
