"""Typo-tolerant search over the route inventory, and the order the explorer shows routes in.

One search serves the page, the JSON API and ``flask route-explorer list``. Text queries rank plain
substring hits above fuzzy (rapidfuzz) ones; a query that starts with ``/`` is a path, and the rules
that would really handle it (asked of Werkzeug's own matcher, never re-implemented) come first.
The search keys are computed once per :class:`~flask_route_explorer.inventory.Inventory` and cached
(the text keys on the first text query: the first page after a restart has none).
"""

from __future__ import annotations

import heapq
import json
import math
import re
import typing as t
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from werkzeug.routing import MapAdapter

from .dispatch import bound, rule_for_path
from .inventory import AUTOMATIC_METHODS, Inventory, Route, RuleColumns

#: Rows per page in the explorer: enough to scroll, few enough to render in a few milliseconds.
PER_PAGE = 100
#: The ``blueprint`` filter value that selects the rules registered on the app itself.
APP_LEVEL = "-"
#: Methods tried when looking for the rules that handle a path, in the order they are shown.
MATCH_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

_WORD_RE = re.compile(r"[a-z0-9]+")
#: Fuzzy scores live below this, substring scores above: a plain hit always outranks a typo match.
_SUBSTRING_BASE = 100.0


@dataclass(frozen=True, slots=True)
class Hit:
    """One route in a search result; ``matched_path`` marks a rule that handles the queried path."""

    route: Route
    score: float
    matched_path: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    """Consecutive hits of one blueprint (``None``: the app's own rules), for the grouped page."""

    blueprint: str | None
    hits: tuple[Hit, ...]
    #: Nesting level of the blueprint (``admin.reports`` is 1), for indentation.
    depth: int = 0
    #: True for the leading group of rules that handle the queried path.
    matches: bool = False


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits, with the counts the faces show."""

    query: str
    #: Routes the query ran over (the app's rules, plus the tools' own when asked for).
    total: int
    #: Routes that match the query and the filters, on every page.
    count: int
    #: The hits of this page, best first.
    hits: tuple[Hit, ...]
    page: int
    pages: int
    per_page: int | None
    #: Internal rules (the explorer's, the toolbar's) left out.
    hidden: int
    #: True when the query was read as a path.
    is_path: bool
    #: Where each route's JSON is kept once made (see :meth:`to_json`).
    route_json: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path_matches(self) -> int:
        return sum(1 for hit in self.hits if hit.matched_path)

    @property
    def first_index(self) -> int:
        """1-based position of the first hit of this page among all hits (0 when there are none)."""
        if not self.hits:
            return 0
        return (self.page - 1) * (self.per_page or 0) + 1

    def to_dict(self) -> dict[str, t.Any]:
        """The JSON of ``/api/routes`` and ``list --json``."""
        return {"total": self.total, "count": self.count, "routes": [hit.route.to_dict() for hit in self.hits]}

    def to_json(self, **extra: t.Any) -> str:
        """``json.dumps({**self.to_dict(), **extra})``, made from each route's JSON kept per inventory.

        The API answers every hit, not a page: at 10,000 rules that is 6 MB, and building and
        encoding 10,000 dicts on each call took most of half a second.
        """
        cache = self.route_json
        parts: list[str] = []
        for hit in self.hits:
            text = cache.get(hit.route.index)
            if text is None:
                text = cache[hit.route.index] = hit.route.to_json()
            parts.append(text)
        head = json.dumps({"total": self.total, "count": self.count})[:-1]
        tail = (", " + json.dumps(extra)[1:-1]) if extra else ""
        return f'{head}, "routes": [{", ".join(parts)}]{tail}}}'


class SearchKeys:
    """The orders every search starts from, computed once per inventory.

    The text keys (:class:`TextKeys`) are separate and made on the first text or path query: they
    need every view's names, and the first page after a restart (no query) needs none of them.
    """

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.routes = inventory.routes
        # From the columns: the first page orders every rule and makes a route for the rows it shows.
        columns = inventory.columns
        internal = columns.internal
        self.visible = [p for p, hidden in enumerate(internal) if not hidden]
        registered = {name: order for order, name in enumerate(inventory.blueprints, start=1)}
        blueprint_order = [registered.get(blueprint or "", 0) for blueprint in columns.blueprints]
        #: App-level rules first, then each blueprint as registered (nested ones after their parent);
        #: in map order within each (the sort is stable).
        self.natural = sorted(range(len(internal)), key=blueprint_order.__getitem__)
        self.natural_visible = [p for p in self.natural if not internal[p]]
        self.match_methods = _methods_to_try(columns.methods)
        #: Each route's JSON by its position, made on first use by ``SearchResult.to_json``.
        self.route_json: dict[int, str] = {}

    @property
    def text(self) -> TextKeys:
        """The text keys, made on the first query that needs them."""
        return self.inventory.derived(TextKeys, lambda: TextKeys(self.routes))


class TextKeys:
    """What a text query is compared with: lower-cased fields, words and their postings, per route."""

    def __init__(self, routes: t.Sequence[Route]) -> None:
        #: Lower-cased fields per route, in the order they are worth: endpoint, view name, rule, blueprint.
        self.fields: list[tuple[str, str, str, str]] = []
        self.haystacks: list[str] = []
        #: Per route: the last part of the endpoint (for exact and prefix hits).
        self.lasts: list[str] = []
        postings: dict[str, list[int]] = {}
        for position, route in enumerate(routes):
            # Space-delimited on both sides, so `` name `` in it finds a whole view name.
            view_names = " " + " ".join(n for n in (*route.view.names, route.view.qualname or "") if n).lower() + " "
            fields = (route.endpoint.lower(), view_names, route.rule.lower(), (route.blueprint or "").lower())
            self.fields.append(fields)
            self.haystacks.append("\n".join(fields))
            self.lasts.append(fields[0].rsplit(".", 1)[-1])
            for word in set(_WORD_RE.findall(" ".join(fields))):
                postings.setdefault(word, []).append(position)
        # Between equal scores the shorter last part of the endpoint is the closer hit (``user_profile``
        # before ``old_user_profile``), then the shorter endpoint: an order that does not depend on
        # the query, so it is ranked once here.
        tie_order = sorted(range(len(routes)), key=lambda p: (len(self.lasts[p]), len(self.fields[p][0]), p))
        self.tie_rank = [0] * len(routes)
        for rank, position in enumerate(tie_order):
            self.tie_rank[position] = rank
        self.words = list(postings)
        self.postings = [postings[w] for w in self.words]


#: A route's position in the inventory, its score, and whether it handles the queried path.
_ScoredPosition = tuple[int, float, bool]


def search_keys(inventory: Inventory) -> SearchKeys:
    """The search keys of an inventory, computed once (they go away with the inventory)."""
    return inventory.derived(SearchKeys, lambda: SearchKeys(inventory))


def search(
    inventory: Inventory,
    query: str = "",
    *,
    methods: t.Iterable[str] = (),
    blueprint: str | None = None,
    include_internal: bool = False,
    page: int = 1,
    per_page: int | None = PER_PAGE,
    server_name: str = "localhost",
    only: t.AbstractSet[int] | None = None,
) -> SearchResult:
    """Search and filter the inventory; ``per_page=None`` returns every hit on one page.

    ``methods`` keeps routes that accept any of them; ``blueprint`` keeps one blueprint and the
    blueprints nested in it (``APP_LEVEL`` keeps the app's own rules); internal rules are left out
    unless ``include_internal``. ``server_name`` is the host a path query is matched for; ``only``
    keeps the routes at these positions of the inventory (``Route.index``), e.g. those with problems.
    """
    index = search_keys(inventory)
    query = query.strip()
    wanted_methods = {m.upper() for m in methods if m}
    considered = range(len(index.routes)) if include_internal else index.visible
    total = len(considered)
    allowed = _allowed(index, considered, wanted_methods, blueprint, only)
    is_path = query.startswith("/")
    ranked: list[_ScoredPosition] = []
    order: t.Sequence[int] = ()
    text: _TextHits | None = None
    if not query:
        order = _natural_order(index, allowed, include_internal, filtered=allowed is not considered)
        count = len(order)
    elif is_path:
        ranked = _path_hits(index, allowed, query, server_name)
        count = len(ranked)
    else:
        text = _TextHits(index, allowed, query)
        count = text.count
    page, pages, start, stop = _page_bounds(count, page, per_page)
    # Only the hits up to this page are made and put in order: a page shows 100 of up to 10,000.
    if not query:
        shown = [(p, 0.0, False) for p in order[start:stop]]
    else:
        if text is not None:
            ranked = text.best(stop)
        shown = ranked[start:stop]
    routes = index.routes
    return SearchResult(
        query=query,
        total=total,
        count=count,
        hits=tuple(Hit(routes[p], score, matched) for p, score, matched in shown),
        page=page,
        pages=pages,
        per_page=per_page,
        hidden=len(index.routes) - total,
        is_path=is_path,
        route_json=index.route_json,
    )


def _allowed(
    index: SearchKeys,
    considered: t.Sequence[int],
    methods: set[str],
    blueprint: str | None,
    only: t.AbstractSet[int] | None,
) -> t.Sequence[int]:
    """The positions the filters keep (``considered`` itself, unfiltered, when there is no filter)."""
    if not (methods or blueprint or only is not None):
        return considered
    columns = index.inventory.columns
    return [p for p in considered if _passes(columns, p, methods, blueprint) and (only is None or p in only)]


def _page_bounds(count: int, page: int, per_page: int | None) -> tuple[int, int, int, int | None]:
    """The page asked for (kept within the pages there are), the number of pages, and its slice."""
    pages = max(1, math.ceil(count / per_page)) if per_page else 1
    page = min(max(1, page), pages)
    return (page, pages, (page - 1) * per_page, page * per_page) if per_page else (page, pages, 0, None)


def _natural_order(
    index: SearchKeys, allowed: t.Sequence[int], include_internal: bool, *, filtered: bool
) -> t.Sequence[int]:
    """The allowed positions in the natural order: without a filter, the order as kept."""
    if not filtered:
        return index.natural if include_internal else index.natural_visible
    keep = set(allowed)
    return [p for p in index.natural if p in keep]


def _passes(columns: RuleColumns, position: int, methods: set[str], blueprint: str | None) -> bool:
    route_methods, route_blueprint = columns.methods[position], columns.blueprints[position]
    if methods and route_methods is not None and methods.isdisjoint(route_methods):
        return False
    if blueprint:
        if blueprint == APP_LEVEL:
            return route_blueprint is None
        name = route_blueprint or ""
        return name == blueprint or name.startswith(blueprint + ".")
    return True


class _TextHits:
    """The routes a text query finds: counted at once, put in order only as far as a page needs.

    Plain substring hits (every term found) come first, scored by where the text was found (see
    :meth:`_keyed`); fuzzy hits on whole words follow, below every substring hit.
    """

    def __init__(self, index: SearchKeys, positions: t.Sequence[int], query: str) -> None:
        self.keys = index.text
        self.query = query.lower()
        self.terms = self.query.split()
        haystacks = self.keys.haystacks
        found = [p for p in positions if self.terms[0] in haystacks[p]]
        for term in self.terms[1:]:
            found = [p for p in found if term in haystacks[p]]
        self.found = found
        self.fuzzy = (
            _fuzzy_scores(self.keys, set(positions).difference(found), self.query)
            if len(found) < len(positions)
            else {}
        )
        self.count = len(found) + len(self.fuzzy)

    def best(self, limit: int | None) -> list[_ScoredPosition]:
        """The first ``limit`` hits in order (every hit for ``None``).

        At 10,000 rules a one-letter query hits almost every rule while a page shows 100: a partial
        sort (``heapq.nsmallest``) of plain tuples keeps that cheap.
        """
        tie_rank = self.keys.tie_rank
        keyed = self._keyed()
        keyed += [(-score, tie_rank[p], p) for p, score in self.fuzzy.items()]
        if limit is None or limit >= len(keyed):
            keyed.sort()
        else:
            keyed = heapq.nsmallest(limit, keyed)
        return [(p, round(-negative, 1), False) for negative, _, p in keyed]

    def _keyed(self) -> list[tuple[float, int, int]]:
        """(-score, tie rank, position) of each substring hit, the score saying where the text was found.

        The whole endpoint beats its last part (or a view name) beats a prefix beats inside the
        endpoint, the view names, the rule, the blueprint; last come several terms found in
        different fields. Written as one expression: this runs for every hit of the query.
        """
        query, terms = self.query, self.terms
        # A whole view name (the query has no space inside: a name has none).
        word = f" {query} " if len(terms) == 1 else "\n"
        fields, lasts, tie_rank = self.keys.fields, self.keys.lasts, self.keys.tie_rank
        return [
            (
                -_SUBSTRING_BASE
                - (
                    60.0
                    if endpoint == query
                    else 50.0
                    if last == query or word in view_names
                    else 40.0
                    if last.startswith(query) or endpoint.startswith(query)
                    else 30.0
                    if query in endpoint
                    else 25.0
                    if query in view_names
                    else 20.0
                    if query in rule
                    else 15.0
                    if query in blueprint
                    else 10.0 + 5.0 * sum(term in endpoint for term in terms) / len(terms)
                ),
                tie_rank[p],
                p,
            )
            for p in self.found
            for (endpoint, view_names, rule, blueprint), last in ((fields[p], lasts[p]),)
        ]


def _fuzzy_scores(index: TextKeys, positions: set[int], query: str) -> dict[int, float]:
    """Routes whose words resemble every word of the query (typos, transpositions); scores below 100.

    Matching words instead of whole strings keeps it fast (the vocabulary of a 10,000-rule app is a
    few thousand words) and lets ``usr profle`` find ``users.user_profile``.
    """
    words = _WORD_RE.findall(query)
    if not positions or not words:
        return {}
    combined: dict[int, float] | None = None
    for word in words:
        if len(word) < 3:
            return {}  # too short for a typo to be told from noise; substring search covered it
        cutoff = 80.0 if len(word) <= 4 else 75.0
        similar = process.extract(word, index.words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
        best: dict[int, float] = {}
        for _, score, word_position in similar:
            for position in index.postings[word_position]:
                if position in positions and best.get(position, 0.0) < score:
                    best[position] = score
        combined = best if combined is None else {p: combined[p] + s for p, s in best.items() if p in combined}
        if not combined:
            return {}
    assert combined is not None
    # Just below the substring tier, however good the typo match.
    return {p: min(total / len(words), _SUBSTRING_BASE - 1.0) for p, total in combined.items()}


def _path_hits(index: SearchKeys, positions: t.Sequence[int], query: str, server_name: str) -> list[_ScoredPosition]:
    """Rules that handle the path (Werkzeug decides), then rules whose text contains it."""
    path = query.split("?", 1)[0].split("#", 1)[0]
    matched = [p for p in _matching_positions(index, path, server_name) if p in positions]
    hits: list[_ScoredPosition] = [(p, _SUBSTRING_BASE * 2, True) for p in matched]
    taken = set(matched)
    lowered = path.lower()
    fields = index.text.fields
    containing = [p for p in positions if lowered in fields[p][2] and p not in taken]
    containing.sort(key=lambda p: (not fields[p][2].startswith(lowered), len(fields[p][2]), p))
    hits += [(p, _SUBSTRING_BASE, False) for p in containing]
    return hits


def _matching_positions(index: SearchKeys, path: str, server_name: str) -> list[int]:
    """Every rule that handles ``path`` for some method, in the order the methods are tried.

    Werkzeug's own matcher decides (:mod:`.routing.dispatch`); a path that only redirects (a missing
    trailing slash) counts as handled by its target's rule.
    """
    adapter = _adapter(index, server_name)
    if adapter is None:
        return []
    found: list[int] = []
    for method in index.match_methods:
        rule = rule_for_path(adapter, path, method)
        route = index.inventory.route_for(rule) if rule is not None else None
        if route is not None and route.index not in found:
            found.append(route.index)
    return found


def _adapter(index: SearchKeys, server_name: str) -> MapAdapter | None:
    """An adapter of the inventory's URL map for ``server_name`` (``None`` for an app without rules)."""
    if not index.routes:
        return None
    return bound(index.routes[0].werkzeug_rule.map, server_name)


