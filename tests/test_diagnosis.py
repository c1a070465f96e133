"""The diagnosis engine on real url_for failures: every kind, Python and template call sites."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from conftest import DIAGNOSIS_KEYS
from flask import Blueprint, Flask, current_app, render_template, url_for
from flask.ctx import RequestContext
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.testing import EnvironBuilder
from flask.views import MethodView
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader
from werkzeug.routing import BuildError

from flask_route_explorer import notes
from flask_route_explorer.diagnosis import (
    KINDS,
    UNKNOWN,
    CallSite,
    Confidence,
    Diagnosis,
    Suggestion,
    diagnose,
    diagnose_call,
    fixed_source,
)

# --- A small app of realistic shape, built once ------------------------------------------

users_bp = Blueprint("users", __name__, url_prefix="/users")
account_bp = Blueprint("account", __name__, url_prefix="/account")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
reports_bp = Blueprint("reports", __name__, url_prefix="/reports")
api_bp = Blueprint("api", __name__, url_prefix="/api")


class User:
    def __init__(self, id: int, name: str) -> None:
        self.id = id
        self.name = name


@users_bp.route("/<int:user_id>")
def user_profile(user_id: int) -> str:
    return "profile"


@users_bp.route("/<int:user_id>/follow", methods=["POST"])
def follow(user_id: int) -> str:
    return "followed"


@users_bp.route("/<int:user_id>/edit")
def edit(user_id: int) -> str:
    return render_template("users/edit.html", user=User(user_id, "Ada"))


@account_bp.route("/settings")
def settings_page() -> str:
    return "settings"


@reports_bp.route("/revenue/<any(daily,weekly,monthly):period>")
def revenue(period: str) -> str:
    return period


class UserAPI(MethodView):
    def get(self, user_id: int | None = None) -> str:
        return "user"


user_api = UserAPI.as_view("users")
api_bp.add_url_rule("/users/", view_func=user_api, defaults={"user_id": None})
api_bp.add_url_rule("/users/<int:user_id>", view_func=user_api)
admin_bp.register_blueprint(reports_bp)


def no_wraps(view: t.Callable[..., str]) -> t.Callable[..., str]:
    def wrapper(*args: t.Any, **kwargs: t.Any) -> str:
        return view(*args, **kwargs)

    return wrapper


TEMPLATES = {
    "base.html": "<html><body>\n<nav>{{ url_for('index') }}</nav>\n{% block content %}{% endblock %}\n</body></html>\n",
    "dashboard.html": (
        "{% extends 'base.html' %}\n"
        "{% block content %}\n"
        "<h1>Hello {{ user.name }}</h1>\n"
        "<p><a href=\"{{ url_for('user_profile') }}\">Profile</a></p>\n"
        "{% endblock %}\n"
    ),
    "users/edit.html": "{% extends 'base.html' %}\n{% block content %}\n<a href=\"{{ url_for('.settings_page') }}\">settings</a>\n{% endblock %}\n",
    "paging.html": '<a href="{{ url_for(request.endpoint, page=2) }}">next</a>\n',
}


def build_app() -> Flask:
    app = Flask("diagnosis_app")
    app.config["TESTING"] = True
    app.jinja_loader = DictLoader(TEMPLATES)  # type: ignore[assignment]

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/post/<int:post_id>")
    def post(post_id: int) -> str:
        return "post"

    @app.route("/p/<slug>", endpoint="page_view")
    def show_page(slug: str) -> str:
        return "page"

    @app.route("/secret")
    @no_wraps
    def secret() -> str:
        return "secret"

    @app.route("/dashboard")
    def dashboard() -> str:
        return render_template("dashboard.html", user=User(7, "Ada"))

    @app.route("/outside")
    def outside() -> str:
        return url_for(".settings_page")

    @app.route("/orders/<int:order_id>/lines")
    def order_lines(order_id: int) -> str:
        return render_template("paging.html")

    app.register_blueprint(users_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    notes.install(app)
    return app


@pytest.fixture(scope="module")
def app() -> Flask:
    return build_app()


def failure(app: Flask, action: t.Callable[[], object], path: str = "/") -> BaseException:
    """Run ``action`` inside a request for ``path`` and return what it raised."""
    with app.test_request_context(path):
        try:
            action()
        except Exception as error:
            return error
    raise AssertionError("the call did not fail")


def request_failure(app: Flask, path: str) -> BaseException:
    with pytest.raises(Exception) as info:
        app.test_client().get(path)
    return info.value


def check(d: Diagnosis, kind: str, fix: str | None = None, fix_url: str | None = None) -> None:
    assert d.kind == kind, d
    assert d.kind in KINDS
    json.dumps(d.to_dict())
    assert set(d.to_dict()) == DIAGNOSIS_KEYS
    if fix is not None:
        assert d.fix == fix
    if fix_url is not None:
        assert d.fix_url == fix_url
    assert len(d.suggestions) <= 5
    assert all(0 <= s.score <= 1 for s in d.suggestions)


# --- Every kind, Python call sites -------------------------------------------------------


def test_missing_blueprint_prefix_fills_value_from_local_object(app: Flask) -> None:
    user = User(42, "Grace")  # noqa: F841 - the diagnosis reads it from this frame
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("user_profile")
    d = diagnose(info.value, app)
    check(d, "missing_blueprint_prefix", 'url_for("users.user_profile", user_id=user.id)', "/users/42")
    assert d.suggestions[0].endpoint == "users.user_profile"
    assert d.suggestions[0].rule == "/users/<int:user_id>"
    assert d.missing == ("user_id",)
    assert "registered in blueprint 'users' as 'users.user_profile'" in d.explanation
    assert d.call is not None and d.call.file == __file__ and not d.call.template
    assert 'url_for("user_profile")' in (d.call.source or "")


def test_wrong_blueprint_prefix(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("user.user_profile", user_id=3)), app)
    check(d, "wrong_blueprint_prefix", 'url_for("users.user_profile", user_id=3)', "/users/3")


def test_blueprint_variable_instead_of_its_name(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users_bp.user_profile", user_id=3)), app)
    check(d, "wrong_blueprint_prefix", fix_url="/users/3")
    assert "'users_bp' is the variable" in d.explanation
    assert d.suggestions[0].endpoint == "users.user_profile"


def test_nested_blueprint_without_parent_prefix(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("reports.revenue", period="daily")), app)
    check(
        d,
        "missing_blueprint_prefix",
        'url_for("admin.reports.revenue", period="daily")',
        "/admin/reports/revenue/daily",
    )


def test_unknown_endpoint_typo_and_no_junk(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users.user_profil", user_id=1)), app)
    check(d, "unknown_endpoint", fix_url="/users/1")
    assert d.suggestions[0].reason.startswith("typo")
    junk = diagnose(failure(app, lambda: url_for("qqqq")), app)
    check(junk, "unknown_endpoint", fix_url=None)
    assert junk.suggestions == () and junk.fix is None


def test_view_class_name_for_method_view(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("UserAPI")), app)
    check(d, "view_name_not_endpoint", 'url_for("api.users")', "/api/users/")
    assert "view class 'UserAPI'" in d.explanation


def test_view_function_name_with_explicit_endpoint(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("show_page", slug="about")), app)
    check(d, "view_name_not_endpoint", 'url_for("page_view", slug="about")', "/p/about")


def test_decorator_without_wraps(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("secret")), app)
    check(d, "view_name_not_endpoint", 'url_for("wrapper")', "/secret")
    assert "without functools.wraps" in d.explanation


def test_url_instead_of_endpoint(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("/post/12")), app)
    check(d, "url_not_endpoint", 'url_for("post", post_id=12)', "/post/12")


def test_missing_parameters_with_placeholder(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users.user_profile")), app)
    check(d, "missing_parameters", 'url_for("users.user_profile", user_id=USER_ID)', "/users/1")
    assert "USER_ID" in d.explanation


def test_none_parameter(app: Flask) -> None:
    user = User(None, "Nobody")  # type: ignore[arg-type]
    d = diagnose(failure(app, lambda: url_for("users.user_profile", user_id=user.id)), app)
    check(d, "none_parameter")
    assert d.missing == ("user_id",)
    assert "user.id is None here" in d.explanation


def test_wrong_parameter_name(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users.user_profile", id=5)), app)
    check(d, "wrong_parameter_name", 'url_for("users.user_profile", user_id=5)', "/users/5")
    assert d.unexpected == ("id",)


def test_method_not_allowed_leaves_out_head_and_options(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users.follow", user_id=1, _method="GET")), app)
    check(d, "method_not_allowed")
    assert "allows only POST, not GET" in d.explanation
    assert "HEAD" not in d.explanation and "OPTIONS" not in d.explanation
    # Issue 10: a GET link or redirect cannot use POST, so _method is not rewritten to it.
    assert d.fix is None and d.fix_url is None
    assert [s.endpoint for s in d.suggestions] == ["users.follow"]


def test_invalid_value_int_and_any(app: Flask) -> None:
    user = User(9, "Linus")
    d = diagnose(failure(app, lambda: url_for("users.user_profile", user_id=user)), app)
    check(d, "invalid_value", 'url_for("users.user_profile", user_id=user.id)', "/users/9")
    d = diagnose(failure(app, lambda: url_for("admin.reports.revenue", period="montly")), app)
    check(d, "invalid_value", 'url_for("admin.reports.revenue", period="monthly")', "/admin/reports/revenue/monthly")
    assert "must be one of 'daily', 'monthly', 'weekly'" in d.explanation


def test_blueprint_not_registered(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("billing.invoice", invoice_id=1)), app)
    check(d, "blueprint_not_registered")
    assert "app.register_blueprint(billing_bp)" in d.explanation


billing_bp = Blueprint("billing", __name__)


def test_no_request_context(app: Flask) -> None:
    with app.app_context():
        error = failure_outside(app)
    d = diagnose(error, app)
    check(d, "no_request_context")
    assert "SERVER_NAME" in d.explanation
    # The call also has a wrong endpoint: that is reported with its fix.
    assert d.fix == 'url_for("users.user_profile", user_id=2)'


def failure_outside(app: Flask) -> BaseException:
    try:
        url_for("user_profile", user_id=2)
    except RuntimeError as error:
        return error
    raise AssertionError("built")


def test_scheme_without_external(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("index", _scheme="https", _external=False)), app)
    check(d, "scheme_without_external", 'url_for("index", _scheme="https", _external=True)', "https://localhost/")


def _language_app(*, hook_raises: bool) -> Flask:
    """An app whose url_defaults hook injects ``lang_code``; it raises KeyError for an unknown
    endpoint (``is_endpoint_expecting``) when ``hook_raises``, else it steps aside."""
    app = Flask("hooked")

    @app.route("/<lang_code>/about")
    def about(lang_code: str) -> str:
        return "about"

    @app.url_defaults
    def add_language_code(endpoint: str, values: dict[str, t.Any]) -> None:
        if not hook_raises and endpoint not in {r.endpoint for r in app.url_map.iter_rules()}:
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values.setdefault("lang_code", "en")

    return app


def test_a_typo_under_a_raising_url_defaults_hook_is_diagnosed_as_without_it() -> None:
    """The hook's KeyError is a symptom of the typo: same kind and fix, the hook a secondary fact."""
    hooked = _language_app(hook_raises=True)
    error = failure(hooked, lambda: url_for("abut"))
    assert isinstance(error, KeyError)
    d = diagnose(error, hooked)
    plain = diagnose(failure(_language_app(hook_raises=False), lambda: url_for("abut")), hooked)
    assert plain.kind != "url_defaults_hook" and plain.hook_error is None
    check(d, plain.kind, 'url_for("about")', "/en/about")
    assert (d.fix, d.fix_url, d.headline, d.verified) == (plain.fix, plain.fix_url, plain.headline, plain.verified)
    assert [s.endpoint for s in d.suggestions] == [s.endpoint for s in plain.suggestions]
    assert d.hook_error is not None and "add_language_code" in d.hook_error and f"{__file__}:" in d.hook_error
    assert "KeyError" in d.hook_error and d.explanation.endswith(d.hook_error)
    assert "add_language_code" not in d.details  # faces show the hook apart from the explanation
    assert d.to_dict()["hook_error"] == d.hook_error


