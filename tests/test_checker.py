"""The static url_for checker against a fixture project with planted mistakes, and the demo app."""

from __future__ import annotations

import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from flask import Flask

from flask_route_explorer import check
from flask_route_explorer.checker import CODES, CheckReport, Finding, Findings, check_report, code_for_kind

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "checkproj"
PACKAGE = PROJECT / "checkproj"
HOOKS_PROJECT = FIXTURES / "checkproj_hooks"
HOOKS_PACKAGE = HOOKS_PROJECT / "hookproj"
EXPECT = re.compile(r"(?:#|\{#)[^\n]*?expect:\s*((?:RE\d{3}[,\s]*)+)")


def planted(root: Path) -> set[tuple[str, int, str]]:
    """Every ``expect: CODE`` marker of the fixture: (file relative to root, line, code)."""
    found: set[tuple[str, int, str]] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in EXPECT.finditer(line):
                for code in re.findall(r"RE\d{3}", match.group(1)):
                    found.add((path.relative_to(root).as_posix(), number, code))
    return found


def reported(findings: t.Iterable[Finding], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(t.cast(str, f.path)).resolve().relative_to(root.resolve()).as_posix(), f.line, f.code) for f in findings
    }


@pytest.fixture(scope="module")
def project_app() -> t.Iterator[Flask]:
    sys.path.insert(0, str(PROJECT))
    try:
        from checkproj import create_app

        yield create_app()
    finally:
        sys.path.remove(str(PROJECT))


@pytest.fixture(scope="module")
def report(project_app: Flask) -> CheckReport:
    return check_report(project_app)


@pytest.fixture(scope="module")
def hooks_app() -> t.Iterator[Flask]:
    sys.path.insert(0, str(HOOKS_PROJECT))
    try:
        from hookproj import create_app

        yield create_app()
    finally:
        sys.path.remove(str(HOOKS_PROJECT))


def test_fixture_plants_enough_faults_of_every_kind() -> None:
    expected = planted(PACKAGE)
    assert len(expected) >= 40
    # RE011 needs an app whose url_defaults hook raises: the hooks fixture plants it.
    # RE013 is reported only with --rename (test_rename.py); RE009 only with --unused.
    codes = {code for _, _, code in expected | planted(HOOKS_PACKAGE)}
    assert codes == {c for c in CODES if c not in ("RE009", "RE013")}
    python = {file for file, _, _ in expected if file.endswith(".py")}
    templates = {file for file, _, _ in expected if not file.endswith(".py")}
    assert len(python) >= 5 and len(templates) >= 8


def test_findings_are_exactly_the_planted_faults(report: CheckReport) -> None:
    expected = planted(PACKAGE)
    found = reported(report.findings, PACKAGE)
    assert found - expected == set(), "false positives"
    assert expected - found == set(), "missed faults"


def test_clean_files_report_nothing(project_app: Flask) -> None:
    assert not check(project_app, [PACKAGE / "clean.py", PACKAGE / "templates" / "clean.html"])


def test_counts_dynamic_calls_as_unverifiable(report: CheckReport) -> None:
    dynamic = {(Path(u.file).name, u.line) for u in report.unverifiable}
    assert dynamic == {("helpers.py", 16), ("helpers.py", 17), ("clean.html", 13), ("index.html", 10)}
    assert report.calls >= 100
    assert report.files == len([p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".html", ".txt")])
    assert report.unparsable == []


def test_every_engine_kind_has_a_code() -> None:
    from flask_route_explorer.diagnosis import KINDS

    for kind in KINDS:
        assert code_for_kind(kind) in CODES, kind
    assert code_for_kind("a kind added later") == "RE010"
    assert code_for_kind("values_not_keywords") == "RE005"


