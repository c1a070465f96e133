"""The ``users`` blueprint: list, profile, settings and a POST-only follow form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from .auth import current_user, login_required
from .models import USERS, get_user

bp = Blueprint("users", __name__, url_prefix="/users")

GREETINGS = {"en": "Hello", "fr": "Bonjour", "fi": "Hei", "de": "Hallo"}


@bp.route("/")
def user_list() -> str:
    """Every user."""
    return render_template("users/list.html", users=list(USERS.values()))


@bp.route("/<int:user_id>")
def user_profile(user_id: int) -> str:
    """A user's public profile."""
    user = get_user(user_id) or abort(404)
    return render_template("users/profile.html", user=user)


@bp.route("/<int:user_id>/bio/<string(length=2):lang>")
def user_bio(user_id: int, lang: str) -> str:
    """A user's biography in one language."""
    user = get_user(user_id) or abort(404)
    greeting = GREETINGS.get(lang, GREETINGS["en"])
    return render_template("users/bio.html", user=user, lang=lang, greeting=greeting)


@bp.route("/<int(min=1):user_id>/settings")
@login_required
def settings(user_id: int) -> str:
    """Account settings (login required)."""
    user = get_user(user_id) or abort(404)
    return render_template("users/settings.html", user=user, me=current_user())


@bp.route("/<int(min=1):user_id>/follow", methods=["POST"])
@login_required
def follow(user_id: int) -> Response:
    """Follow a user (POST only)."""
    user = get_user(user_id) or abort(404)
    flash(f"You now follow {user.name}.")
    return redirect(url_for(".user_profile", user_id=user.id))