def test_a_raising_url_defaults_hook_on_a_known_endpoint_is_the_diagnosis() -> None:
    """For an endpoint that exists, the hook itself may be what is wrong: it is named first."""
    app = Flask("hooked")

    @app.route("/<int:pid>")
    def post(pid: int) -> str:
        return "post"

    @app.url_defaults
    def needs_g(endpoint: str, values: dict[str, t.Any]) -> None:
        raise KeyError("partner")

    d = diagnose(failure(app, lambda: url_for("post", pid=1)), app)
    check(d, "url_defaults_hook")
    assert d.headline.startswith("The url_defaults hook 'needs_g'") and d.hook_error is None


def test_other_for_unrelated_errors(app: Flask) -> None:
    d = diagnose(ZeroDivisionError("division by zero"), app)
    check(d, "other")
    assert d.explanation == "division by zero"


# --- Relative endpoints ------------------------------------------------------------------


def test_relative_endpoint_inside_blueprint_template(app: Flask) -> None:
    d = diagnose(request_failure(app, "/users/3/edit"), app)
    check(d, "relative_endpoint", "{{ url_for('account.settings_page') }}", "/account/settings")
    assert d.endpoint == ".settings_page"
    assert "resolved to 'users.settings_page' because the request is handled by blueprint 'users'" in d.explanation
    assert d.call is not None and d.call.file == "users/edit.html" and d.call.line == 3


