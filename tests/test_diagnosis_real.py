"""The diagnosis on the mistakes real people make (issue 10), each class on a tiny app of our own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Blueprint, Flask, request, url_for
from flask.views import MethodView
from werkzeug.routing import BuildError

from flask_route_explorer.diagnosis import Confidence, Diagnosis, diagnose, diagnose_call


def _view(**_: object) -> str:
    return ""


def make_app(*rules: tuple[str, str] | tuple[str, str, list[str]], static: bool = True) -> Flask:
    """An app with one view per rule: ``(rule, endpoint[, methods])``."""
    app = Flask(f"tiny_{id(rules)}", static_folder="static" if static else None)
    for spec in rules:
        rule, endpoint = spec[0], spec[1]
        methods = spec[2] if len(spec) == 3 else None
        view = app.view_functions.get(endpoint, lambda **kwargs: "")
        app.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=methods)
    return app


def run(app: Flask, action: t.Callable[[], object], path: str = "/") -> Diagnosis:
    """Run ``action`` in a request for ``path`` and diagnose what it raised, inside that request."""
    with app.test_request_context(path):
        try:
            action()
        except Exception as error:
            return diagnose(error, app)
    raise AssertionError("the call did not fail")


def top(d: Diagnosis) -> str | None:
    return d.suggestions[0].endpoint if d.suggestions else None


# --- The URL (or a piece of it) used as the endpoint ----------------------------------------


def test_a_url_or_a_piece_of_it_names_the_page() -> None:
    app = make_app(("/", "home"), ("/pricing", "plans"), ("/feed.xml", "rss"), ("/company/about", "about_us"))
    for written, meant in (("pricing", "plans"), ("feed.xml", "rss"), ("/company/about", "about_us")):
        d = run(app, lambda w=written: url_for(w))  # type: ignore[misc]
        assert (d.kind, top(d), d.fix_endpoint) == ("url_not_endpoint", meant, meant), written
    d = run(app, lambda: url_for("about.html"))
    assert d.fix == 'url_for("about_us")' and d.fix_url == "/company/about" and d.verified


# --- Conventional names ---------------------------------------------------------------------


def test_index_home_main_name_the_page_at_the_root() -> None:
    app = make_app(("/", "landing"), ("/docs", "docs"))
    for written in ("index", "home", "main"):
        d = run(app, lambda w=written: url_for(w))  # type: ignore[misc]
        assert d.fix_endpoint == "landing" and d.fix_url == "/", written


def test_index_prefers_the_root_over_a_blueprints_own_index() -> None:
    app = Flask("tiny_roots")
    for name, prefix in (("site", None), ("staff", "/staff")):
        bp = Blueprint(name, __name__, url_prefix=prefix)
        bp.add_url_rule("/", "index", _view)
        bp.add_url_rule("/more", "more", _view)
        app.register_blueprint(bp)
    d = run(app, lambda: url_for("index"), "/staff/more")
    assert d.fix_endpoint == "site.index"


def test_login_names_flask_logins_login_view_or_the_one_login_page() -> None:
    app = make_app(("/", "home"), ("/auth/sign-in", "auth.sign_in"), ("/auth/out", "auth.out"))
    app.login_manager = SimpleNamespace(login_view="auth.sign_in")  # type: ignore[attr-defined]
    assert run(app, lambda: url_for("login")).fix_endpoint == "auth.sign_in"
    other = make_app(("/", "home"), ("/account/login", "account.enter"))
    assert run(other, lambda: url_for("login")).fix_endpoint == "account.enter"


# --- A static file named as the endpoint ------------------------------------------------------


def test_a_static_file_path_means_static_with_filename() -> None:
    app = make_app(("/", "home"))
    d = run(app, lambda: url_for("static/img/logo.png"))
    assert d.fix == 'url_for("static", filename="img/logo.png")' and d.fix_url == "/static/img/logo.png"
    assert run(app, lambda: url_for("css/main.css")).fix_url == "/static/css/main.css"
    d = run(app, lambda: url_for("static/css", filename="site.css"))
    assert d.fix == 'url_for("static", filename="css/site.css")'


def test_a_blueprints_static_folder() -> None:
    app = make_app(("/", "home"))
    admin = Blueprint("admin", __name__, static_folder="static", static_url_path="/admin-assets")
    admin.add_url_rule("/admin/", "index", _view)
    app.register_blueprint(admin)
    d = run(app, lambda: url_for("admin-assets/app.js"))
    assert d.fix_endpoint == "admin.static" and d.fix_url == "/admin-assets/app.js"


# --- A class view's method or attribute -------------------------------------------------------


class OrderList(MethodView):
    def get(self) -> str:
        return ""


class OrderCreate(MethodView):
    def get(self) -> str:
        return ""

    def post(self) -> str:
        return ""


class OrderDetail(MethodView):
    def get(self, order_id: int) -> str:
        return ""


def class_app() -> Flask:
    app = make_app(("/", "home"))
    orders = Blueprint("orders", __name__, url_prefix="/orders")
    orders.add_url_rule("/", view_func=OrderList.as_view("index"))
    orders.add_url_rule("/new", view_func=OrderCreate.as_view("create"))
    orders.add_url_rule("/<int:order_id>", view_func=OrderDetail.as_view("detail"))
    app.register_blueprint(orders)
    return app


def test_a_class_views_method_names_its_endpoint() -> None:
    app = class_app()
    assert run(app, lambda: url_for("orders.post")).fix_endpoint == "orders.create"
    assert run(app, lambda: url_for("orders.get")).fix_endpoint == "orders.index"  # the only read-only view
    assert run(app, lambda: url_for("orders.get", order_id=4)).fix_url == "/orders/4"
    assert run(app, lambda: url_for("OrderCreate.as_view")).fix_endpoint == "orders.create"


def test_a_view_object_instead_of_its_name() -> None:
    app = make_app(("/", "home"))

    class Reports:
        def summary(self) -> str:
            return ""

    app.add_url_rule("/reports/summary", endpoint="Reports.summary", view_func=_view)
    d = run(app, lambda: url_for(Reports.summary))  # type: ignore[arg-type]
    assert d.kind == "view_name_not_endpoint" and d.fix == "url_for('Reports.summary')"  # no quote to keep


# --- Arguments passed the wrong way ------------------------------------------------------------


def test_values_wrapped_in_kwargs_params_or_values() -> None:
    app = make_app(("/", "home"), ("/a/<slug>", "article"))
    slug = "intro"
    d = run(app, lambda: url_for("article", kwargs={"slug": slug}))
    assert (d.kind, d.fix, d.fix_url) == ("values_not_keywords", 'url_for("article", slug=slug)', "/a/intro")
    d = run(app, lambda: url_for("article", params=dict(slug=slug)))
    assert d.fix == 'url_for("article", slug=slug)'
    given = {"slug": slug}
    d = run(app, lambda: url_for("article", values=given))  # copied from redirect(): passed on as **given
    assert d.fix == 'url_for("article", **given)' and d.fix_url == "/a/intro"


def test_a_positional_value_is_passed_as_the_rules_variable() -> None:
    app = make_app(("/", "home"), ("/a/<slug>", "article"))
    slug = "intro"
    d = run(app, lambda: url_for("article", slug))  # type: ignore[call-arg] # the mistake under test
    assert (d.kind, d.fix, d.fix_url) == ("values_not_keywords", 'url_for("article", slug=slug)', "/a/intro")
    pair = {"slug": "intro"}
    d = run(app, lambda: url_for("article", pair))  # type: ignore[call-arg,arg-type] # the mistake under test
    assert d.fix_url == "/a/intro"


# --- Weak name, strong structure ---------------------------------------------------------------


def shop_app() -> Flask:
    app = make_app(("/", "home"))
    shop = Blueprint("shop", __name__, url_prefix="/shop")
    shop.add_url_rule("/", "index", _view)
    shop.add_url_rule("/item/<int:item_id>", "item", _view)
    shop.add_url_rule("/item/<int:item_id>/reviews", "reviews", _view)
    shop.add_url_rule("/basket", "basket_add", _view, methods=["POST"])
    app.register_blueprint(shop)
    return app


def test_the_blueprint_right_and_the_leaf_only_says_a_page() -> None:
    d = run(shop_app(), lambda: url_for("shop.shop_page"))
    assert (top(d), d.fix_url) == ("shop.index", "/shop/")


def test_the_values_pick_the_view_whose_words_meet_the_name() -> None:
    app = make_app(("/", "home"), ("/p/<post_slug>", "show"), ("/tag/<int:tag_id>", "tag"))
    d = run(app, lambda: url_for("post", slug="hi"))
    assert (top(d), d.fix) == ("show", 'url_for("show", post_slug="hi")')


# --- Calibrated confidence: no junk, guesses marked --------------------------------------------


def test_hopeless_calls_get_no_suggestion() -> None:
    app = make_app(("/", "home"), ("/reset/<token>", "reset_password"), ("/tasks", "tasks"), ("/upload", "upload"))
    assert not run(app, lambda: url_for("reset_password_request")).suggestions  # a page that does not exist
    assert not run(app, lambda: url_for("task", id=3)).suggestions  # a list is not an item
    assert not run(app, lambda: url_for("uploaded", name="a.png")).suggestions


def test_a_blueprint_mirroring_another_does_not_borrow_its_page() -> None:
    app = make_app(("/", "home"))
    for name in ("team", "admin"):
        bp = Blueprint(name, __name__, url_prefix=f"/{name}")
        for leaf in ("list", "add", "edit"):
            bp.add_url_rule(f"/{leaf}", leaf, _view)
        if name == "admin":
            bp.add_url_rule("/add_ajax", "add_ajax", _view)
        app.register_blueprint(bp)
    assert not run(app, lambda: url_for("team.add_ajax"), "/team/list").suggestions


def test_a_guess_is_marked_and_never_the_fix() -> None:
    app = make_app(("/", "home"), ("/meal-plan", "meal_plan"), ("/diet", "diet"))
    d = run(app, lambda: url_for("meal_schedule"))
    assert top(d) == "meal_plan" and d.guess and d.suggestions[0].confidence is Confidence.GUESS
    assert d.fix is None and d.fix_url is None and not d.verified and "a guess" in d.explanation
    assert d.to_dict()["suggestions"][0]["confidence"] == "guess"
    sure = run(app, lambda: url_for("meal_pla"))
    assert sure.suggestions[0].evidence.name_similarity is not None and not sure.guess


# --- A fix usable as written ----------------------------------------------------------------------


def test_values_from_the_call_site() -> None:
    app = shop_app()
    found: list[Diagnosis] = []
    with app.test_request_context("/"):
        for item in [SimpleNamespace(id=7)]:  # a loop variable holds the value
            try:
                url_for("shop.item")
            except BuildError as error:
                found.append(diagnose(error, app))
            assert item.id == 7
        item_id = 9
        try:
            url_for("shop.reviews")
        except BuildError as error:
            found.append(diagnose(error, app))
    assert [d.fix for d in found] == [
        'url_for("shop.item", item_id=item.id)',
        'url_for("shop.reviews", item_id=item_id)',
    ]
    assert item_id and found[0].verified

    def in_request() -> object:
        return url_for("shop.reviews")

    d = run(app, in_request, "/shop/item/5")
    assert (
        d.fix == "url_for(\"shop.reviews\", item_id=request.view_args['item_id'])"
        and d.fix_url == "/shop/item/5/reviews"
    )
    assert request is not None  # the module's ``request`` is what the caller sees


def test_relative_names_stay_relative_inside_the_blueprint() -> None:
    d = run(shop_app(), lambda: url_for(".itme", item_id=2), "/shop/")
    assert d.fix == 'url_for(".item", item_id=2)' and d.fix_url == "/shop/item/2"


def test_new_values_go_in_the_rules_order_before_options() -> None:
    d = run(shop_app(), lambda: url_for("shop.reviews", page=2, _external=True))
    assert d.fix == 'url_for("shop.reviews", item_id=ITEM_ID, page=2, _external=True)'
    assert d.placeholders == ("ITEM_ID",) and not d.verified


def test_method_is_never_changed_to_one_a_link_cannot_use() -> None:
    app = shop_app()
    d = run(app, lambda: url_for("shop.basket_add", _method="GET"))
    assert d.kind == "method_not_allowed" and d.fix is None and "A link or a redirect can only GET" in d.explanation
    # Values the rule has no variable for: the call means a page this app does not have.
    assert not run(app, lambda: url_for("shop.basket_add", basket_id=3, _method="GET")).suggestions
    get_only = run(app, lambda: url_for("shop.index", _method="POST"))
    assert get_only.fix == 'url_for("shop.index", _method="GET")'


def test_scheme_is_never_kept_without_external() -> None:
    d = diagnose_call(shop_app(), "shop.item", {"item_id": 1}, scheme="https", external=False)
    assert d is not None and "_external=True" in (d.fix or "") and d.fix_url == "https://localhost/shop/item/1"


# --- The regression test that proves the fix ---------------------------------------------------------

BROKEN_APP = """
from flask import Flask, url_for


