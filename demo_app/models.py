"""In-memory sample data for the demo app (no database needed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str = ""
    languages: tuple[str, ...] = field(default=("en",))


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    body: str


USERS: dict[int, User] = {
    7: User(7, "Ada", "ada@example.org", ("en", "fr")),
    8: User(8, "Grace", "grace@example.org", ("en",)),
    9: User(9, "Linus", "linus@example.org", ("fi", "en")),
}

CURRENT_USER_ID = 7

POSTS: list[Post] = [
    Post(f"release-notes-{n}", f"Release notes {n}", "Small fixes and a new route.") for n in range(1, 13)
]
POSTS.insert(0, Post("hello-flask", "Hello, Flask", "Routes, blueprints and converters."))

ORDER_ID = uuid.UUID("2f1c9c4e-8f3a-4c51-9d7e-0c8a4b1e6f10")
ORDERS: dict[uuid.UUID, dict[str, object]] = {
    ORDER_ID: {"customer": USERS[7], "total": 129.5, "items": 3},
}


def get_user(user_id: int) -> User | None:
    return USERS.get(user_id)


def get_post(slug: str) -> Post | None:
    return next((post for post in POSTS if post.slug == slug), None)
