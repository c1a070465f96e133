"""The enriched error page in a real headless Chromium, against the demo app under ``flask run --debug``."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


#: Runs before any page script: records CSP violations with whether the toolbar caused them.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  var target = event.target && event.target.closest ? event.target : null;
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    toolbar: !!(target && target.closest('#flDebug')),
  });
});
"""


@pytest.fixture
def error_page(browser: t.Any, demo_server: str, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[t.Any]:
    """A page whose context may read the clipboard, with script errors recorded.

    Flask-DebugToolbar (on in the demo) starts collapsed, as a developer who tucked it away leaves it.
    """
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    context.add_cookies([{"name": "fldt", "value": "hide", "url": demo_server}])
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.script_errors = []
    page.on("pageerror", lambda exc: page.script_errors.append(str(exc)))
    page.screenshot_dir = tmp_path_factory.mktemp("errorpage-screenshots")
    yield page
    context.close()


def _shot(page: t.Any, name: str, full_page: bool = True) -> Path:
    path = Path(page.screenshot_dir) / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, caret="initial")
    print(f"screenshot: {path}")
    return path


def _assert_clean(page: t.Any) -> None:
    """No script error and no CSP violation, from our page or from the toolbar injected into it."""
    assert page.script_errors == []
    assert page.evaluate("window.__cspViolations") == []


def _clipboard(page: t.Any) -> str:
    return t.cast(str, page.evaluate("navigator.clipboard.readText()"))


def test_dashboard_template_mistake(demo_server: str, error_page: t.Any) -> None:
    page = error_page
    response = page.goto(demo_server + "/dashboard")
    assert response.status == 500
    assert response.headers["content-security-policy"].startswith("default-src 'self'")

    headline = page.locator(".err-headline")
    assert "user_profile" in headline.inner_text()
    assert page.locator(".err-class").inner_text() == "BuildError"

    current = page.locator(".err-source .line.is-current")
    assert "url_for('user_profile')" in current.inner_text()
    assert "dashboard.html" in page.locator(".err-where").inner_text()

    fix = page.locator("#err-fix").inner_text()
    assert fix.startswith("{{ url_for('users.user_profile'") and "user_id=user.id" in fix and fix.endswith("}}")
    assert "users.user_profile" in page.locator(".err-diff .line.add").inner_text()
    assert page.locator(".err-builds a.mono").inner_text().startswith("/users/")

    first_row = page.locator(".err-near tbody tr").first
    assert "users.user_profile" in first_row.inner_text()
    assert first_row.locator(".rule .var").count() == 1

    page.locator(".err-fix-code button").click()
    page.wait_for_function("document.querySelector('.err-fix-code button').classList.contains('is-copied')")
    assert _clipboard(page) == fix

    trace = page.locator("details.err-trace")
    assert trace.get_attribute("open") is None
    page.locator("details.err-trace > summary").click()
    assert trace.get_attribute("open") is not None
    assert page.locator(".err-frame.is-call").count() >= 1

    _shot(page, "dashboard-light")
    page.emulate_media(color_scheme="dark")
    _shot(page, "dashboard-dark")
    _assert_clean(page)

    # The fix's "Try it" opens the build tester with the fix's endpoint and the value it was built with.
    built = page.locator(".err-builds a.mono").inner_text()
    page.locator(".err-builds .err-try").click()
    page.wait_for_url("**/_routes/build?**")
    assert page.locator("input[name=endpoint]").input_value() == "users.user_profile"
    assert page.locator("input[name=user_id]").input_value() == built.rsplit("/", 1)[1]


def test_debug_toolbar_still_works_on_the_page(demo_server: str, error_page: t.Any) -> None:
    page = error_page
    page.goto(demo_server + "/dashboard")
    handle = page.locator("#flDebugToolbarHandle")
    assert handle.is_visible() and not page.locator("#flDebugToolbar").is_visible()
    page.locator("#flDebugShowToolBarButton").click()
    assert page.locator("#flDebugToolbar").is_visible()
    _shot(page, "dashboard-toolbar", full_page=False)
    _assert_clean(page)