def test_relative_endpoint_outside_blueprint(app: Flask) -> None:
    d = diagnose(request_failure(app, "/outside"), app)
    check(d, "relative_endpoint", 'url_for("account.settings_page")', "/account/settings")
    assert "not handled by a blueprint" in d.explanation


def test_diagnose_call_relative_from_blueprint(app: Flask) -> None:
    d = diagnose_call(app, ".user_profile", {"user_id": 1}, blueprint="account")
    assert d is not None and d.kind == "relative_endpoint" and d.fix_url == "/users/1"
    assert diagnose_call(app, ".user_profile", {"user_id": 1}, blueprint="users") is None


# --- Template call sites -----------------------------------------------------------------


def test_template_call_site_is_the_page_not_the_base(app: Flask) -> None:
    error = request_failure(app, "/dashboard")
    d = diagnose(error, app)
    check(d, "missing_blueprint_prefix", "{{ url_for('users.user_profile', user_id=user.id) }}", "/users/7")
    assert d.call is not None and d.call.template
    assert (d.call.file, d.call.line) == ("dashboard.html", 4)
    assert dict(d.call.context)[4] == d.call.source
    assert fixed_source(d) == "<p><a href=\"{{ url_for('users.user_profile', user_id=user.id) }}\">Profile</a></p>"


