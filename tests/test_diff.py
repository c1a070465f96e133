"""Route diff: every class of change on small app pairs, and ``flask route-explorer diff``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from werkzeug.routing import BaseConverter

from flask_route_explorer import get_inventory
from flask_route_explorer.cli import route_explorer
from flask_route_explorer.diff import DiffReport, Severity, compare, routes_from_document

Rules = t.Sequence[tuple[str, str, dict[str, t.Any]]]


def make(rules: Rules, converters: dict[str, type[BaseConverter]] | None = None) -> Flask:
    app = Flask("diffapp")
    app.url_map.converters.update(converters or {})
    views: dict[str, t.Callable[..., str]] = {}
    for rule, endpoint, options in rules:
        view = None if "redirect_to" in options else views.setdefault(endpoint, lambda **values: "")
        app.add_url_rule(rule, endpoint, view, **options)
    return app


def document(app: Flask) -> dict[str, t.Any]:
    """What ``list --json`` prints (the parts the diff reads)."""
    return {"routes": [route.to_dict() for route in get_inventory(app).user_routes()]}


def diff(old: Rules, new: Rules, **converters: type[BaseConverter]) -> DiffReport:
    before = routes_from_document(json.loads(json.dumps(document(make(old, converters)))))
    after = routes_from_document(json.loads(json.dumps(document(make(new, converters)))))
    return compare(before, after)


def codes(report: DiffReport) -> list[tuple[str, str, str | None]]:
    return [(c.code.value, c.endpoint, c.method or c.variable or c.new_endpoint) for c in report.changes]


def test_same_map_has_no_changes() -> None:
    rules: Rules = [("/users/<int:user_id>", "profile", {}), ("/items", "items", {"methods": ["GET", "POST"]})]
    assert diff(rules, rules).changes == []


def test_removed_rule_is_a_url_that_now_404s_and_an_endpoint_gone() -> None:
    report = diff([("/", "index", {}), ("/gone", "gone", {})], [("/", "index", {})])
    assert codes(report) == [("endpoint_removed", "gone", None), ("url_not_found", "gone", None)]
    assert all(c.severity is Severity.BREAKING for c in report.changes)
    assert report.changes[1].example == "GET /gone"


def test_rule_moved_keeps_the_endpoint_but_its_old_url_404s() -> None:
    report = diff([("/users/<int:user_id>", "profile", {})], [("/people/<int:user_id>", "profile", {})])
    assert codes(report) == [("url_not_found", "profile", None), ("rule_added", "profile", None)]


def test_method_removed_is_a_405() -> None:
    report = diff([("/items", "items", {"methods": ["GET", "POST"]})], [("/items", "items", {"methods": ["GET"]})])
    assert codes(report) == [("method_removed", "items", "POST")]
    assert report.changes[0].message == "POST /items now gets 405 (it matched /items [items])"


def test_method_moved_to_another_endpoint_is_risky_not_breaking() -> None:
    report = diff(
        [("/items", "items", {"methods": ["GET", "POST"]})],
        [("/items", "items", {"methods": ["GET"]}), ("/items", "create_item", {"methods": ["POST"]})],
    )
    assert codes(report) == [("url_reassigned", "items", "create_item"), ("rule_added", "create_item", None)]


@pytest.mark.parametrize(
    ("before", "after", "example"),
    [
        ("<int:id>", "<uuid:id>", "42"),
        ("<id>", "<int:id>", "sample"),
        ("<any(a,b,c):id>", "<any(a,b):id>", "c"),
        ("<int:id>", "<int(max=10):id>", "42"),
        ("<path:id>", "<id>", "a/b"),
    ],
)
def test_converter_narrowed(before: str, after: str, example: str) -> None:
    report = diff([(f"/post/{before}", "post", {})], [(f"/post/{after}", "post", {})])
    assert codes(report) == [("converter_narrowed", "post", "id")]
    assert report.changes[0].example == example
    assert report.changes[0].severity is Severity.BREAKING


@pytest.mark.parametrize(("before", "after"), [("<int:id>", "<id>"), ("<any(a,b):id>", "<any(a,b,c):id>")])
def test_converter_widened_is_additive(before: str, after: str) -> None:
    report = diff([(f"/post/{before}", "post", {})], [(f"/post/{after}", "post", {})])
    assert codes(report) == [("converter_widened", "post", "id")]


def test_variable_renamed() -> None:
    report = diff([("/page/<slug>", "page", {})], [("/page/<name>", "page", {})])
    assert codes(report) == [("variable_renamed", "page", "slug")]
    assert "url_for(..., slug=...) fails" in report.changes[0].message


def test_endpoint_renamed_while_its_rule_stays_is_a_rename() -> None:
    report = diff(
        [("/users/<int:user_id>", "profile", {}), ("/", "index", {})],
        [("/users/<int:user_id>", "users.user_profile", {}), ("/", "index", {})],
    )
    assert report.renames == {"profile": "users.user_profile"}
    assert codes(report) == [("endpoint_renamed", "profile", "users.user_profile")]


def test_endpoint_gone_whose_rule_an_existing_endpoint_now_serves_is_a_rename() -> None:
    report = diff([("/a", "a", {}), ("/b", "b", {})], [("/b", "b", {}), ("/a", "b", {})])
    assert ("endpoint_renamed", "a", "b") in codes(report)


def test_redirect_added_and_strict_slashes_changed_are_risky() -> None:
    report = diff(
        [("/about", "about", {}), ("/docs/", "docs", {})],
        [
            ("/about", "about", {"redirect_to": "/info"}),
            ("/docs/", "docs", {"strict_slashes": False}),
            ("/info", "info", {}),
        ],
    )
    assert codes(report) == [
        ("redirect_added", "about", None),
        ("strict_slashes_changed", "docs", None),
        ("rule_added", "info", None),
    ]
    assert [c.severity for c in report.changes] == [Severity.RISKY, Severity.RISKY, Severity.ADDITIVE]


def test_new_rule_and_new_method_are_additive() -> None:
    report = diff(
        [("/items", "items", {"methods": ["GET"]})],
        [("/items", "items", {"methods": ["GET", "POST"]}), ("/tags", "tags", {})],
    )
    assert codes(report) == [("method_added", "items", "POST"), ("rule_added", "tags", None)]


def test_shadowed_url_is_reassigned() -> None:
    report = diff([("/users/<name>", "user", {})], [("/users/<name>", "user", {}), ("/users/sample", "special", {})])
    assert codes(report) == [("url_reassigned", "user", "special"), ("rule_added", "special", None)]


class SlugConverter(BaseConverter):
    regex = r"[a-z-]+"


class ShortSlugConverter(BaseConverter):
    regex = r"[a-z]{1,5}"


def test_custom_converters_fall_back_to_their_text() -> None:
    report = diff([("/p/<slug:name>", "p", {})], [("/p/<slug:name>", "p", {})], slug=SlugConverter)
    assert report.changes == []
    assert report.stand_ins == {"slug"}
    changed = diff(
        [("/p/<slug:name>", "p", {})], [("/p/<short:name>", "p", {})], slug=SlugConverter, short=ShortSlugConverter
    )
    assert codes(changed) == [("converter_changed", "p", "name")]


def test_blueprints_and_hosts_in_json_round_trip() -> None:
    old, new = Flask("old", subdomain_matching=True), Flask("new", subdomain_matching=True)
    old.config["SERVER_NAME"] = new.config["SERVER_NAME"] = "example.test"
    for app in (old, new):
        bp = Blueprint("shop", __name__, subdomain="<shop>")
        bp.add_url_rule("/cart", "cart", lambda shop: "", methods=["GET", "POST"] if app is old else ["GET"])
        app.register_blueprint(bp)
    report = compare(routes_from_document(document(old)), routes_from_document(document(new)))
    assert codes(report) == [("method_removed", "shop.cart", "POST")]
    assert report.changes[0].example == "POST //sample/cart"


def test_not_a_routes_document() -> None:
    with pytest.raises(ValueError, match="list --json"):
        routes_from_document({"rules": []})


# --- The command ------------------------------------------------------------------------------

OLD_RULES: Rules = [
    ("/users/<int:user_id>", "profile", {}),
    ("/items", "items", {"methods": ["GET", "POST"]}),
    ("/about", "about", {}),
]
NEW_RULES: Rules = [
    ("/users/<int:user_id>", "user_profile", {}),
    ("/items", "items", {"methods": ["GET"]}),
    ("/about", "about", {"redirect_to": "/info"}),
    ("/info", "info", {}),
]
TEXT = """\
Breaking (2)
  method_removed    POST /items now gets 405 (it matched /items [items])
                    accept: method_removed items /items POST
  endpoint_renamed  endpoint 'profile' is now 'user_profile': url_for('profile') fails
                    accept: endpoint_renamed profile /users/<int:user_id>
