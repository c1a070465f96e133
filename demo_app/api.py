"""The ``api`` blueprint: a MethodView whose class name (``UserAPI``) differs from its endpoint (``api.users``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.views import MethodView
from werkzeug.wrappers import Response

from .models import USERS, User, get_user

bp = Blueprint("api", __name__, url_prefix="/api")


def _as_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "email": user.email}


class UserAPI(MethodView):
    """Users as JSON: list and create at /api/users, read, replace and delete at /api/users/<id>."""

    def get(self, user_id: int | None = None) -> Response:
        if user_id is None:
            return jsonify([_as_json(user) for user in USERS.values()])
        user = get_user(user_id) or abort(404)
        return jsonify(_as_json(user))

    def post(self) -> tuple[Response, int]:
        data = request.get_json(silent=True) or {}
        return jsonify({"created": data.get("name", "anonymous")}), 201

    def put(self, user_id: int) -> Response:
        user = get_user(user_id) or abort(404)
        return jsonify({"updated": user.id})

    def delete(self, user_id: int) -> tuple[str, int]:
        get_user(user_id) or abort(404)
        return "", 204


user_view = UserAPI.as_view("users")
bp.add_url_rule("/users", view_func=user_view, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>", view_func=user_view, methods=["GET", "PUT", "DELETE"])