def test_request_endpoint_gets_view_args(app: Flask) -> None:
    d = diagnose(request_failure(app, "/orders/5/lines"), app)
    check(
        d,
        "missing_parameters",
        "{{ url_for(request.endpoint, page=2, **request.view_args) }}",
        "/orders/5/lines?page=2",
    )


# --- diagnose_call (checker and testers) -------------------------------------------------


def test_diagnose_call_builds_means_none(app: Flask) -> None:
    assert diagnose_call(app, "users.user_profile", {"user_id": 1}) is None
    assert diagnose_call(app, "users.user_profile", {"user_id": UNKNOWN}) is None
    assert diagnose_call(app, "users.follow", {"user_id": 1}, method="POST") is None


def test_diagnose_call_with_unknown_values_and_source(app: Flask) -> None:
    site = CallSite(
        file="views.py", line=3, source="    return redirect(url_for('user_profile', user_id=uid))", template=False
    )
    d = diagnose_call(app, "user_profile", {"user_id": UNKNOWN}, call=site)
    assert d is not None
    check(d, "missing_blueprint_prefix", "url_for('users.user_profile', user_id=uid)", "/users/1")
    assert fixed_source(d) == "    return redirect(url_for('users.user_profile', user_id=uid))"


def test_diagnose_call_template_source_keeps_quotes(app: Flask) -> None:
    site = CallSite(
        file="t.html", line=1, source='<a href="{{ url_for("user_profile", user_id=u.id) }}">', template=True
    )
    d = diagnose_call(app, "user_profile", {"user_id": UNKNOWN}, call=site)
    assert d is not None and d.fix == '{{ url_for("users.user_profile", user_id=u.id) }}'


# --- PEP 678 notes -----------------------------------------------------------------------


def test_note_added_once_with_fix(app: Flask) -> None:
    with pytest.raises(BuildError) as info, app.test_request_context():
        url_for("user_profile", user_id=4)
    (note,) = info.value.__notes__
    lines = note.splitlines()
    assert lines[0] == "flask-route-explorer: There is no endpoint 'user_profile'."
    assert lines[1].startswith(f"  Call: {__file__}:")
    assert lines[2:] == [
        '  Fix: url_for("users.user_profile", user_id=4)',
        "  Builds: /users/4",
        "  Test: with app.test_request_context(): assert url_for('users.user_profile', user_id=4) == '/users/4'"
        "  # whole pytest test: error page, `flask route-explorer build`",
    ]
    notes.annotate(info.value, app)
    assert len(info.value.__notes__) == 1


def test_install_is_idempotent(app: Flask) -> None:
    before = list(app.url_build_error_handlers)
    notes.install(app)
    assert app.url_build_error_handlers == before


def test_annotate_non_build_errors_and_never_raises(app: Flask) -> None:
    error = failure(app, lambda: url_for("admin.reports.revenue", period="yearly"))
    assert isinstance(error, ValueError)
    notes.annotate(error, app)
    assert "is not a valid period" in error.__notes__[0]
    notes.annotate(object(), app)  # type: ignore[arg-type]