def test_a_failing_url_defaults_hook_hides_no_broken_call(hooks_app: Flask) -> None:
    result = check_report(hooks_app)
    assert reported(result.findings, HOOKS_PACKAGE) == planted(HOOKS_PACKAGE)
    typo = _one(result, "hookproj/__init__.py", 43)
    # The hook's KeyError for an unknown endpoint is a symptom: the typo's own diagnosis, the hook mentioned after it.
    assert (typo.code, typo.kind, typo.suggestion, typo.fix) == (
        "RE001",
        "unknown_endpoint",
        "about",
        'url_for("about")',
    )
    assert typo.message.startswith("There is no endpoint 'abut'.") and "hook 'add_language_code'" in typo.message
    assert "not a valid item_id" in _one(result, "hookproj/__init__.py", 25).message
    # Calls the engine finds nothing else wrong with: the hook may need request state.
    hidden = {(Path(u.file).name, u.line): u.reason for u in result.unverifiable}
    assert set(hidden) == {("__init__.py", 23), ("__init__.py", 24), ("item.html", 1)}
    assert all("add_partner" in reason for reason in hidden.values())
    assert result.calls == 9 and len(result.unverifiable) == 3


def test_a_call_that_fails_for_another_reason_gets_its_own_code(report: CheckReport) -> None:
    other = _one(report, "checkproj/views.py", 47)
    assert (other.code, other.kind, other.endpoint) == ("RE010", "other", "feed")
    assert "Could not build url for endpoint 'feed'" in other.message


def _one(report: CheckReport, file: str, line: int) -> Finding:
    matches = [f for f in report.findings if t.cast(str, f.path).endswith(file) and f.line == line]
    assert len(matches) == 1, matches
    return matches[0]


def test_columns_point_at_the_call(report: CheckReport) -> None:
    for finding in report.findings:
        text = Path(t.cast(str, finding.path)).read_text(encoding="utf-8").splitlines()[finding.line - 1]
        assert re.match(r"[\w.]*url_for\(|u\(", text[finding.column - 1 :]), (finding, text)
    # The second of two calls on one line, inside an attribute value.
    second = _one(report, "templates/pages/deep/nested.html", 3)
    assert second.column == 66


def test_template_fixes_keep_the_surrounding_tag(report: CheckReport) -> None:
    nested = "templates/pages/deep/nested.html"
    assert _one(report, nested, 4).fix == "{{ url_for('account.profile', user_id=USER_ID)|e }}"
    assert _one(report, nested, 16).fix == "{% set link = url_for('account.profile', user_id=1) %}"
    # A tag over several lines: the fix is the whole tag, its filter kept.
    assert _one(report, nested, 17).fix == "{{ url_for('shop.item', item_id=ITEM_ID) | upper }}"
    assert _one(report, "templates/base.html", 6).fix == "{{ url_for('index') }}"
    # Two calls of one endpoint on a line: the fix is the failing one's.
    assert _one(report, nested, 3).fix == "{{ url_for('shop.catalog', kind=KIND) }}"


def test_a_passed_name_no_rule_has_while_one_is_missing_is_a_misspelling(report: CheckReport) -> None:
    unlike = _one(report, "checkproj/account.py", 16)
    assert (unlike.code, unlike.kind) == ("RE005", "missing_parameters")
    assert unlike.message.endswith(
        "It passes name, which is no URL variable of 'account.profile': a misspelling of user_id?"
    )
    similar = _one(report, "checkproj/account.py", 15)
    assert (similar.code, similar.kind) == (
        "RE005",
        "wrong_parameter_name",
    ) and "Rename usr_id to user_id" in similar.message
    assert _one(report, "templates/macros.html", 11).code == "RE005"


def test_relative_endpoints_resolve_by_blueprint(report: CheckReport) -> None:
    # A MethodView's method, resolved through the view class's endpoint in blueprint 'api'.
    assert "'api.item'" in _one(report, "api.py", 14).message
    # A template rendered by views of the app and of 'shop', through an imported macro.
    macro = _one(report, "templates/macros.html", 7)
    assert macro.code == "RE001" and macro.message.startswith("When rendered outside blueprints:")
    # Not rendered by any view / not inside a view: said so, never guessed.
    for file, line in (("shop/orphan.html", 2), ("helpers.py", 9)):
        finding = _one(report, file, line)
        assert finding.code == "RE002" and "Could not resolve" in finding.message


