"""The values a failing call's site can see (its locals, its template context), read with care.

A fix fills a missing value from what the caller sees (``user.id`` for ``user_id``). Those are the
app's own objects, and reading them runs the app's code: a lazy ORM object whose session is closed
raises on every attribute read. A read that raises counts as absent, and is remembered
(:attr:`VisibleValues.failures`), so the diagnosis says which part it could not compute instead of
showing a thinner answer as whole. A proxy outside its context (``request`` once the request has
ended) and Jinja's ``Undefined`` are merely absent: no object of the app failed there.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.local import LocalProxy

#: What a read gives when the name or attribute is absent (or its read raised).
MISSING: t.Any = object()


def _unbound_proxy(obj: t.Any, error: Exception) -> bool:
    """A context-local proxy (``request``, ``current_user``) read outside its context: only absent."""
    return isinstance(error, RuntimeError) and isinstance(obj, LocalProxy)


def _usable(value: t.Any) -> bool:
    return value is not MISSING and value is not None and not callable(value)


@dataclass
class VisibleValues:
    """The names the caller sees, and the reads of them that raised (one phrase each)."""

    names: t.Mapping[str, t.Any]
    #: A template call writes ``post.slug`` for a mapping too (Jinja reads both ways).
    template: bool = False
    failures: list[str] = field(default_factory=list)
    #: Objects whose read raised: not read again (a detached ORM object fails on every attribute).
    _broken: set[int] = field(default_factory=set, repr=False)

    def _failed(self, what: str, error: Exception) -> None:
        phrase = f"reading {what} raised {type(error).__name__}: {error}"
        if phrase not in self.failures:
            self.failures.append(phrase)

    def lookup(self, key: str) -> t.Any:
        """A name the caller sees, or :data:`MISSING`."""
        from jinja2 import Undefined

        try:
            value = self.names[key]
            return MISSING if isinstance(value, Undefined) else value
        except LookupError:
            return MISSING
        except Exception as error:  # the app's mapping or object: any error is possible
            self._failed(key, error)
            return MISSING

    def attribute(self, obj: t.Any, attr: str, shown: str) -> t.Any:
        """``obj.attr`` (or ``obj[attr]`` for a mapping), or :data:`MISSING`; ``shown`` names ``obj``."""
        if id(obj) in self._broken:
            return MISSING
        try:
            value = obj[attr] if isinstance(obj, Mapping) else getattr(obj, attr)
        except (AttributeError, LookupError):
            return MISSING
        except Exception as error:  # a property of the app's object: any error is possible
            if not _unbound_proxy(obj, error):
                self._failed(f"{shown}.{attr}", error)
                self._broken.add(id(obj))
            return MISSING
        return value if _usable(value) else MISSING

    def view_args(self) -> dict[str, t.Any] | None:
        """``request.view_args`` as the caller sees it, for ``url_for(request.endpoint, **request.view_args)``."""
        request = self.lookup("request")
        if request is MISSING:
            return None
        try:
            view_args = request.view_args
        except Exception as error:
            if not _unbound_proxy(request, error):
                self._failed("request.view_args", error)
            return None
        return view_args if isinstance(view_args, dict) else None

    def value_for(self, name: str, target: str) -> tuple[str, t.Any] | None:
        """An expression the caller can see that holds a value for ``name`` (``user.id`` for ``user_id``)."""
        if not self.names:
            return None
        direct = self.lookup(name)
        if _usable(direct):
            return name, direct
        for base, attr in attribute_guesses(name, target):
            obj = self.lookup(base)
            if obj is MISSING or obj is None:
                continue
            value = self.attribute(obj, attr, base)
            if value is not MISSING:
                subscript = isinstance(obj, Mapping) and not self.template
                return (f"{base}[{attr!r}]" if subscript else f"{base}.{attr}"), value
        return self._suffixed(name) or self._matched(name)

    def _suffixed(self, name: str) -> tuple[str, t.Any] | None:
        """The one visible variable named ``..._<name>`` (``reset_password_token`` for ``token``)."""
        try:
            found = [key for key in self.names if isinstance(key, str) and key.endswith("_" + name)]
        except Exception as error:
            self._failed("the names at the call", error)
            return None
        usable = [(key, value) for key in found if _usable(value := self.lookup(key))]
        return usable[0] if len(usable) == 1 else None

    def _matched(self, name: str) -> tuple[str, t.Any] | None:
        """The value the current request was matched with (``request.view_args['id']``)."""
        view_args = self.view_args()
        if not view_args or name not in view_args or view_args[name] is None:
            return None
        return f"request.view_args[{name!r}]", view_args[name]


def attribute_guesses(name: str, target: str) -> list[tuple[str, str]]:
    """``(variable, attribute)`` pairs that may hold ``name``: ``user.id`` for ``user_id``, then an
    object named after a word of the endpoint holding ``name`` itself (``post.slug`` in ``blog.post``)."""
    guesses: list[tuple[str, str]] = []
    owner, _, attr = name.rpartition("_")
    if owner:
        guesses.append((owner, attr))
    short = target.rpartition(".")[2]
    blueprint = target.rpartition(".")[0].rpartition(".")[2]
    guesses += [(word, name) for word in (*short.split("_"), blueprint.removesuffix("s")) if word]
    # Flask-Login's current_user stands for "the user" (``current_user.username`` for ``username``).
    guesses += [("current_user", a) for base, a in list(guesses) if base == "user"]
    if name.startswith("user"):
        guesses.append(("current_user", name))
    return guesses
