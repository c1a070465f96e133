"""The search core: ranking, typo tolerance, path matching order, filters, pagination, speed."""

from __future__ import annotations

import time
import typing as t

import pytest
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from flask_route_explorer import get_inventory
from flask_route_explorer.rendering import display_path
from flask_route_explorer.search import APP_LEVEL, group_hits, search, summarize


@pytest.fixture
def app(make_app: t.Callable[..., Flask]) -> Flask:
    app = make_app(tool_rule=True)
    app.add_url_rule("/", "index", lambda: "")
    app.add_url_rule("/old-users/<int:user_id>", "old_user_profile", redirect_to="/users/<user_id>")
    app.add_url_rule("/profiles", "profile_list", lambda: "")
    users = Blueprint("users", __name__, url_prefix="/users")

    @users.route("/")
    def user_list() -> str:
        return ""

    @users.route("/<int:user_id>")
    def user_profile(user_id: int) -> str:
        return ""

    @users.route("/<int:user_id>", methods=["POST"], endpoint="update")
    def update_user(user_id: int) -> str:
        return ""

    @users.route("/new")
    def new() -> str:
        return ""

    @users.route("/<path:anything>")
    def catch_all(anything: str) -> str:
        return ""

    admin = Blueprint("admin", __name__, url_prefix="/admin")
    reports = Blueprint("reports", __name__, url_prefix="/reports")

    @reports.route("/")
    def report_index() -> str:
        return ""

    @admin.route("/users")
    def admin_users() -> str:
        return ""

    admin.register_blueprint(reports)
    app.register_blueprint(users)
    app.register_blueprint(admin)
    app.url_map.add(Rule("/raw", endpoint="raw"))
    return app


def endpoints(app: Flask, query: str = "", **kwargs: t.Any) -> list[str]:
    return [hit.route.endpoint for hit in search(get_inventory(app), query, per_page=None, **kwargs).hits]


def test_no_query_lists_app_rules_first_then_blueprints_in_order(app: Flask) -> None:
    found = endpoints(app)
    assert found[:5] == ["static", "index", "old_user_profile", "profile_list", "raw"]
    assert found.index("users.user_list") < found.index("admin.admin_users") < found.index("admin.reports.report_index")
    assert not any(e.startswith("_debug_toolbar.") for e in found)


def test_internal_rules_only_on_request(app: Flask) -> None:
    result = search(get_inventory(app), "", per_page=None)
    with_internal = search(get_inventory(app), "", per_page=None, include_internal=True)
    assert result.hidden > 0
    assert with_internal.total == result.total + result.hidden
    assert any(h.route.endpoint == "_debug_toolbar.static" for h in with_internal.hits)


def test_substring_outranks_fuzzy_and_closest_endpoint_first(app: Flask) -> None:
    found = endpoints(app, "profile")
    assert found[:3] == ["profile_list", "users.user_profile", "old_user_profile"]  # prefix, then shortest
    hits = search(get_inventory(app), "profile", per_page=None).hits
    assert all(hit.score >= 100 for hit in hits[:3])


def test_typos_still_find_the_route(app: Flask) -> None:
    assert set(endpoints(app, "profle")[:3]) == {"profile_list", "users.user_profile", "old_user_profile"}
    assert "users.user_profile" in endpoints(app, "usr profle")
    assert "admin.reports.report_index" in endpoints(app, "reprots")
    hits = search(get_inventory(app), "profle", per_page=None).hits
    assert all(hit.score < 100 for hit in hits)


def test_search_covers_rule_view_name_and_blueprint(app: Flask) -> None:
    assert endpoints(app, "old-users") == ["old_user_profile"]
    assert "users.update" in endpoints(app, "update_user")  # the view function's name, not the endpoint
    assert set(endpoints(app, "reports")) >= {"admin.reports.report_index"}


def test_nothing_found_for_nonsense(app: Flask) -> None:
    result = search(get_inventory(app), "qqqqzzzz")
    assert result.count == 0 and result.hits == () and result.pages == 1


def test_path_query_lists_handling_rules_first(app: Flask) -> None:
    result = search(get_inventory(app), "/users/7", per_page=None)
    assert result.is_path
    matched = [h.route.endpoint for h in result.hits if h.matched_path]
    # GET goes to the profile, POST to update: both handle the path; the catch-all does not win.
    assert matched == ["users.user_profile", "users.update"]
    assert all(h.matched_path for h in result.hits[: len(matched)])
    assert "users.catch_all" not in matched


def test_path_query_uses_werkzeug_priority(app: Flask) -> None:
    # A static segment beats the <path:> catch-all; Werkzeug decides, not string similarity.
    result = search(get_inventory(app), "/users/new", per_page=None)
    assert [h.route.endpoint for h in result.hits if h.matched_path] == ["users.new"]
    other = search(get_inventory(app), "/users/some/deep/thing", per_page=None)
    assert [h.route.endpoint for h in other.hits if h.matched_path] == ["users.catch_all"]


