"""App-level views: index, blog, the odd view shapes, and the two deliberate mistakes."""

from __future__ import annotations

import functools

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .auth import current_user
from .models import ORDER_ID, POSTS, get_post

POSTS_PER_PAGE = 5


def index() -> str:
    """The home page: links to every working page, the two broken ones and the explorer."""
    return render_template("index.html", user=current_user(), order_id=ORDER_ID, first_post=POSTS[0])


def dashboard() -> str:
    """Your dashboard. Deliberate mistake: templates/dashboard.html calls url_for('user_profile')."""
    return render_template("dashboard.html", user=current_user(), post_count=len(POSTS))


def broken_redirect() -> Response:
    """Deliberate mistake: redirects with the class name 'UserAPI' instead of the endpoint 'api.users'."""
    return redirect(url_for("UserAPI"))


def blog_index(page: int) -> str:
    """Posts, newest first; `/blog/` is page 1 through the rule's defaults."""
    pages = max(1, -(-len(POSTS) // POSTS_PER_PAGE))
    if page > pages:
        abort(404)
    start = (page - 1) * POSTS_PER_PAGE
    return render_template("blog/index.html", posts=POSTS[start : start + POSTS_PER_PAGE], page=page, pages=pages)


def blog_post(slug: str) -> str:
    """One post, addressed by its slug (a custom converter)."""
    post = get_post(slug) or abort(404)
    return render_template("blog/post.html", post=post)


def say_hello(lang: str) -> str:
    """A greeting in a two-letter language (endpoint 'greeting', function say_hello)."""
    greetings = {"en": "Hello", "fr": "Bonjour", "fi": "Hei", "de": "Hallo"}
    return render_template("page.html", title=greetings.get(lang, "Hello"), body=f"Greeting in '{lang}'.")


def render_static_page(template: str, title: str) -> str:
    """A plain page, bound with functools.partial for /about."""
    return render_template(template, title=title)


def subscribe() -> Response:
    """Subscribe to the newsletter (POST only)."""
    email = request.form.get("email", "").strip()
    flash(f"Subscribed {email}." if email else "Please give an e-mail address.")
    return redirect(url_for("index"))


def register(app: Flask) -> None:
    app.add_url_rule("/", view_func=index)
    app.add_url_rule("/dashboard", view_func=dashboard)
    app.add_url_rule("/broken-redirect", view_func=broken_redirect)
    app.add_url_rule("/blog/", view_func=blog_index, defaults={"page": 1})
    app.add_url_rule("/blog/page/<int:page>", view_func=blog_index)
    app.add_url_rule("/posts/<slug:slug>", view_func=blog_post)
    app.add_url_rule("/hello/<string(length=2):lang>", endpoint="greeting", view_func=say_hello)
    app.add_url_rule(
        "/about", endpoint="about", view_func=functools.partial(render_static_page, "about.html", title="About")
    )
    app.add_url_rule("/ping", endpoint="ping", view_func=lambda: {"status": "ok"})
    app.add_url_rule("/newsletter/subscribe", view_func=subscribe, methods=["POST"])
    app.add_url_rule("/old-users/<int:user_id>", endpoint="old_user_profile", redirect_to="/users/<user_id>")