Risky (1)
  redirect_added  /about [about] now redirects to /info
Additive (1)
  rule_added  new rule /info [info]
Endpoints were renamed: url_for calls and templates that use the old names now fail.
  flask route-explorer check --rename profile=user_profile          # lists every call that uses an old name
  flask route-explorer check --rename profile=user_profile --fix    # rewrites them to the new names
2 breaking, 1 risky, 1 additive.
"""


@pytest.fixture
def old_json(tmp_path: Path) -> Path:
    path = tmp_path / "routes.json"
    path.write_text(json.dumps(document(make(OLD_RULES))))
    return path


def invoke(*args: str) -> t.Any:
    return make(NEW_RULES).test_cli_runner().invoke(route_explorer, ["diff", *args])


def test_cli_text_with_a_json_file(old_json: Path) -> None:
    result = invoke(str(old_json))
    assert result.exit_code == 1
    assert result.output == TEXT


def test_cli_accept_file(old_json: Path, tmp_path: Path) -> None:
    accept = tmp_path / "accepted-routes.txt"
    accept.write_text("# shipped in 2.0\nendpoint_renamed profile\nmethod_removed items /items POST\n")
    result = invoke(str(old_json), "--accept", str(accept))
    assert result.exit_code == 0
    assert "2 breaking (2 accepted), 1 risky, 1 additive." in result.output
    accept.write_text("endpoint_renamed profile\n")
    assert invoke(str(old_json), "--accept", str(accept)).exit_code == 1
    accept.write_text("endpoint_gone profile\n")
    bad = invoke(str(old_json), "--accept", str(accept))
    assert bad.exit_code == 2
    assert "unknown change code 'endpoint_gone'" in bad.output


def test_cli_json_and_github(old_json: Path) -> None:
    result = invoke(str(old_json), "--json")
    document_ = json.loads(result.stdout)
    assert result.exit_code == 1
    assert document_["counts"] == {"breaking": 2, "risky": 1, "additive": 1}
    assert document_["renames"] == {"profile": "user_profile"}
    assert document_["changes"][0]["key"] == "method_removed items /items POST"
    assert document_["changes"][0]["accepted"] is False
    github = invoke(str(old_json), "--format", "github")
    assert github.stdout.splitlines() == [
        "::error title=route diff%3A method_removed::POST /items now gets 405 (it matched /items [items])",
        "::error title=route diff%3A endpoint_renamed::endpoint 'profile' is now 'user_profile': url_for('profile') fails",
        "::warning title=route diff%3A redirect_added::/about [about] now redirects to /info",
        "::notice title=route diff%3A rule_added::new rule /info [info]",
    ]


def test_cli_usage_errors(old_json: Path) -> None:
    assert invoke().exit_code == 2
    assert invoke(str(old_json), "--against", "HEAD").exit_code == 2
    missing = invoke("nope.json")
    assert missing.exit_code == 2


APP_V1 = """
from flask import Flask
app = Flask(__name__)
app.add_url_rule("/users/<int:user_id>", "profile", lambda user_id: "")
app.add_url_rule("/items", "items", lambda: "", methods=["GET", "POST"])
"""
APP_V2 = """
from flask import Flask
app = Flask(__name__)
app.add_url_rule("/users/<int:user_id>", "user_profile", lambda user_id: "")
app.add_url_rule("/items", "items", lambda: "", methods=["GET", "POST"])
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.test", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True
    )


def test_cli_against_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "web").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "web" / "webapp.py").write_text(APP_V1)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    (repo / "web" / "webapp.py").write_text(APP_V2)
    env = {**os.environ, "PYTHONPATH": ""}
    env.pop("FLASK_APP", None)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "route-explorer", "diff", "--against", "HEAD"],
        cwd=repo / "web",  # a folder inside the repository: the old side is listed from the same folder
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert "endpoint_renamed  endpoint 'profile' is now 'user_profile'" in done.stdout
    assert "flask --app webapp route-explorer check --rename profile=user_profile --fix" in done.stdout
    assert "1 breaking, 0 risky, 0 additive." in done.stdout
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True).stdout
    assert len(worktrees.splitlines()) == 1  # the scratch worktree is gone
    unknown = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "route-explorer", "diff", "--against", "no-such-ref"],
        cwd=repo / "web",
        env=env,
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2
    assert "git -C" in unknown.stderr and "no-such-ref" in unknown.stderr