def test_copy_as_markdown(demo_server: str, error_page: t.Any) -> None:
    page = error_page
    page.goto(demo_server + "/dashboard")
    page.locator("button[data-copy-from='#err-markdown']").click()
    page.wait_for_function(
        "document.querySelector(\"[data-copy-from='#err-markdown']\").classList.contains('is-copied')"
    )
    text = _clipboard(page)
    assert text.startswith("**BuildError**")
    assert "dashboard.html" in text and "users.user_profile" in text and "```jinja" in text
    _assert_clean(page)


def test_python_mistake_and_werkzeug_debugger_link(demo_server: str, error_page: t.Any) -> None:
    page = error_page
    response = page.goto(demo_server + "/broken-redirect")
    assert response.status == 500
    assert page.locator(".err-call .tag").first.inner_text() == "Python"
    assert 'url_for("UserAPI")' in page.locator(".err-source .line.is-current").inner_text()
    assert "url_for('api.users')" in page.locator("#err-fix").inner_text().replace('"', "'")
    first_row = page.locator(".err-near tbody tr").first
    assert "api.users" in first_row.inner_text()
    # api.users has two rules: the row shows the suggested one's methods and arguments, not the other's
    assert first_row.locator(".badge").all_inner_texts() == ["GET", "POST"]
    assert first_row.locator(".err-arg").count() == 0
    _shot(page, "broken-redirect-light")
    page.emulate_media(color_scheme="dark")
    _shot(page, "broken-redirect-dark")
    _assert_clean(page)

    page.emulate_media(color_scheme="light")
    page.get_by_role("link", name="Show the Werkzeug debugger").click()
    page.wait_for_load_state()
    assert "_route_explorer=debugger" in page.url
    assert page.locator(".err-hero").count() == 0
    assert "BuildError" in page.content()  # Werkzeug's own debugger page


def test_the_essentials_fit_above_the_fold(demo_server: str, error_page: t.Any) -> None:
    """At a laptop's 1280x840 the headline, the failing line and the fix show without scrolling."""
    page = error_page
    page.set_viewport_size({"width": 1280, "height": 840})
    page.goto(demo_server + "/dashboard")
    for selector in (".err-headline", ".err-source .line.is-current", "#err-fix", ".err-fix-code button"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 840, selector
    _shot(page, "above-the-fold", full_page=False)
    _assert_clean(page)


def _uncovered(page: t.Any, selector: str) -> list[str]:
    """The elements matching ``selector`` whose centre is covered by something else (the toolbar)."""
    return t.cast(
        list[str],
        page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
                const box = el.getBoundingClientRect();
                el.scrollIntoView({block: 'center'});
                const now = el.getBoundingClientRect();
                const hit = document.elementFromPoint(now.left + now.width / 2, now.top + now.height / 2);
                return !(hit && (hit === el || el.contains(hit)));
            }).map((el) => el.textContent.trim())""",
            selector,
        ),
    )


def test_the_expanded_toolbar_never_covers_the_fix(browser: t.Any, demo_server: str, tmp_path: Path) -> None:
    """A new user's state: no cookie, the debug toolbar expanded, 1280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(demo_server + "/dashboard")
        page.wait_for_load_state("networkidle")
        assert page.locator("#flDebugToolbar").is_visible()  # expanded, as on a first visit
        buttons = ".err-fix-code button, .err-try, table .button"
        assert page.locator(buttons).count() >= 3
        covered = _uncovered(page, buttons)
        page.screenshot(path=str(tmp_path / "toolbar-expanded.png"), caret="initial")
        assert covered == [], covered
        # Hidden by the user, the page takes the whole width again.
        page.click("#flDebugHideToolBarButton")
        page.locator("#flDebugToolbar").wait_for(state="hidden")
        assert page.evaluate("() => getComputedStyle(document.body).paddingRight") == "0px"
    finally:
        context.close()
