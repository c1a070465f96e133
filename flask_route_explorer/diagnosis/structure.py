"""Candidates found by what the app's rules look like, when the name's spelling matches nothing.

Real calls often name the page some other way than its endpoint: by its URL or a piece of it
(``'pricing'``, ``'feed.xml'``, ``'about.html'``), by a convention (``'index'`` for ``/``,
``'login'`` for the login view), by a static file's path (``'css/main.css'``), by a class view's
method (``'orders.post'``), or with the right blueprint and a wrong leaf, where the blueprint's
own views are told apart by the values the call passes and the words of the name.
"""

from __future__ import annotations

import bisect
import itertools
import typing as t

from .. import _compat
from .evidence import Candidate, Relation, arguments_fit, relation
from .index import PAGE_EXTENSIONS, Index, Shapes, normalise, prefix, short, static_parts, words
from .model import Cause, Confidence, Evidence

if t.TYPE_CHECKING:
    from flask import Flask

    from ..inventory import Route

#: Names people give the site's (or a blueprint's) main page.
HOME_NAMES = frozenset({"index", "home", "main", "root", "homepage", "start", "welcome", "default", "landing"})
#: Names people give the login page.
LOGIN_NAMES = frozenset({"login", "signin", "logon", "loginpage", "signinpage"})
#: A class view's attributes written after its name or endpoint (``orders.post``, ``UserAPI.as_view``).
HANDLER_NAMES = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
CLASS_ATTRIBUTES = frozenset({"as_view", "dispatch_request", "view"})
#: Words that say "a page" and nothing about which one.
FILLER_WORDS = frozenset({"page", "view", "index", "main", "home", "default", "root", "url", "route", "handler"})
#: File extensions of static files (``url_for('css/main.css')``).
STATIC_EXTENSIONS = frozenset(
    {"css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "woff", "woff2", "ttf", "eot", "txt"}
)


def url_pieces(index: Index, text: str) -> list[Candidate]:
    """The call named a page by its URL or a piece of it: ``'pricing'``, ``'/about'``, ``'about.html'``,
    ``'feed.xml'``. A whole static path first, else the last static segment of a rule."""
    key = text.strip().strip("/").lower()
    if not key or "<" in key:
        return []
    keys = [key] + [key[: -len(e)] for e in PAGE_EXTENSIONS if key.endswith(e) and len(key) > len(e)]
    shapes = index.shapes
    for piece in keys:
        targets = list(dict.fromkeys(shapes.by_path.get(piece, ())))
        if targets:
            return _pieces(targets, text, 0.94)
    for piece in keys:
        targets = [
            e
            for e in dict.fromkeys(shapes.by_piece.get(piece, ()))
            if any(static_parts(r.rule.lower())[-1:] == [piece] for r in index.inventory.routes_for(e))
        ]
        if targets:
            return _pieces(targets, text, 0.9)
    return []


def _pieces(targets: list[str], text: str, score: float) -> list[Candidate]:
    only = len(targets) == 1
    confidence = Confidence.LIKELY if only else Confidence.GUESS
    return [
        Candidate(
            e,
            score if only else score - 0.15,
            Cause.URL_PIECE,
            "url_not_endpoint",
            written=text,
            confidence=confidence,
            evidence=Evidence(only_of_shape=only),
        )
        for e in targets
        if short(e) != "static"
    ]


def static_file(index: Index, text: str, values: t.Mapping[str, t.Any]) -> list[Candidate]:
    """A static file's path written as the endpoint: ``static`` (or a blueprint's ``x.static``) with
    ``filename``; a folder written as the endpoint is put before the ``filename`` the call passed."""
    statics = index.shapes.statics
    path = text.strip().lstrip("/")
    if not statics or not path or (path.rpartition(".")[2].lower() not in STATIC_EXTENSIONS and "/" not in path):
        return []
    endpoint, rest = "static", path
    for candidate, url_path in sorted(statics.items(), key=lambda item: -len(item[1])):
        head = url_path.strip("/")
        if path == head or path.startswith(head + "/"):
            endpoint, rest = candidate, path[len(head) :].strip("/")
            break
    else:
        if path.partition("/")[0] == "static":
            rest = path.partition("/")[2]
        elif path.rpartition(".")[2].lower() not in STATIC_EXTENSIONS:
            return []
    given = values.get("filename")
    if isinstance(given, str) and given:
        rest = f"{rest}/{given.lstrip('/')}" if rest else given
    if endpoint not in statics or not rest:
        return []
    return [
        Candidate(
            endpoint,
            0.97,
            Cause.STATIC_FILE,
            "url_not_endpoint",
            values={"filename": rest},
            written=text,
            confidence=Confidence.SURE,
        )
    ]


def conventional(app: Flask, index: Index, endpoint: str) -> list[Candidate]:
    """``index``/``home``/``main`` for the page at ``/`` (a blueprint's main page after its name);
    ``login`` for Flask-Login's ``login_view``, else for the one login page."""
    leaf, blueprint = normalise(short(endpoint)), prefix(endpoint)
    targets: list[str] = []
    if leaf in HOME_NAMES:
        shapes = index.shapes
        targets = shapes.blueprint_roots.get(blueprint, []) if blueprint else shapes.roots
    elif leaf in LOGIN_NAMES:
        login_view = _compat.login_view(app)
        if login_view is not None and login_view in index.inventory.by_endpoint:
            targets = [login_view]
        else:
            targets = [e for e in index.endpoints if normalise(short(e)) in LOGIN_NAMES or _login_path(index, e)]
    targets = [t for t in targets if t != endpoint]
    if len(targets) != 1:
        return []
    return [
        Candidate(
            targets[0],
            0.955,
            Cause.CONVENTIONAL_NAME,
            "unknown_endpoint",
            written=short(endpoint),
            evidence=Evidence(only_of_shape=True),
        )
    ]


def _login_path(index: Index, endpoint: str) -> bool:
    return any(
        normalise(p) in LOGIN_NAMES for r in index.inventory.routes_for(endpoint) for p in static_parts(r.rule)[-1:]
    )


def class_views(index: Index, endpoint: str, values: t.Collection[str], method: str | None) -> list[Candidate]:
    """A class view's method or attribute for its endpoint: ``orders.post``, ``UserAPI.as_view``,
    ``TestView.add``. Among a blueprint's class views, the arguments and methods decide."""
    leaf, owner = short(endpoint), prefix(endpoint)
    if not owner:
        return []
    if leaf in CLASS_ATTRIBUTES:
        named = index.by_view_name.get(short(owner), [])
        return [
            Candidate(e, 0.95, Cause.VIEW_NAME, "view_name_not_endpoint", name=short(owner), name_kind="class")
            for e, _, kind in named
            if kind == "class"
        ]
    if leaf.lower() not in HANDLER_NAMES:
        return []
    shapes = index.shapes
    classes = {e for e, _, kind in index.by_view_name.get(short(owner), []) if kind == "class"}
    pool = classes or set(index.by_blueprint.get(owner, ()))
    handling = [e for e in sorted(pool) if leaf.lower() in shapes.handlers.get(e, ())]
    ranked = _by_shape(index, handling, values, method, read_only=leaf.lower() == "get")
    return [
        Candidate(
            e,
            0.89 if position == 0 else 0.75,
            Cause.CLASS_METHOD,
            "view_name_not_endpoint",
            name=leaf,
            name_kind="method",
            confidence=confidence if position == 0 else Confidence.GUESS,
            evidence=Evidence(only_of_shape=confidence is Confidence.LIKELY and position == 0),
        )
        for position, (e, confidence) in enumerate(ranked)
    ]


def _by_shape(
    index: Index, pool: t.Sequence[str], values: t.Collection[str], method: str | None, *, read_only: bool
) -> list[tuple[str, Confidence]]:
    """Endpoints whose arguments fit the call, best shape first: the one that only reads (GET)
    without arguments when asked for, then the shortest rule. The top is ``LIKELY`` when it alone
    has the best shape, else a ``GUESS``."""
    fitting = [e for e in pool if arguments_fit(index.inventory.routes_for(e), values, method) is not False]

    def shape(endpoint: str) -> tuple[int, int]:
        routes = index.inventory.routes_for(endpoint)
        only_reads = all(set(r.visible_methods or ("GET",)) <= {"GET"} for r in routes)
        return (0 if only_reads == read_only else 1, min(len(static_parts(r.rule)) for r in routes))

    ranked = sorted(fitting, key=shape)
    if not ranked:
        return []
    alone = len(ranked) == 1 or shape(ranked[0]) != shape(ranked[1])
    top = Confidence.LIKELY if alone else Confidence.GUESS
    return [(e, top if i == 0 else Confidence.GUESS) for i, e in enumerate(ranked)]


def by_structure(
    index: Index, endpoint: str, values: t.Collection[str], method: str | None, blueprint: str | None
) -> list[Candidate]:
    """No name matches: the call's structure does. With the blueprint right and the leaf only
    "the page" (``admin.admin_page``), the blueprint's main page; with values, the one endpoint
    they fit whose words meet the name's; else the one endpoint whose name holds most of the
    name's words (a guess)."""
    leaf, owner = short(endpoint), prefix(endpoint)
    shapes = index.shapes
    in_blueprint = owner in index.by_blueprint and bool(owner)
    # The words that say which page: not "page" or "view", not the blueprint's name when it is one.
    written = (*words(leaf), *(() if in_blueprint else words(owner)))
    own = set(words(owner)) if in_blueprint else set()
    meaningful = list(dict.fromkeys(w for w in written if w not in FILLER_WORDS and w not in own))
    if in_blueprint and not meaningful and not values:
        roots = shapes.blueprint_roots.get(owner, [])
        if len(roots) == 1 and roots[0] != endpoint:
            return [_structural(roots[0], 0.88, Confidence.LIKELY)]
        return []
    if not meaningful:
        return []
    name_words = set(meaningful)
    pool = set(index.by_blueprint.get(owner, ())) if in_blueprint else _sharing(index, name_words | set(values))
    pool -= {endpoint, *index.by_short.get("static", ())}
    # Thousands of endpoints can share a word with the name or the call's values (``list``, ``id``):
    # the name's words are looked up once, an endpoint with none of them is passed over by one set
    # test, and the slower tests run on the best-ranked endpoints only, until the answer is known.
    alike_words = {word: alike(shapes, word) for word in name_words}
    any_alike = frozenset().union(*alike_words.values())
    ranked: dict[tuple[int, int, bool], list[str]] = {}
    for target in pool:
        named, ruled = shapes.named_words[target], shapes.rule_words[target]
        if any_alike.isdisjoint(named) and any_alike.isdisjoint(ruled):
            continue
        exact, started, in_rule = _overlap(alike_words, named, ruled)
        if not values and 2 * (exact + started) < max(1, len(meaningful)):
            continue
        ranked.setdefault((2 * exact + started, in_rule, prefix(target) == blueprint), []).append(target)

    def fitting(target: str) -> bool:
        if not values and relation(leaf, short(target)) is Relation.EXTRA_WORD:
            return False
        fits = arguments_fit(index.inventory.routes_for(target), values, method)
        return fits is not False and (not values or fits is True)

    # The best rank with an endpoint that fits decides: its one endpoint, or nothing when two tie.
    for rank in sorted(ranked, reverse=True):
        best = list(itertools.islice(filter(fitting, sorted(ranked[rank], reverse=True)), 2))
        if best:
            confidence = Confidence.LIKELY if values else Confidence.GUESS
            return [_structural(best[0], 0.87 if values else 0.7, confidence)] if len(best) == 1 else []
    return []


def _structural(target: str, score: float, confidence: Confidence) -> Candidate:
    return Candidate(
        target,
        score,
        Cause.STRUCTURE,
        "unknown_endpoint",
        confidence=confidence,
        evidence=Evidence(only_of_shape=True),
    )


def _sharing(index: Index, wanted: t.Collection[str]) -> set[str]:
    """Endpoints with a word of ``wanted`` (or a word that begins with one, ``postname`` for ``post``)."""
    shapes = index.shapes
    found: set[str] = set()
    for word in wanted:
        for known in alike(shapes, word):
            found |= shapes.by_word.get(known, set())
    return found


def alike(shapes: Shapes, word: str) -> frozenset[str]:
    """The words of the app that count as ``word``: itself, or one that begins the other when the
    shorter has at least 4 letters (``post`` and ``postname``, ``order`` and ``order_id``).

    Found in the sorted vocabulary (the words that begin ``word``, the words ``word`` begins)
    rather than by comparing ``word`` with each of the app's words.
    """
    vocabulary = shapes.vocabulary
    found = {word[:size] for size in range(4, len(word)) if _known(vocabulary, word[:size])}
    if _known(vocabulary, word):
        found.add(word)
    if len(word) >= 4:
        position = bisect.bisect_left(vocabulary, word)
        while position < len(vocabulary) and vocabulary[position].startswith(word):
            found.add(vocabulary[position])
            position += 1
    return frozenset(found)


def _known(vocabulary: t.Sequence[str], word: str) -> bool:
    position = bisect.bisect_left(vocabulary, word)
    return position < len(vocabulary) and vocabulary[position] == word


def _overlap(
    alike_words: t.Mapping[str, frozenset[str]], named: frozenset[str], ruled: frozenset[str]
) -> tuple[int, int, int]:
    """How many words of the name (each with the words :func:`alike` it) the endpoint holds:
    ``(exactly in its names, as the start of a word of its names (``post`` in ``postname``), only in its rule)``."""
    exact = started = in_rule = 0
    for word, found in alike_words.items():
        if word in named:
            exact += 1
        elif not found.isdisjoint(named):
            started += 1
        elif not found.isdisjoint(ruled):
            in_rule += 1
    return exact, started, in_rule


def without_values(index: Index, endpoint: str, route: Route) -> Candidate | None:
    """The named endpoint needs values the call lacks, and a sibling serves the same page without
    them: its rule is the named rule cut before its first variable, and its name extends the
    named one (``page_dashboard_default`` at ``/dashboard`` beside ``page_dashboard`` at
    ``/dashboard/<dashboard_id>``)."""
    parent = route.rule.partition("<")[0].rstrip("/") or "/"
    for sibling in index.by_blueprint.get(prefix(endpoint), ()):
        if not short(sibling).startswith(short(endpoint) + "_"):
            continue
        for candidate in index.inventory.routes_for(sibling):
            if not candidate.required_arguments and candidate.rule.rstrip("/") == parent.rstrip("/"):
                return Candidate(
                    sibling,
                    0.9,
                    Cause.WITHOUT_VALUES,
                    "missing_parameters",
                    confidence=Confidence.LIKELY,
                    evidence=Evidence(only_of_shape=True, same_blueprint=True),
                )
    return None
