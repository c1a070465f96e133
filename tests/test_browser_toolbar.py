"""The "Routes" toolbar panel in a real headless Chromium, on the demo app under ``flask run --debug``."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
pytest.importorskip("flask_debugtoolbar")


#: Runs before any page script: records CSP violations (the error page keeps a strict CSP).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def real_errors(page: t.Any, failed_urls: list[str]) -> list[str]:
    """Console errors, less the browser's own favicon probe (the demo app has no favicon)."""
    assert all(url.endswith("/favicon.ico") for url in failed_urls), failed_urls
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")]


def open_routes_panel(page: t.Any) -> t.Any:
    """Show the toolbar if it was hidden (its ``fldt`` cookie), then open our panel."""
    page.wait_for_selector("#flDebug", state="attached")
    if page.locator("#flDebugShowToolBarButton").is_visible():
        page.click("#flDebugShowToolBarButton")
    entry = page.locator("#flDebugRouteExplorerPanel a")
    entry.wait_for(state="visible")
    entry.click()
    content = page.locator("#flDebugRouteExplorerPanel-content")
    content.wait_for(state="visible")
    return content


def test_the_panel_lists_the_requests_url_for_calls(
    demo_server: str, page: t.Any, screenshot: t.Callable[[str], Path]
) -> None:
    failed_urls: list[str] = []
    page.on("response", lambda r: failed_urls.append(r.url) if r.status >= 400 else None)
    page.goto(demo_server + "/users/7")
    nav = page.locator("#flDebugRouteExplorerPanel small").inner_text()
    assert nav.endswith("· 10 url_for") and "rules" in nav
    content = open_routes_panel(page)

    panel = content.locator(".fre-panel")
    assert "users.user_profile" in panel.locator(".fre-request").inner_text()
    rows = panel.locator("table.fre-calls").first.locator("tbody tr")
    assert rows.count() == 10
    assert "url_for('users.user_bio', user_id=7, lang='en')" in rows.nth(6).inner_text()
    assert "users/profile.html:9" in rows.nth(6).inner_text()
    # Our stylesheet is applied inside the toolbar (scoped), and the tool calls are folded away.
    assert panel.locator(".badge.m-GET").first.evaluate("e => getComputedStyle(e).color") == "rgb(43, 138, 62)"
    assert not panel.locator("details.fre-internal table").is_visible()
    assert screenshot("toolbar-panel").exists()
    assert real_errors(page, failed_urls) == []


def test_the_panel_on_the_error_page(demo_server: str, browser: t.Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        response = page.goto(demo_server + "/dashboard")
        assert response.status == 500
        nav = page.locator("#flDebugRouteExplorerPanel small")
        assert "✗ 1 failed" in nav.inner_text()
        assert nav.locator(".fre-nav-failed").evaluate("e => getComputedStyle(e).color") == "rgb(255, 128, 128)"
        content = open_routes_panel(page)
        failed = content.locator("tr.is-failed")
        assert failed.count() == 1
        text = failed.inner_text()
        assert "url_for('user_profile')" in text and "dashboard.html:8" in text
        assert "users.user_profile" in text  # the diagnosis' fix
        page.screenshot(path=str(tmp_path / "toolbar-error-page.png"))
        print(f"screenshot: {tmp_path / 'toolbar-error-page.png'}")
        # The strict CSP stays on, widened by hash: the toolbar's script and styles run, nothing is blocked.
        assert page.evaluate("window.__cspViolations") == []
        assert errors == []
    finally:
        context.close()


def test_the_explorer_pages_stay_without_the_toolbar(demo_server: str, page: t.Any) -> None:
    page.goto(demo_server + "/_routes/")
    page.wait_for_load_state("load")
    assert page.locator("#flDebug").count() == 0
    assert page.console_errors == []