def create_app():
    app = Flask(__name__)

    @app.route("/people/<int:person_id>")
    def person(person_id):
        return "person"

    @app.route("/team")
    def team():
        return url_for("people", person_id=3)

    return app
"""


def _pytest(folder: Path, test: str) -> int:
    (folder / "test_generated.py").write_text(test)
    for cache in folder.glob("__pycache__/*.pyc"):  # a fix of the same size within a second looks unchanged
        cache.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(folder), "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    return result.returncode


def test_the_generated_regression_test_fails_before_the_fix_and_passes_after(tmp_path: Path) -> None:
    module = tmp_path / "teamapp.py"
    module.write_text(textwrap.dedent(BROKEN_APP))
    sys.path.insert(0, str(tmp_path))
    try:
        import teamapp  # type: ignore[import-not-found] # written just above

        app = teamapp.create_app()
        app.testing = True
        found: list[Diagnosis] = []
        app.url_build_error_handlers.append(lambda error, endpoint, values: found.append(diagnose(error, app)))
        with pytest.raises(BuildError):
            app.test_client().get("/team")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("teamapp", None)
    d = found[0]
    assert d.fix == 'url_for("person", person_id=3)' and d.regression_test is not None
    assert "from teamapp import create_app" in d.regression_test
    assert "client().get('/team')" in d.regression_test
    assert _pytest(tmp_path, d.regression_test) == 1  # before the fix: the page fails
    assert d.fixed_line is not None and d.call is not None and d.call.source is not None
    module.write_text(module.read_text().replace(d.call.source, d.fixed_line))
    assert _pytest(tmp_path, d.regression_test) == 0  # after the fix: it passes


def test_without_a_known_factory_the_fixture_says_what_to_fill_in() -> None:
    d = run(shop_app(), lambda: url_for("item", item_id=1))
    assert d.regression_test is not None and "YOUR_APP_FACTORY()" in d.regression_test
    assert "url_for('shop.item', item_id=1) == '/shop/item/1'" in d.regression_test
    guess = run(make_app(("/", "home"), ("/meal-plan", "meal_plan")), lambda: url_for("meal_schedule"))
    assert guess.regression_test is None
