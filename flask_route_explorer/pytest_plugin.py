"""``pytest --route-coverage``: which rules and methods the test suite requested.

Registered through the ``pytest11`` entry point, and off unless ``--route-coverage`` is given: then
only the options exist, nothing listens to Flask and nothing is imported beyond this module. When on,
:class:`~flask_route_explorer.coverage.tracking.RequestTracker` listens to ``request_started`` for
every app; pytest-xdist workers hand their records to the controller, which merges them.
"""

from __future__ import annotations

import argparse
import typing as t
from pathlib import Path

import pytest

if t.TYPE_CHECKING:
    from .coverage import CoverageData, Figures, RuleRecord
    from .coverage.tracking import RequestTracker

#: The key of a worker's record in xdist's ``workeroutput``.
WORKER_OUTPUT_KEY = "flask_route_explorer.route_coverage"
REPORT_KINDS = ("html", "json")


class ReportTarget(t.NamedTuple):
    kind: str
    path: Path


def report_target(value: str) -> ReportTarget:
    """Parse ``html:PATH`` or ``json:PATH``."""
    kind, sep, path = value.partition(":")
    if not sep or kind not in REPORT_KINDS or not path:
        raise argparse.ArgumentTypeError(f"expected html:PATH or json:PATH, got {value!r}")
    return ReportTarget(kind, Path(path))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("route-coverage", "route coverage (flask-route-explorer)")
    group.addoption(
        "--route-coverage",
        action="store_true",
        default=False,
        help="Record which URL rule and method each request of every Flask app matched, and report the rules "
        "never requested.",
    )
    group.addoption(
        "--route-coverage-report",
        action="append",
        default=[],
        type=report_target,
        metavar="html:PATH|json:PATH",
        help="Also write the route coverage as an HTML page or as JSON (repeatable).",
    )
    group.addoption(
        "--route-coverage-fail-under",
        type=float,
        default=None,
        metavar="N",
        help="Fail the run when the route coverage shown is under N percent.",
    )
    group.addoption(
        "--route-coverage-internal",
        action="store_true",
        default=False,
        help="Count static files' and the development tools' rules too.",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("route_coverage"):
        if config.getoption("route_coverage_report") or config.getoption("route_coverage_fail_under") is not None:
            raise pytest.UsageError("--route-coverage-report and --route-coverage-fail-under need --route-coverage")
        return
    config.pluginmanager.register(RouteCoveragePlugin(config), "flask-route-explorer-coverage")


class RouteCoveragePlugin:
    """The plugin's state for one run: the tracker, and (on the controller) the merged figures."""

    def __init__(self, config: pytest.Config) -> None:
        from .coverage.tracking import RequestTracker

        self.config = config
        self.include_internal: bool = config.getoption("route_coverage_internal")
        self.fail_under: float | None = config.getoption("route_coverage_fail_under")
        self.reports: list[ReportTarget] = config.getoption("route_coverage_report")
        self.is_worker = hasattr(config, "workerinput")
        self.tracker: RequestTracker = RequestTracker()
        self.written: list[ReportTarget] = []
        self.tracker.connect()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.tracker.disconnect()

    @property
    def data(self) -> CoverageData:
        return self.tracker.data

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: t.Any, error: object) -> None:
        """pytest-xdist, on the controller: merge what a finished worker recorded."""
        from .coverage import CoverageData

        document = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY)
        if document is not None:
            self.data.merge(CoverageData.from_dict(document))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            self.config.workeroutput[WORKER_OUTPUT_KEY] = self.data.to_dict()  # type: ignore[attr-defined]  # set by pytest-xdist on workers

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> t.Generator[None, object, object]:
        """After every test (and, under xdist, every worker): write the reports and apply the threshold."""
        result = yield
        if not self.is_worker:
            self.finish(session)
        return result

    def finish(self, session: pytest.Session) -> None:
        from .coverage import figures, report_dict, save

        for target in self.reports:
            if target.kind == "json":
                save(report_dict(self.data, self.include_internal), target.path)
            else:
                target.path.parent.mkdir(parents=True, exist_ok=True)
                target.path.write_text(render_html(self.data, self.include_internal), encoding="utf-8")
            self.written.append(target)
        if self.fail_under is not None and figures(self.data, self.include_internal).under(self.fail_under):
            session.testsfailed += 1

    def pytest_terminal_summary(self, terminalreporter: t.Any, exitstatus: int, config: pytest.Config) -> None:
        if self.is_worker:
            return
        from .coverage import figures, uncovered_by_blueprint

        counted = figures(self.data, self.include_internal)
        terminalreporter.write_sep("-", "route coverage")
        for line in summary_lines(counted, uncovered_by_blueprint(self.data, self.include_internal)):
            terminalreporter.write_line(line)
        for target in self.written:
            terminalreporter.write_line(f"Route coverage {target.kind.upper()} written to {target.path}")
        if self.fail_under is not None and counted.under(self.fail_under):
            terminalreporter.write_line(
                f"FAIL Route coverage {counted.shown_percent}% is under --route-coverage-fail-under={self.fail_under:g}",
                red=True,
                bold=True,
            )


def headline(counted: Figures) -> str:
    """``Route coverage: 83% (120/145 rules, 210/260 rule-methods)``."""
    if not counted.rules:
        return "Route coverage: no Flask app handled a request"
    return (
        f"Route coverage: {counted.shown_percent}% ({counted.rules_hit}/{counted.rules} rules, "
        f"{counted.rule_methods_hit}/{counted.rule_methods} rule-methods)"
    )


def summary_lines(counted: Figures, uncovered: t.Mapping[str | None, t.Sequence[RuleRecord]]) -> list[str]:
    """The headline, then the rules never requested by blueprint, methods and rules in aligned columns."""
    lines = [headline(counted)]
    if not uncovered:
        return lines
    records = [r for group in uncovered.values() for r in group]
    method_width = max(len(", ".join(r.methods)) for r in records)
    rule_width = max(len(r.rule) for r in records)
    lines.append("Never requested:")
    for blueprint, group in uncovered.items():
        lines.append(f"  {blueprint or '(app)'}")
        lines.extend(
            f"    {', '.join(r.methods):<{method_width}}  {r.rule:<{rule_width}}  {r.endpoint}".rstrip() for r in group
        )
    return lines


def render_html(data: CoverageData, include_internal: bool) -> str:
    """The report page: figures, then every rule by blueprint with each method's request count.

    A file opened from disk, not a page of the explorer: the stylesheet is embedded, there is no
    script, and the template uses none of the explorer's link helpers, so it renders outside any request.
    """
    from itertools import groupby

    from ._resources import STATIC_DIR
    from .coverage import counted_records, figures
    from .rendering import render

    records = counted_records(data, include_internal)
    return render(
        "route_explorer/coverage.html",
        figures=figures(data, include_internal),
        headline=headline(figures(data, include_internal)),
        groups=[(blueprint, list(group)) for blueprint, group in groupby(records, key=lambda r: r.blueprint)],
        include_internal=include_internal,
        stylesheet=(STATIC_DIR / "explorer.css").read_text(encoding="utf-8"),
    )
