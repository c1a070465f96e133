"""The explorer in a real headless Chromium, against the demo app served by ``flask run --debug``."""

from __future__ import annotations

import re
import time
import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROWS = "#results tr.route-row"


def open_explorer(page: t.Any, demo_server: str, query: str = "") -> None:
    page.goto(f"{demo_server}/_routes/{query}")
    page.wait_for_selector(ROWS)


def wait_until(condition: t.Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll from Python: the page's CSP forbids the eval behind Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def endpoints(page: t.Any) -> list[str]:
    return page.locator(f"{ROWS} .endpoint").all_inner_texts()


def test_live_search_filters_and_links(page: t.Any, demo_server: str, screenshot: t.Callable[[str], Path]) -> None:
    open_explorer(page, demo_server)
    assert re.search(r"\d+ rules · \d+ blueprints", page.inner_text("[data-testid=counts]"))
    total = page.locator(ROWS).count()
    assert total > 15
    assert "users.user_profile" in endpoints(page)
    # The audit comes in its own request once the page is shown, and replaces its placeholder line.
    page.wait_for_selector("#audit-summary:not(.is-pending)")
    assert page.inner_text("[data-testid=audit-summary]").startswith("Audit of the URL map")
    screenshot("explorer-light")

    # "/" focuses the search box; typing (with a typo) updates the table without a page load.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.evaluate("window.__samePage = true")
    page.keyboard.type("profle", delay=30)
    page.wait_for_url(re.compile(r"q=profle"))
    wait_until(lambda: page.locator(ROWS).count() < 5)
    assert "users.user_profile" in endpoints(page)
    assert page.evaluate("window.__samePage") is True  # htmx swapped the fragment, no navigation
    assert "blueprint=" not in page.url  # empty fields stay out of the shareable URL
    screenshot("explorer-search")

    # A path: the rule Werkzeug picks comes first, marked as matching.
    page.fill("#q", "/users/7")
    page.wait_for_selector("#results tr.is-match")
    first = page.locator(ROWS).first
    assert "users.user_profile" in first.inner_text() and "matches" in first.inner_text()
    assert page.locator("a", has_text="Test this path in the matcher").count() == 1
    screenshot("explorer-path")

    # A method chip (a checkbox in the form) filters and lands in the shareable URL.
    page.fill("#q", "")
    wait_until(lambda: page.locator(ROWS).count() == total)
    page.locator("label.chip-check", has_text="POST").click()
    page.wait_for_url(re.compile(r"method=POST"))
    wait_until(lambda: page.locator(ROWS).count() < total)
    assert page.locator(f"{ROWS} .cell-methods .badge.m-POST").count() == page.locator(ROWS).count()

    # A filter link (a blueprint section's "only this") opens a shareable filtered view.
    page.goto(f"{demo_server}/_routes/")
    page.locator("details.group", has_text="admin.reports").locator("a.group-filter").click()
    page.wait_for_url(re.compile(r"blueprint=admin.reports"))
    assert set(endpoints(page)) == {e for e in endpoints(page) if e.startswith("admin.reports.")}
    assert page.input_value("#blueprint") == "admin.reports"
    assert page.console_errors == []


def test_works_without_javascript(browser: t.Any, demo_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{demo_server}/_routes/")
        page.fill("#q", "settings")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"q=settings"))
        assert page.locator(f"{ROWS} .endpoint").all_inner_texts()[0] == "users.settings"
    finally:
        context.close()


def test_dark_mode(page: t.Any, demo_server: str, screenshot: t.Callable[[str], Path]) -> None:
    page.emulate_media(color_scheme="dark")
    open_explorer(page, demo_server, "?q=/admin/reports/daily")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 60, background
    screenshot("explorer-dark")
    assert page.console_errors == []


def test_a_screen_holds_many_routes_one_line_each(browser: t.Any, demo_server: str, tmp_path: Path) -> None:
    """At 1280x800, as a new user opens it: rows are one line, and their links show without hover."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        open_explorer(page, demo_server)
        page.screenshot(path=str(tmp_path / "explorer-1280.png"), caret="initial")
        heights = page.evaluate(
            "() => [...document.querySelectorAll('#results tr.route-row')].map(r => r.getBoundingClientRect().height)"
        )
        single = [h for h in heights if h <= 34]
        assert len(single) >= len(heights) - 2, heights  # only rows with many method badges may wrap
        in_view = page.evaluate(
            "() => [...document.querySelectorAll('#results tr.route-row')]"
            ".filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length"
        )
        assert in_view >= 12, in_view
        first_build = page.locator(f"{ROWS} .cell-actions a", has_text="Build").first
        assert first_build.is_visible()  # no hover needed (keyboard and touch users never hover)
        # The docstring line on demand: a long one opens in place.
        long_doc = page.locator(f"{ROWS} details.doc").first
        long_doc.locator("summary").click()
        assert long_doc.evaluate("(d) => d.open") is True
    finally:
        context.close()


def test_search_marks_the_matched_text(page: t.Any, demo_server: str) -> None:
    open_explorer(page, demo_server, "?q=profile")
    marks = page.locator(f"{ROWS} .endpoint mark").all_inner_texts()
    assert marks and all(m.lower() == "profile" for m in marks)
