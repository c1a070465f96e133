"""A toy ``login_required`` decorator (the demo is always logged in as Ada)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, redirect, url_for

from .models import CURRENT_USER_ID, User, get_user

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    if "user" not in g:
        g.user = get_user(CURRENT_USER_ID)
    return g.user


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped_view(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("index"))
        return view(*args, **kwargs)

    return wrapped_view  # type: ignore[return-value]
