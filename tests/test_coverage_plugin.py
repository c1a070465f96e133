"""``pytest --route-coverage`` on a small project: exact figures, rules never requested, reports, xdist."""

from __future__ import annotations

import json

import pytest

from flask_route_explorer.coverage import CoverageData, RuleRecord, figures, load
from flask_route_explorer.pytest_plugin import headline

APP = """
from flask import Blueprint, Flask

def create_app():
    app = Flask(__name__)
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @app.get("/")
    def index():
        return "home"

    @app.route("/items", methods=["GET", "POST"])
    def items():
        return "items"

    @app.get("/about")
    def about():
        return "about"

    @admin.route("/users/<int:user_id>", methods=["GET", "DELETE"])
    def user(user_id):
        return str(user_id)

    @admin.get("/stats")
    def stats():
        return "stats"

    @shop.get("/cart")
    def cart():
        return "cart"

    app.add_url_rule("/old", "old", redirect_to="/")
    app.register_blueprint(admin)
    app.register_blueprint(shop)
    return app
"""

TESTS = """
import pytest
from app import create_app

@pytest.fixture
def client():
    return create_app().test_client()  # a new app per test, as factories do

def test_index(client):
    assert client.get("/").status_code == 200

def test_items(client):
    assert client.get("/items").status_code == 200

def test_user(client):
    assert client.head("/admin/users/3").status_code == 200  # HEAD counts for GET

def test_user_again(client):
    assert client.get("/admin/users/4").status_code == 200

def test_misses(client):
    assert client.get("/nope").status_code == 404
    assert client.put("/items").status_code == 405
    assert client.get("/static/x.css").status_code == 404
"""

#: index, items GET, admin.user GET of 6 counted rules (the redirect rule and static are left out).
HEADLINE = "Route coverage: 50% (3/6 rules, 3/8 rule-methods)"
NEVER_REQUESTED = [
    "Never requested:",
    "  (app)",
    "    GET  /about        about",
    "  admin",
    "    GET  /admin/stats  admin.stats",
    "  shop",
    "    GET  /shop/cart    shop.cart",
]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(app=APP, test_app=TESTS)
    pytester.syspathinsert()
    return pytester


def _summary(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "route coverage" in line and line.startswith("-"))
    return lines[start + 1 : start + 1 + 1 + len(NEVER_REQUESTED)]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_figures_and_rules_never_requested(project: pytest.Pytester, workers: list[str]) -> None:
    result = project.runpytest_subprocess("-p", "no:randomly", "--route-coverage", *workers)
    result.assert_outcomes(passed=5)
    assert _summary(result) == [HEADLINE, *NEVER_REQUESTED]


def test_off_without_the_option(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=5)
    assert "Route coverage" not in result.stdout.str()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_json_report_is_the_merged_record(project: pytest.Pytester, workers: list[str]) -> None:
    path = project.path / "out" / "routes.json"
    result = project.runpytest_subprocess("--route-coverage", f"--route-coverage-report=json:{path}", *workers)
    result.assert_outcomes(passed=5)
    document = json.loads(path.read_text())
    assert document["summary"] == {
        "percent": 50.0,
        "rules": 6,
        "rules_hit": 3,
        "rule_methods": 8,
        "rule_methods_hit": 3,
        "internal_included": False,
    }
    assert document["uncovered"] == {"": ["about"], "admin": ["admin.stats"], "shop": ["shop.cart"]}
    data = load(path)
    assert data.hits_for("/admin/users/<int:user_id>", "GET") == 2
    assert data.hits_for("/admin/users/<int:user_id>", "HEAD") == 2
    assert data.hits_for("/admin/users/<int:user_id>", "DELETE") == 0
    assert data.hits_for("/items", "GET", endpoint="items") == 1
    assert data.hits_for("/items", "PUT") == 0
    assert data.hits_for("/old", "GET") == 0


def test_html_report(project: pytest.Pytester) -> None:
    path = project.path / "routes.html"
    result = project.runpytest_subprocess("--route-coverage", f"--route-coverage-report=html:{path}")
    result.stdout.fnmatch_lines([f"Route coverage HTML written to {path}"])
    page = path.read_text()
    assert HEADLINE in page
    assert "<script" not in page
    assert 'data-endpoint="admin.stats"' in page
    assert page.count('<span class="tag is-bad">never requested</span>') == 3
    assert "some methods never requested" in page  # items POST, admin.user DELETE


def test_fail_under(project: pytest.Pytester) -> None:
    failing = project.runpytest_subprocess("--route-coverage", "--route-coverage-fail-under=60")
    assert failing.ret == pytest.ExitCode.TESTS_FAILED
    failing.stdout.fnmatch_lines(["FAIL Route coverage 50% is under --route-coverage-fail-under=60"])
    passing = project.runpytest_subprocess("--route-coverage", "--route-coverage-fail-under=50", "-n", "2")
    assert passing.ret == pytest.ExitCode.OK


def test_internal_rules_only_when_asked(project: pytest.Pytester) -> None:
    # /static/x.css matched the static rule (the file's 404 comes from the view), so it counts.
    result = project.runpytest_subprocess("--route-coverage", "--route-coverage-internal")
    result.stdout.fnmatch_lines(["Route coverage: 57% (4/7 rules, 4/9 rule-methods)"])


def test_report_options_need_route_coverage(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--route-coverage-fail-under=10")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--route-coverage-report and --route-coverage-fail-under need --route-coverage"])


def test_bad_report_target(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--route-coverage", "--route-coverage-report=pdf:x.pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected html:PATH or json:PATH, got 'pdf:x.pdf'*"])


def test_merge_adds_counts() -> None:
    def record(hits: dict[str, int]) -> RuleRecord:
        return RuleRecord("/items", "items", None, ("GET", "POST"), False, hits)

    merged = CoverageData()
    for hits in ({"GET": 2}, {"GET": 1, "POST": 1}):
        part = CoverageData()
        part.add_rule(record(hits))
        merged.merge(part)
    assert merged.hits_for("/items", "GET") == 3
    assert headline(figures(merged)) == "Route coverage: 100% (1/1 rules, 2/2 rule-methods)"
    assert headline(figures(CoverageData())) == "Route coverage: no Flask app handled a request"