def test_kwargs_hide_missing_variables_but_not_the_endpoint(project_app: Flask, tmp_path: Path) -> None:
    module = tmp_path / "kw.py"
    module.write_text(
        "from flask import url_for\n"
        "def f(values):\n"
        "    url_for('shop.item', **values)\n"
        "    url_for('shop.itemz', **values)\n",
        encoding="utf-8",
    )
    findings = check(project_app, [module])
    assert [(f.line, f.code) for f in findings] == [(4, "RE001")]


def test_finding_json_keys_and_suggestions(report: CheckReport) -> None:
    finding = _one(report, "checkproj/views.py", 18)
    assert list(finding.to_dict()) == [
        "file",
        "line",
        "column",
        "code",
        "kind",
        "endpoint",
        "message",
        "suggestion",
        "fix",
    ]
    assert finding.to_dict() | {"file": "", "message": ""} == {
        "file": "",
        "line": 18,
        "column": 9,
        "code": "RE001",
        "kind": "view_name_not_endpoint",
        "endpoint": "ItemAPI",
        "message": "",
        "suggestion": "api.items",
        "fix": 'url_for("api.items")',
    }


def test_assert_not_check_gives_a_readable_message(project_app: Flask) -> None:
    findings = check(project_app)
    text = repr(findings)
    # pytest shows up to 240 characters of a repr without -vv: a count, then the first findings.
    assert len(text) <= 240
    assert text.startswith(f"Findings({len(findings)}): checkproj/account.py:14:5 RE006 '.settings'; ")
    assert text.endswith(" more, findings.report() lists all")
    assert "views.py:13:9 RE001 '.abuot' -> about" in repr(check(project_app, [PACKAGE / "views.py"]))
    # report(): every finding, one per line, with its fix.
    lines = findings.report().splitlines()
    assert lines[0].endswith(
        "account.py:14:5: RE006 'billing' is not a valid tab for "
        "/account/<int:user_id>/settings/<any(privacy, notifications):tab>: it must be one of 'notifications', 'privacy'. "
        "In the fix, replace TAB with the real value."
    )
    # Issue 10: the fix keeps the call's relative '.settings' (it resolves inside blueprint 'account').
    assert lines[1] == '    fix: url_for(".settings", user_id=user_id, tab=TAB)'
    assert str(findings) == findings.report()
    assert repr(Findings()) == "Findings([])" and Findings().report() == "no url_for findings"


def test_assert_not_check_reads_well_under_pytest(project_app: Flask, tmp_path: Path) -> None:
    test_file = tmp_path / "test_urls.py"
    test_file.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(PROJECT)!r})\n"
        "from checkproj import create_app\n"
        "from flask_route_explorer import check\n"
        "def test_urls():\n"
        "    assert not check(create_app())\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    shown = next(line for line in done.stdout.splitlines() if line.startswith("E       AssertionError"))
    assert (
        "assert not Findings(63): checkproj/account.py:14:5 RE006 '.settings'; checkproj/account.py:15:5 RE005 '.settings';"
        in shown
    )
    assert "..." not in shown


def test_inline_suppression(report: CheckReport) -> None:
    endpoints = {f.endpoint for f in report.findings}
    assert "nope" not in endpoints and "nope_again" not in endpoints
    # ignore[RE003] does not silence an RE001 on the same line.
    assert _one(report, "checkproj/views.py", 30).code == "RE001"


def test_unused_endpoints(project_app: Flask) -> None:
    findings = check(project_app, unused=True)
    unused = {f.endpoint for f in findings if f.code == "RE009"}
    # Every other endpoint is named by some literal call, relative ones included ('.cart', '.home').
    assert unused == {"go", "search"}
    finding = next(f for f in findings if f.endpoint == "go")
    assert finding.kind is None and finding.file.endswith("views.py") and finding.line == 26


