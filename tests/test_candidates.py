"""Candidate ranking: causes before spelling, no junk guesses, fast lookups."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask.views import MethodView

from flask_route_explorer.diagnosis.candidates import (
    LIMIT,
    find_candidates,
    get_index,
    process_blueprints,
    unregistered_blueprint,
)
from flask_route_explorer.diagnosis.sentences import reason_text
from flask_route_explorer.dispatch import endpoint_for_path
from flask_route_explorer.inventory import get_inventory

shop_bp = Blueprint("shop", __name__, url_prefix="/shop")
blog_bp = Blueprint("blog", __name__, url_prefix="/blog")
comments_bp = Blueprint("comments", __name__, url_prefix="/comments")
orphan_bp = Blueprint("newsletter", __name__)  # never registered


@shop_bp.route("/item/<int:item_id>")
def edit(item_id: int) -> str:
    return ""


@blog_bp.route("/post/<int:post_id>/edit")
def edit_post(post_id: int) -> str:
    return ""


@comments_bp.route("/<int:comment_id>")
def comment_detail(comment_id: int) -> str:
    return ""


@comments_bp.route("/<int:comment_id>/edit", endpoint="edit")
def edit_comment(comment_id: int) -> str:
    return ""


class ArticleAPI(MethodView):
    def get(self) -> str:
        return ""


blog_bp.add_url_rule("/api/articles", view_func=ArticleAPI.as_view("articles"))
blog_bp.register_blueprint(comments_bp)


@pytest.fixture(scope="module")
def app() -> Flask:
    app = Flask("candidates_app")

    @app.route("/")
    def index() -> str:
        return ""

    @app.route("/about", endpoint="about_page")
    def about() -> str:
        return ""

    app.register_blueprint(shop_bp)
    app.register_blueprint(blog_bp)
    return app


def endpoints(app: Flask, endpoint: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(c.endpoint, c.kind) for c in find_candidates(app, endpoint, **kwargs)]  # type: ignore[arg-type]


def test_missing_and_nested_prefix(app: Flask) -> None:
    assert endpoints(app, "edit_post")[0] == ("blog.edit_post", "missing_blueprint_prefix")
    assert endpoints(app, "comments.comment_detail")[0] == ("blog.comments.comment_detail", "missing_blueprint_prefix")


def test_wrong_prefix_and_blueprint_variable(app: Flask) -> None:
    assert endpoints(app, "blogs.edit_post")[0] == ("blog.edit_post", "wrong_blueprint_prefix")
    top = find_candidates(app, "blog_bp.edit_post")[0]
    assert (top.endpoint, top.kind) == ("blog.edit_post", "wrong_blueprint_prefix")
    assert "'blog_bp' is the variable" in reason_text(top)


def test_view_names(app: Flask) -> None:
    assert endpoints(app, "ArticleAPI")[0] == ("blog.articles", "view_name_not_endpoint")
    assert endpoints(app, "about")[0] == ("about_page", "view_name_not_endpoint")


def test_relative_name_found_elsewhere(app: Flask) -> None:
    top = find_candidates(app, "shop.edit_post", written=".edit_post")[0]
    assert (top.endpoint, top.kind) == ("blog.edit_post", "relative_endpoint")


def test_arguments_break_ties_between_same_names(app: Flask) -> None:
    assert endpoints(app, "edit", values=["comment_id"])[0][0] == "blog.comments.edit"
    assert endpoints(app, "edit", values=["item_id"])[0][0] == "shop.edit"


def test_typos_and_no_junk(app: Flask) -> None:
    top = find_candidates(app, "blog.edit_psot")[0]
    assert top.endpoint == "blog.edit_post" and reason_text(top).startswith("typo (")
    for junk in ("qqqq", "xyzzy", "lorem.ipsum", "zz"):
        assert find_candidates(app, junk) == []


def test_scores_and_limit(app: Flask) -> None:
    for name in ("edit", "blog.edit", "comment", "shop.item"):
        found = find_candidates(app, name)
        assert len(found) <= LIMIT
        assert all(0 <= c.score <= 1 for c in found)
        assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_url_path(app: Flask) -> None:
    top = find_candidates(app, "/blog/post/3/edit")[0]
    assert (top.endpoint, top.kind, dict(top.values or {})) == ("blog.edit_post", "url_not_endpoint", {"post_id": 3})
    assert endpoint_for_path(app, "http://example.com/shop/item/9?x=1", None) == ("shop.edit", {"item_id": 9})
    assert endpoint_for_path(app, "/nowhere", None) is None


def test_unregistered_blueprint(app: Flask) -> None:
    found = unregistered_blueprint(app, "newsletter.subscribe")
    assert found is not None and found.variable == "orphan_bp"
    assert unregistered_blueprint(app, "blog.anything") is None
    assert any(p.variable == "orphan_bp" for p in process_blueprints())


def test_index_is_cached_per_inventory(app: Flask) -> None:
    assert get_index(app) is get_index(app, get_inventory(app))