def test_note_printed_by_pytest(tmp_path: Path) -> None:
    test_file = tmp_path / "test_broken.py"
    test_file.write_text(
        textwrap.dedent(
            """
            from flask import Blueprint, Flask, url_for
            from flask_route_explorer import RouteExplorer

            bp = Blueprint("users", __name__)

            @bp.route("/u/<int:user_id>")
            def user_profile(user_id):
                return ""

            def test_link():
                app = Flask(__name__)
                app.config.update(TESTING=True, ROUTE_EXPLORER_ENABLED=False)
                app.register_blueprint(bp)
                RouteExplorer(app)
                with app.test_request_context():
                    url_for("user_profile", user_id=1)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(test_file), "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert "flask-route-explorer: There is no endpoint 'user_profile'." in result.stdout
    assert 'Fix: url_for("users.user_profile", user_id=1)' in result.stdout


# --- Never raises ------------------------------------------------------------------------

ENDPOINT_TEXT = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_./-", min_size=0, max_size=30),
    st.sampled_from(
        ["users.user_profile", ".edit", "user_profile", "/post/1", "UserAPI", "admin.reports.revenue", "."]
    ),
    st.text(max_size=12),
)


class RaisingAttributes:
    """A value whose every attribute read raises (a lazy ORM object whose session is closed)."""

    def __getattr__(self, name: str) -> t.Any:
        raise RuntimeError(f"detached: {name}")


class RaisingEverything(RaisingAttributes):
    """Worse: even ``__class__``, ``str()`` and ``repr()`` raise."""

    def __getattribute__(self, name: str) -> t.Any:
        raise RuntimeError(f"detached: {name}")

    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


VALUES = st.dictionaries(
    st.sampled_from(["user_id", "id", "period", "slug", "post_id", "page", "_anchor", "x"]),
    st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=8),
        st.just(UNKNOWN),
        st.builds(object),
        st.floats(allow_nan=True),
        st.builds(RaisingAttributes),
        st.builds(RaisingEverything),
    ),
    max_size=4,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=ENDPOINT_TEXT, values=VALUES, method=st.sampled_from([None, "GET", "POST", "PATCH"]))
def test_random_calls_never_raise(app: Flask, endpoint: str, values: dict[str, t.Any], method: str | None) -> None:
    d = diagnose_call(app, endpoint, values, method=method, blueprint="users" if endpoint.startswith(".") else None)
    if d is not None:
        assert d.kind in KINDS
        json.dumps(d.to_dict())
    live = {k: (1 if v is UNKNOWN else v) for k, v in values.items() if not k.startswith("_")}
    with app.test_request_context():
        try:
            url_for(endpoint, _method=method, **live)
        except Exception as error:
            found = diagnose(error, app)
            assert found.kind in KINDS
            json.dumps(found.to_dict())


def test_diagnose_uses_current_app(app: Flask) -> None:
    with app.test_request_context():
        try:
            url_for("user_profile", user_id=1)
        except BuildError as error:
            assert diagnose(error).kind == "missing_blueprint_prefix"
    assert diagnose(BuildError("x", {}, None)).kind == "other"  # no app at all: still an answer


# --- The engine never touches the running request -----------------------------------------


@pytest.mark.parametrize("enabled", [False, True])
def test_caught_failure_leaves_the_request_teardown_alone(make_app: t.Callable[..., Flask], enabled: bool) -> None:
    """Building the fix inside the running request must not pop a context that runs its teardown."""
    from flask import g

    app = make_app(ROUTE_EXPLORER_ENABLED=enabled)
    events: list[str] = []

    @app.teardown_request
    def close_db(exc: BaseException | None) -> None:
        events.append("teardown" if g.pop("db", None) else "teardown without db")

    @app.route("/")
    def index() -> str:
        g.db = "connection"
        try:
            url_for("indx")
        except BuildError as error:
            assert error.__notes__  # diagnosed, with a verified fix built meanwhile
        events.append("view done, db open" if "db" in g else "view done, db closed")
        return ""

    app.test_client().get("/")
    assert events == ["view done, db open", "teardown"]


def test_batch_inside_a_request_leaves_its_teardown_alone(app: Flask) -> None:
    from flask_route_explorer.diagnosis import batch

    events: list[str] = []
    app.teardown_request_funcs.setdefault(None, []).append(lambda exc: events.append("teardown"))
    try:
        with app.test_request_context("/"):
            with batch(app):
                assert diagnose_call(app, "user_profile", {"user_id": 1}) is not None
            assert events == []
        assert events == ["teardown"]
    finally:
        app.teardown_request_funcs[None].pop()


def test_build_outside_a_request_keeps_the_callers_g(app: Flask) -> None:
    """In a CLI command's app context, the context the engine builds in has a ``g`` of its own."""
    from flask import g

    seen: list[bool] = []
    app.teardown_request_funcs.setdefault(None, []).append(lambda exc: seen.append("db" in g))
    try:
        with app.app_context():
            g.db = "connection"
            assert diagnose_call(app, "user_profile", {"user_id": 1}) is not None
            assert g.db == "connection"
        assert seen and not any(seen)
    finally:
        app.teardown_request_funcs[None].pop()


# --- The fix is exactly the call that was built ------------------------------------------


def test_fix_keeps_an_aliased_callee_and_its_options(app: Flask) -> None:
    from flask import url_for as link

    d = diagnose(failure(app, lambda: link("indx", _anchor="top")), app)
    check(d, "unknown_endpoint", fix='link("index", _anchor="top")', fix_url="/#top")
    d = diagnose(failure(app, lambda: link("index", _scheme="https", _external=False)), app)
    check(
        d, "scheme_without_external", fix='link("index", _scheme="https", _external=True)', fix_url="https://localhost/"
    )


def test_fix_of_a_multi_line_aliased_call(app: Flask) -> None:
    from flask import url_for as link

    def view() -> str:
        return link(
            "user_profile",
            user_id=4,
        )

    d = diagnose(failure(app, view), app)
    check(d, "missing_blueprint_prefix", fix='link("users.user_profile", user_id=4)', fix_url="/users/4")
    assert d.call is not None and d.call.source is not None and d.call.source.startswith("        return link(\n")
    assert fixed_source(d) == '        return link("users.user_profile", user_id=4)'


def test_no_fix_when_the_value_to_change_is_not_written_in_the_call(app: Flask) -> None:
    params: dict[str, t.Any] = {"user_id": "abc"}
    d = diagnose(failure(app, lambda: url_for("users.user_profile", **params)), app)
    check(d, "invalid_value")
    assert d.fix is None and d.fix_url is None
    params = {"id": 3}
    d = diagnose(failure(app, lambda: url_for("users.user_profile", **params)), app)
    check(d, "wrong_parameter_name")
    assert d.fix is None and d.fix_url is None
    params = {}
    d = diagnose(failure(app, lambda: url_for("users.user_profile", **params)), app)
    check(d, "missing_parameters", fix='url_for("users.user_profile", user_id=USER_ID, **params)', fix_url="/users/1")


def test_fallback_fix_keeps_the_options(app: Flask) -> None:
    """Without the call's text (no source file), the fix is written from the values, options included."""
    code = compile("url_for('indx', _anchor='top', _external=True)", "<no source>", "eval")
    d = diagnose(failure(app, lambda: eval(code, {"url_for": url_for})), app)
    assert d.call is not None and d.call.source is None
    check(d, "unknown_endpoint", fix="url_for('index', _anchor='top', _external=True)", fix_url="http://localhost/#top")


def test_explain_raises_where_diagnose_warns(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``explain`` lets an internal failure out (the error page steps aside); ``diagnose`` logs it at WARNING."""
    import logging

    from flask_route_explorer import diagnosis
    from flask_route_explorer.diagnosis import engine

    error = failure(app, lambda: url_for("user_profile", user_id=4))

    def broken(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "_diagnose_build", broken)
    with pytest.raises(RuntimeError, match="engine exploded"):
        diagnosis.explain(error, app)
    with caplog.at_level(logging.WARNING, logger="flask_route_explorer"):
        d = diagnose(error, app)
    assert d.kind == "other" and d.endpoint == "user_profile"
    [record] = [r for r in caplog.records if r.name == "flask_route_explorer"]
    assert record.levelno == logging.WARNING and "engine exploded" in str(record.exc_info[1])


def test_a_batch_gives_the_same_answers_and_reads_the_inventory_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask_route_explorer import diagnosis
    from flask_route_explorer.diagnosis import context

    questions: list[tuple[str, dict[str, t.Any], str | None]] = [
        ("users.user_profile", {"user_id": 3}, None),
        ("users.user_profile", {}, None),
        ("user_profile", {"user_id": UNKNOWN}, None),
        ("users.follow", {"user_id": 1}, "GET"),
        ("users.user_profile", {"user_id": "abc"}, None),
    ]

    def answers() -> list[dict[str, t.Any] | None]:
        results = [diagnose_call(app, endpoint, values, method=method) for endpoint, values, method in questions]
        return [r.to_dict() if r is not None else None for r in results]

    alone = answers()
    reads: list[Flask] = []
    real_get_inventory = context.get_inventory
    monkeypatch.setattr(context, "get_inventory", lambda a: reads.append(a) or real_get_inventory(a))
    with diagnosis.batch(app):
        batched = answers()
    assert batched == alone
    assert alone[0] is None and all(a is not None for a in alone[1:])
    assert len(reads) == 1


def test_misspelled_relative_endpoint_says_what_it_resolved_to(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for(".user_profil", user_id=1), "/users/1"), app)
    # Issue 10: the fix keeps the caller's relative style inside the request's own blueprint.
    check(d, "unknown_endpoint", fix='url_for(".user_profile", user_id=1)', fix_url="/users/1")
    assert d.endpoint == ".user_profil"
    assert d.headline == (
        "There is no endpoint '.user_profil': it resolved to 'users.user_profil', "
        "since the request is handled by blueprint 'users'."
    )
    d = diagnose(failure(app, lambda: url_for(".nothing_like_it"), "/users/1"), app)
    assert "it resolved to 'users.nothing_like_it'" in d.headline and not d.suggestions
    d = diagnose_call(app, ".user_profil", {"user_id": 1}, blueprint=None)
    assert (
        d is not None and "it resolved to 'user_profil', since the request is not handled by a blueprint" in d.headline
    )


def test_value_rejected_beside_a_defaults_rule_is_an_invalid_value() -> None:
    """``/archive/`` with defaults page=1 beside ``/archive/<int:page>``: 'abc' is a bad page, not 'other'."""
    app = Flask(__name__)

    @app.route("/archive/", defaults={"page": 1})
    @app.route("/archive/<int:page>")
    def archive(page: int) -> str:
        return ""

    with app.test_request_context(), pytest.raises(ValueError) as caught:
        url_for("archive", page="abc")
    d = diagnose(caught.value, app)
    assert d.kind == "invalid_value"
    assert "/archive/<int:page>" in d.explanation


# --- A diagnosis carries what its faces show --------------------------------------------------


def test_a_diagnosis_carries_the_message_and_the_fixed_line(app: Flask) -> None:
    """One call gives a face everything: Werkzeug's message without its costly guess, and the line
    with the fix put in (what the error page once asked the engine for in two more calls)."""
    from flask_route_explorer.diagnosis import error_message

    error = failure(app, lambda: url_for("user_profile", user_id=1))
    d = diagnose(error, app)
    assert d.message == error_message(error) and "Did you mean" not in d.message
    assert "user_profile" in d.message
    assert d.fix is not None and d.call is not None and d.call.source is not None
    assert d.fixed_line == fixed_source(d)
    assert d.fixed_line == '    error = failure(app, lambda: url_for("users.user_profile", user_id=1))'

    static = diagnose_call(app, "user_profil", {"user_id": 3})
    assert static is not None and static.message.startswith("Could not build url for endpoint 'user_profil'")
    assert static.fixed_line is None  # no source line to put the fix in


def test_message_of_a_failure_the_engine_cannot_explain(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_route_explorer.diagnosis import engine

    def broken(*args: t.Any, **kwargs: t.Any) -> t.Any:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "_diagnose_build", broken)
    error = failure(app, lambda: url_for("user_profile", user_id=4))
    d = diagnose(error, app)
    assert d.kind == "other" and d.message == d.explanation and "user_profile" in d.message


def test_values_for_renames_only_where_the_rule_has_the_right_name() -> None:
    d = Diagnosis(
        "wrong_parameter_name", "users.user_profile", "x.", values={"id": 5, "q": "a"}, renames={"id": "user_id"}
    )
    assert d.values_for(["user_id"]) == {"user_id": 5, "q": "a"}
    assert d.values_for(["id", "user_id"]) == {"id": 5, "q": "a"}  # the rule takes the name as written
    assert d.values_for([]) == {"id": 5, "q": "a"}


def test_details_is_the_explanation_after_the_headline() -> None:
    d = Diagnosis("missing_parameters", "e", "'e' needs id. In the fix, replace ID with the real value.")
    assert d.headline == "'e' needs id."
    assert d.details == "In the fix, replace ID with the real value."


def test_join_names_is_exported() -> None:
    from flask_route_explorer.diagnosis import join_names

    assert [join_names(n) for n in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b and c"]


def test_no_sentence_is_read_back() -> None:
    """Decisions read causes and fields: no module of the package searches a reason or an
    explanation (``"variable" in reason``, ``re.search(r"(\\d+)%", reason)``)."""
    import ast

    import flask_route_explorer.diagnosis as package

    sentence_names = {"reason", "explanation", "headline", "details"}

    def names_a_sentence(node: ast.AST) -> bool:
        return any(
            (isinstance(n, ast.Attribute) and n.attr in sentence_names)
            or (isinstance(n, ast.Name) and n.id in sentence_names)
            or (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "reason_text")
            for n in ast.walk(node)
        )

    read_back = []
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                if any(names_a_sentence(c) for c in node.comparators):
                    read_back.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                is_re = isinstance(owner, ast.Name) and owner.id == "re"
                string_method = node.func.attr in {"startswith", "endswith", "find", "partition", "split"}
                if (is_re and any(names_a_sentence(a) for a in node.args)) or (
                    string_method and names_a_sentence(owner) and path.name != "model.py"
                ):
                    read_back.append(f"{path.name}:{node.lineno}")
    assert read_back == []


def test_url_defaults_hooks_are_known_through_compat(monkeypatch: pytest.MonkeyPatch) -> None:
    from flask_route_explorer import _compat

    app = Flask(__name__)
    assert _compat.has_url_defaults_hooks(app) is False
    app.url_defaults(lambda endpoint, values: None)
    assert _compat.has_url_defaults_hooks(app) is True
    bare = Flask(__name__)
    monkeypatch.delattr(bare, "url_default_functions")
    assert _compat.has_url_defaults_hooks(bare) is True  # unknown: run the hooks to find out


# --- the request context the engine builds in ---------------------------------------------------------


class CountingSessions(SecureCookieSessionInterface):
    """A session interface that counts how often a session is opened (a database round trip in many apps)."""

    def __init__(self) -> None:
        self.opened = 0

    def open_session(self, app: Flask, request: t.Any) -> t.Any:
        self.opened += 1
        return super().open_session(app, request)


def test_the_engines_own_request_context_never_opens_the_apps_session() -> None:
    app = build_app()
    sessions = CountingSessions()
    app.session_interface = sessions
    d = diagnose_call(app, "user_profil", {"user_id": 2})  # verifies its fix in a context of its own
    assert d is not None and d.fix_url == "/users/2"
    with app.app_context():
        assert diagnose_call(app, "users.user_profile", {}) is not None
    assert sessions.opened == 0


def test_a_request_context_around_the_app_proxy_is_reused() -> None:
    """A context pushed for ``current_app`` (the proxy) is the app's own: no second context, no extra teardown."""
    app = build_app()
    teardowns: list[object] = []
    app.teardown_request(teardowns.append)
    with app.app_context():
        environ = EnvironBuilder(app, "/").get_environ()
        with RequestContext(t.cast(Flask, current_app), environ, session=SecureCookieSession()):
            d = diagnose_call(app, "user_profil", {"user_id": 2})
            assert d is not None and d.fix_url == "/users/2"
            assert teardowns == []


# --- what the engine could not compute ------------------------------------------------------------------


class Detached:
    """A lazy ORM object whose session is closed: every attribute read raises."""

    def __getattr__(self, name: str) -> t.Any:
        raise RuntimeError(f"detached: {name}")


def test_a_read_of_the_callers_object_that_raises_is_reported_as_incomplete(app: Flask) -> None:
    def call() -> str:
        user = Detached()  # the fix would read user.id
        return url_for("users.user_profile") if user else ""

    d = diagnose(failure(app, call), app)
    check(d, "missing_parameters", 'url_for("users.user_profile", user_id=USER_ID)')
    assert d.incomplete == ("reading user.id raised RuntimeError: detached: id",)
    assert d.placeholders == ("USER_ID",) and not d.verified
    assert d.to_dict()["incomplete"] == list(d.incomplete)


def test_absent_names_and_proxies_outside_their_context_are_not_incomplete(app: Flask) -> None:
    def call() -> str:
        user = object()  # no id: merely absent
        request = t.cast(t.Any, current_app)  # a proxy: unbound once the context is gone
        return url_for("users.user_profile") if user and request else ""

    d = diagnose(failure(app, call), app)
    assert d.kind == "missing_parameters" and d.incomplete == ()


def test_a_failure_of_the_engine_itself_says_the_answer_is_incomplete(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flask_route_explorer.diagnosis import engine

    def broken(*args: object) -> Diagnosis:
        raise ValueError("engine bug")

    monkeypatch.setattr(engine, "_diagnose_failure", broken)
    d = diagnose(failure(app, lambda: url_for("user_profil")), app)
    assert d.kind == "other"
    assert d.incomplete == ("the diagnosis raised ValueError: engine bug (only the error's own message is shown)",)


def _note(diagnosis: Diagnosis) -> list[str]:
    from flask_route_explorer.diagnosis.report import note_text

    return note_text(diagnosis).splitlines()


def test_the_note_labels_a_fix_with_placeholders_as_a_template(app: Flask) -> None:
    d = diagnose(failure(app, lambda: url_for("users.user_profile")), app)
    assert d.placeholders == ("USER_ID",)
    lines = _note(d)
    assert '  Fix (a template: fill in USER_ID): url_for("users.user_profile", user_id=USER_ID)' in lines
    assert "  With sample values (USER_ID=1): /users/1" in lines
    assert not any(line.startswith(("  Builds", "  Fix:")) for line in lines)


def test_the_note_shows_a_guess_as_a_guess_and_never_as_the_fix() -> None:
    suggestion = Suggestion("meal_plan", "/meal-plan", 0.4, "typo (40%)", confidence=Confidence.GUESS)
    d = Diagnosis("unknown_endpoint", "mealz", "There is no endpoint 'mealz'.", (suggestion,))
    assert d.guess
    assert _note(d)[1:] == ["  A guess: 'meal_plan' (/meal-plan), not offered as the fix: check it before you use it"]


def test_the_note_mentions_the_hook_and_what_could_not_be_computed() -> None:
    d = Diagnosis(
        "unknown_endpoint",
        "abut",
        "There is no endpoint 'abut'. The url_defaults hook 'h' (a.py:3) also raised KeyError('abut').",
        hook_error="The url_defaults hook 'h' (a.py:3) also raised KeyError('abut').",
        incomplete=("reading user.id raised RuntimeError: detached",),
    )
    assert _note(d)[1:] == [
        "  Also: The url_defaults hook 'h' (a.py:3) also raised KeyError('abut').",
        "  Incomplete: reading user.id raised RuntimeError: detached",
    ]


def test_every_kind_has_a_label_that_reads_as_words() -> None:
    from flask_route_explorer.diagnosis import KINDS
    from flask_route_explorer.diagnosis.report import KIND_LABELS, kind_label

    assert set(KIND_LABELS) == set(KINDS)
    assert kind_label("url_not_endpoint") == "URL, not the endpoint"