def test_path_query_then_rules_containing_the_text(app: Flask) -> None:
    hits = search(get_inventory(app), "/users", per_page=None).hits
    matched = [h.route.endpoint for h in hits if h.matched_path]
    assert matched == ["users.user_list"]  # /users redirects to /users/, which it handles
    rest = [h.route.endpoint for h in hits if not h.matched_path]
    assert "admin.admin_users" in rest and "old_user_profile" not in rest


def test_path_matching_raw_rule_without_methods(app: Flask) -> None:
    hits = search(get_inventory(app), "/raw", per_page=None).hits
    assert hits[0].route.endpoint == "raw" and hits[0].matched_path


def test_unmatched_path_only_contains(app: Flask) -> None:
    result = search(get_inventory(app), "/admin/nothing-here", per_page=None)
    assert result.path_matches == 0


def test_filters(app: Flask) -> None:
    assert endpoints(app, methods=["post"]) == ["raw", "users.update"]
    assert endpoints(app, blueprint="admin") == ["admin.admin_users", "admin.reports.report_index"]
    assert endpoints(app, blueprint="admin.reports") == ["admin.reports.report_index"]
    assert "users.user_list" not in endpoints(app, blueprint=APP_LEVEL)
    assert "index" in endpoints(app, blueprint=APP_LEVEL)
    assert endpoints(app, "user", methods=["POST"], blueprint="users") == ["users.update"]


def test_pagination_is_bounded_and_clamped(app: Flask) -> None:
    inventory = get_inventory(app)
    first = search(inventory, "", per_page=3)
    assert len(first.hits) == 3 and first.pages == -(-first.count // 3)
    last = search(inventory, "", per_page=3, page=999)
    assert last.page == first.pages
    assert search(inventory, "", per_page=3, page=-4).page == 1
    seen = [h.route.index for p in range(1, first.pages + 1) for h in search(inventory, "", per_page=3, page=p).hits]
    assert len(seen) == len(set(seen)) == first.count


def test_groups_follow_blueprints(app: Flask) -> None:
    inventory = get_inventory(app)
    groups = group_hits(search(inventory, "", per_page=None), inventory.blueprints)
    assert [g.blueprint for g in groups] == [None, "users", "admin", "admin.reports"]
    assert [g.depth for g in groups] == [0, 0, 0, 1]
    path_groups = group_hits(search(inventory, "/users/7", per_page=None), inventory.blueprints)
    assert path_groups[0].matches and {h.route.endpoint for h in path_groups[0].hits} == {
        "users.user_profile",
        "users.update",
    }


def test_summary_counts(app: Flask) -> None:
    summary = summarize(get_inventory(app))
    assert summary.blueprints == 3  # users, admin, admin.reports; the explorer's own is not counted
    assert summary.hidden > 0
    assert dict(summary.blueprint_counts)["users"] == 5


def test_display_path(tmp_path: t.Any) -> None:
    root = str(tmp_path / "app")
    assert display_path(str(tmp_path / "app" / "views.py"), root) == "views.py"
    assert display_path(str(tmp_path / "tests" / "t.py"), root) == "tests/t.py"
    assert display_path("/x/lib/python3/site-packages/flask/app.py", root) == "flask/app.py"
    assert display_path(None, root) is None


@settings(max_examples=60, deadline=None)
@given(query=st.text(max_size=30))
def test_any_query_is_safe(query: str) -> None:
    app = Flask("fuzz")
    app.add_url_rule("/a/<int:x>", "a", lambda x: "")
    app.add_url_rule("/b", "b.c", lambda: "")
    result = search(get_inventory(app), query, per_page=None)
    assert result.count == len(result.hits) <= result.total


def test_search_at_10000_rules_is_fast() -> None:
    from bench.synthetic import make_app as synthetic_app

    app = synthetic_app(3000, 200)  # 10,000 rules take ~6 s to build; the bench measures that size
    inventory = get_inventory(app)
    search(inventory, "warm up")
    for query in ("order", "ordr edt", "/orders/7", ""):
        start = time.perf_counter()
        search(inventory, query)
        assert time.perf_counter() - start < 0.05, query


def test_pages_of_a_ranked_search_are_slices_of_the_full_ranking() -> None:
    """Only the hits up to the asked page are put in order: the pages must still be the full order's slices."""
    from bench.synthetic import make_app as synthetic_app

    inventory = get_inventory(synthetic_app(600, 40))
    for query in ("a", "invoice", "ordr edt", "order edit", "get", "zzzz"):
        full = search(inventory, query, per_page=None)
        ranking = [(h.route.endpoint, h.route.rule, h.score) for h in full.hits]
        assert full.count == len(ranking)
        assert [h.score for h in full.hits] == sorted((h.score for h in full.hits), reverse=True)
        paged: list[tuple[str, str, float]] = []
        for page in range(1, search(inventory, query, per_page=25).pages + 1):
            result = search(inventory, query, per_page=25, page=page)
            assert result.count == full.count
            paged += [(h.route.endpoint, h.route.rule, h.score) for h in result.hits]
        assert paged == ranking, query
