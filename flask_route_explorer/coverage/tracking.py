"""Recording which rule and method each request matched, for every Flask app in the process.

It listens to Flask's ``request_started`` signal with no sender, so it hears every app the tests
create, and reads only the public ``request.url_rule`` and ``request.method``: nothing of the
app's is wrapped or replaced. An app's rules are read once, on its first request; Flask refuses
new rules after that, so the list is complete.
"""

from __future__ import annotations

import threading
import typing as t
import weakref

from flask import Flask, request, request_started
from werkzeug.routing import Rule

from .data import CoverageData, RuleRecord, counted_method, counted_methods, is_internal_endpoint


def blueprint_of(endpoint: str) -> str | None:
    """The blueprint Flask gives a request for this endpoint (``request.blueprint``'s own rule)."""
    return endpoint.rpartition(".")[0] if "." in endpoint else None


def counted_rules(app: Flask) -> t.Iterator[tuple[Rule, RuleRecord]]:
    """Each rule a request can match, with a fresh record for it.

    Build-only rules and ``redirect_to`` rules are left out: Werkzeug answers the latter with a
    redirect while matching, before Flask sets ``request.url_rule``, so no test could count for them.
    """
    for rule in app.url_map.iter_rules():
        if rule.build_only or rule.redirect_to is not None:
            continue
        endpoint = str(rule.endpoint)
        yield (
            rule,
            RuleRecord(
                rule=rule.rule,
                endpoint=endpoint,
                blueprint=blueprint_of(endpoint),
                methods=counted_methods(rule.methods),
                internal=is_internal_endpoint(endpoint),
            ),
        )


class RequestTracker:
    """Counts requests per rule-method into one :class:`CoverageData` while connected."""

    def __init__(self, data: CoverageData | None = None) -> None:
        self.data = data if data is not None else CoverageData()
        # Per app: its rules' records by the Werkzeug rule's id. Weak, so the apps of finished
        # tests are freed; a Rule lives as long as its app, so its id is stable meanwhile.
        self._apps: weakref.WeakKeyDictionary[Flask, dict[int, RuleRecord]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def connect(self) -> None:
        # weak=False: the bound method must live as long as the connection, not as long as a caller's reference.
        request_started.connect(self._request_started, weak=False)

    def disconnect(self) -> None:
        request_started.disconnect(self._request_started)

    def _request_started(self, sender: Flask, **extra: t.Any) -> None:
        rule = request.url_rule
        if rule is None:  # a 404, 405 or redirect: no rule matched
            return
        self.record(sender, rule, request.method)

    def record(self, app: Flask, rule: Rule, method: str) -> None:
        """Count one request of ``method`` that ``rule`` of ``app`` matched."""
        with self._lock:
            records = self._apps.get(app)
            if records is None:
                records = self._apps[app] = self._read_rules(app)
            record = records.get(id(rule))
            if record is None:
                return
            counted = counted_method(method, record.methods)
            if counted is not None:
                record.hits[counted] = record.hits.get(counted, 0) + 1

    def _read_rules(self, app: Flask) -> dict[int, RuleRecord]:
        """The app's rules by id, each bound to the shared record of its ``(rule, endpoint)``."""
        return {id(rule): self.data.add_rule(record) for rule, record in counted_rules(app)}
