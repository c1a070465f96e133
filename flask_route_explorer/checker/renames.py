"""``check --rename OLD=NEW``: the text a call to a renamed endpoint gets (RE013, written by ``--fix``).

``flask route-explorer diff`` recognises an endpoint renamed while its rule stayed; the calls that
still use the old name are then rewritten by ``--fix`` with the same safety as any other fix.
"""

from __future__ import annotations

import typing as t

from ..endpoints import resolve_endpoint


def renamed_endpoint(endpoint: str, blueprints: t.Sequence[str | None], renames: t.Mapping[str, str]) -> str | None:
    """The text to write for a call whose endpoint ``renames`` renames in each of its blueprints.

    An absolute name becomes the new name. A relative one stays relative when the new name is in
    the same blueprint (``'.profile'`` -> ``'.user_profile'``), else it becomes the absolute new
    name; it is renamed only when every blueprint it resolves in gives the same new name.
    """
    if not renames:
        return None
    new_names = {renames.get(resolve_endpoint(endpoint, blueprint)) for blueprint in blueprints}
    if len(new_names) != 1 or None in new_names:
        return None
    new = t.cast(str, new_names.pop())
    if not endpoint.startswith("."):
        return new
    prefixes = {f"{blueprint}." for blueprint in blueprints if blueprint}
    if len(prefixes) == len(blueprints) == 1:
        prefix = prefixes.pop()
        if new.startswith(prefix) and "." not in new[len(prefix) :]:
            return "." + new[len(prefix) :]
    return new