def test_unparsable_files_are_listed_not_fatal(project_app: Flask, tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    url_for('nope')\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_text("{{ url_for('nope') }\n", encoding="utf-8")
    (tmp_path / "templates" / "fine.html").write_text("{{ url_for('nope') }}\n", encoding="utf-8")
    result = check_report(project_app, [tmp_path])
    assert sorted(Path(u.file).name for u in result.unparsable) == ["broken.html", "broken.py"]
    assert [(Path(f.file).name, f.code) for f in result.findings] == [("fine.html", "RE001")]


def test_files_that_cannot_hold_a_call_are_not_parsed(project_app: Flask, tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "plain.html").write_text("{{ x }\n", encoding="utf-8")
    result = check_report(project_app, [tmp_path])
    assert (result.files, result.unparsable, result.findings) == (2, [], [])


def test_non_ascii_lines_get_character_columns(project_app: Flask, tmp_path: Path) -> None:
    module = tmp_path / "accents.py"
    module.write_text("from flask import url_for\nx = ('héllo', url_for('nope'))\n", encoding="utf-8")
    (finding,) = check(project_app, [module])
    assert finding.column == 15


def test_skips_hidden_and_virtualenv_folders(project_app: Flask, tmp_path: Path) -> None:
    for folder in (".git", "node_modules", "__pycache__", "venv2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.py").write_text("from flask import url_for\nurl_for('nope')\n", encoding="utf-8")
    (tmp_path / "venv2" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    assert check_report(project_app, [tmp_path]).files == 0


def test_missing_path_raises(project_app: Flask, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check(project_app, [tmp_path / "nowhere"])


def test_demo_app_has_only_its_two_deliberate_mistakes() -> None:
    from demo_app import create_app

    findings = check(create_app())
    assert [(Path(f.file).as_posix().rsplit("demo_app/", 1)[1], f.line, f.code, f.endpoint) for f in findings] == [
        ("templates/dashboard.html", 8, "RE001", "user_profile"),
        ("views.py", 28, "RE001", "UserAPI"),
    ]
    assert findings[1].replacement == "api.users"


@pytest.mark.parametrize("blueprint", ["variables", "widgets"])
def test_fix_decision_reads_the_cause_not_the_words_of_the_reason(tmp_path: Path, blueprint: str) -> None:
    """The same mistake is fixed alike whatever the blueprints are called.

    It used to look for the word "variable" in the top candidate's English reason: a blueprint
    named ``variables`` made a same-name guess in it look like the blueprint-variable cause.
    """
    from flask import Blueprint

    app = Flask(__name__)
    bp = Blueprint(blueprint, __name__)
    bp.add_url_rule("/show", "show", lambda: "")
    app.register_blueprint(bp, url_prefix=f"/{blueprint}")
    source = tmp_path / "views.py"
    source.write_text('from flask import url_for\n\n\ndef view():\n    return url_for("settings.show")\n')
    [finding] = check(app, [str(source)])
    assert finding.kind == "wrong_blueprint_prefix"
    assert finding.replacement is None  # a same-name guess in another blueprint is left to a person


def test_fix_for_a_blueprint_variable_is_still_written(tmp_path: Path) -> None:
    """The sure wrong-prefix cause, the blueprint's variable written for its name, stays fixable."""
    import importlib.util

    module_path = tmp_path / "bpmod_for_fix_test.py"
    module_path.write_text(
        "from flask import Blueprint\n"
        "settings_bp = Blueprint('settings', __name__)\n"
        "settings_bp.add_url_rule('/show', 'show', lambda: '')\n"
    )
    spec = importlib.util.spec_from_file_location("bpmod_for_fix_test", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bpmod_for_fix_test"] = module
    try:
        spec.loader.exec_module(module)
        app = Flask(__name__)
        app.register_blueprint(module.settings_bp, url_prefix="/settings")
        source = tmp_path / "views.py"
        source.write_text('from flask import url_for\n\n\ndef view():\n    return url_for("settings_bp.show")\n')
        [finding] = check(app, [str(source)])
        assert finding.kind == "wrong_blueprint_prefix"
        assert finding.replacement == "settings.show"
    finally:
        del sys.modules["bpmod_for_fix_test"]