def _methods_to_try(rule_methods: t.Iterable[tuple[str, ...] | None]) -> list[str]:
    present = {m for methods in set(rule_methods) for m in methods or ()}
    extra = sorted(present.difference(MATCH_METHODS))
    return [m for m in MATCH_METHODS if m in present or m in AUTOMATIC_METHODS] + extra


def group_hits(result: SearchResult, blueprints: t.Sequence[str]) -> tuple[Group, ...]:
    """Split a page of hits into blueprint sections for display.

    Without a query the sections follow the natural order (app first, then blueprints as
    registered); with one they follow the ranking, each section where its best hit is. Rules
    that handle a queried path come first in a section of their own.
    """
    groups: list[Group] = []
    matched = tuple(hit for hit in result.hits if hit.matched_path)
    if matched:
        groups.append(Group(None, matched, matches=True))
    by_blueprint: dict[str | None, list[Hit]] = {}
    for hit in result.hits:
        if not hit.matched_path:
            by_blueprint.setdefault(hit.route.blueprint, []).append(hit)
    names: t.Iterable[str | None] = by_blueprint
    if not result.query:
        rank = {name: order for order, name in enumerate(blueprints, start=1)}
        names = sorted(by_blueprint, key=lambda name: rank.get(name or "", 0))
    for name in names:
        groups.append(Group(name, tuple(by_blueprint[name]), depth=name.count(".") if name else 0))
    return tuple(groups)


@dataclass(frozen=True, slots=True)
class InventoryCounts:
    """The counts in the explorer's header: "1,412 rules · 103 blueprints · 5 hidden"."""

    rules: int
    blueprints: int
    hidden: int
    #: Blueprint names with their rule counts, app first, for the blueprint filter.
    blueprint_counts: tuple[tuple[str, int], ...]
    #: Every method some rule accepts, sorted.
    methods: tuple[str, ...]


def summarize(inventory: Inventory) -> InventoryCounts:
    """Counts of the app's own rules and blueprints (the tools' own are counted as hidden); cached."""
    return inventory.derived(InventoryCounts, lambda: _count(inventory))


def _count(inventory: Inventory) -> InventoryCounts:
    columns = inventory.columns
    counts: dict[str, int] = {}
    hidden = 0
    internal_blueprints: set[str] = set()
    for blueprint, internal in zip(columns.blueprints, columns.internal):
        if internal:
            hidden += 1
            if blueprint:
                internal_blueprints.add(blueprint)
        elif blueprint:
            counts[blueprint] = counts.get(blueprint, 0) + 1
    names = [name for name in inventory.blueprints if name not in internal_blueprints]
    return InventoryCounts(
        rules=len(columns.rules) - hidden,
        blueprints=len(names),
        hidden=hidden,
        blueprint_counts=tuple((name, counts.get(name, 0)) for name in names),
        methods=tuple(sorted({m for methods in set(columns.methods) for m in methods or ()})),
    )
