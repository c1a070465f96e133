"""The live testers in a real headless Chromium, against the demo app served by ``flask run --debug``."""

from __future__ import annotations

import time
import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def wait_until(condition: t.Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll from Python: the page's CSP forbids the eval behind Playwright's wait_for_function."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def still_shot(page: t.Any, name: str) -> Path:
    """A full-page screenshot that leaves the DOM alone: by default Playwright hides the caret with
    a ``style`` attribute on every input, which htmx then copies onto swapped-in inputs (a CSP report)."""
    path = Path(page.screenshot_dir) / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, caret="initial")
    print(f"screenshot: {path}")
    return path


def text(page: t.Any, selector: str) -> str:
    locator = page.locator(selector)
    return str(locator.inner_text()) if locator.count() else ""


def test_build_tester_live(page: t.Any, demo_server: str) -> None:
    page.goto(f"{demo_server}/_routes/build")
    assert "Pick an endpoint" in text(page, "#build-result")
    page.evaluate("window.__samePage = true")

    # The picker: a typo lists the endpoint; picking it shows one input per variable.
    page.locator("#endpoint").type("usr profle", delay=20)
    page.wait_for_selector("#endpoint-suggestions .suggestion")
    assert "users.user_profile" in text(page, "#endpoint-suggestions")
    still_shot(page, "build-picker")
    page.locator("#endpoint-suggestions .suggestion", has_text="users.user_profile").first.click()
    page.wait_for_selector("input[name=user_id]")
    assert page.get_attribute("input[name=user_id]", "type") == "number"
    # Before anything is typed into it, the empty required field is a prompt, not an error.
    page.wait_for_selector("[data-testid=build-prompt]")
    assert page.locator("[data-testid=build-failed]").count() == 0
    assert "Fill in user_id to build the URL." in text(page, "#build-result")

    # Typing a value updates the URL, the round trip and the calls in place.
    page.evaluate("window.__samePage = true")
    page.locator("input[name=user_id]").type("7", delay=20)
    wait_until(lambda: text(page, "[data-testid=built-url]") == "/users/7")
    assert "round trip ✓" in text(page, "#build-result")
    assert text(page, "[data-testid=python-call]") == "url_for('users.user_profile', user_id=7)"
    assert text(page, "[data-testid=jinja-call]") == "{{ url_for('users.user_profile', user_id=7) }}"
    assert page.evaluate("window.__samePage") is True  # htmx swapped the result, no navigation
    assert "user_id=7" in page.url  # the state stays in the address bar
    still_shot(page, "build-ok")

    # A value the int converter refuses: the diagnosis replaces the URL.
    page.fill("input[name=user_id]", "1.5")
    page.wait_for_selector("[data-testid=build-failed]")
    assert "invalid_value" in text(page, "#build-result")
    assert "user_id" in text(page, "[data-testid=diagnosis]")
    still_shot(page, "build-diagnosis")

    # A value that builds but does not come back (int(min=1)): the round trip says why.
    page.fill("#endpoint", "users.settings")
    page.wait_for_selector("#build-fields legend:has-text('users.settings')")
    page.fill("input[name=user_id]", "0")
    wait_until(lambda: "Round trip fails" in text(page, "#build-result"))
    assert "below the minimum 1" in text(page, "#build-result")
    still_shot(page, "build-roundtrip")

    # Special arguments: the URL updates too.
    page.fill("input[name=user_id]", "3")
    page.check("input[name=_external]")
    page.fill("#_anchor", "prefs")
    # External URLs carry the host the developer's browser uses, as url_for in a real request would.
    wait_until(lambda: text(page, "[data-testid=built-url]") == f"{demo_server}/users/3/settings#prefs")
    assert page.console_errors == [], page.console_errors


def test_typing_before_the_scripts_run_is_not_lost(page: t.Any, demo_server: str) -> None:
    """Under load the deferred scripts can run after the user typed: that value must still be built."""
    held: list[t.Any] = []
    page.route("**/htmx-2.0.11.min.js", lambda route: held.append(route))
    page.goto(f"{demo_server}/_routes/build?endpoint=users.user_profile", wait_until="commit")
    page.wait_for_selector("input[name=user_id]")
    page.locator("input[name=user_id]").type("7")
    wait_until(lambda: bool(held) or page.wait_for_timeout(20))
    held[0].continue_()
    wait_until(lambda: text(page, "[data-testid=built-url]") == "/users/7")
    assert page.console_errors == [], page.console_errors


def test_typing_into_a_field_while_the_fields_of_a_new_endpoint_arrive(page: t.Any, demo_server: str) -> None:
    """The fields swap answers a request sent before the typing: what was typed meanwhile stays."""
    page.goto(f"{demo_server}/_routes/build?endpoint=users.user_profile&user_id=7")
    held: list[t.Any] = []

    def hold_first_switch(route: t.Any) -> None:
        if not held and "endpoint=users.settings" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route("**/_routes/build?*", hold_first_switch)
    page.fill("#endpoint", "users.settings")
    wait_until(lambda: bool(held) or page.wait_for_timeout(20))
    page.fill("input[name=user_id]", "3")  # still the input of users.user_profile
    held[0].continue_()
    page.wait_for_selector("#build-fields legend:has-text('users.settings')")
    assert page.input_value("input[name=user_id]") == "3"
    wait_until(lambda: text(page, "[data-testid=built-url]") == "/users/3/settings")
    assert page.console_errors == [], page.console_errors


def test_build_tester_prefilled_and_without_javascript(browser: t.Any, demo_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{demo_server}/_routes/build?endpoint=admin.reports.period_report&period=weekly")
        assert page.locator("[data-testid=built-url]").inner_text() == "/admin/reports/weekly"
        page.select_option("select[name=period]", "daily")
        page.click("button[type=submit]")
        page.wait_for_url("**period=daily**")
        assert page.locator("[data-testid=built-url]").inner_text() == "/admin/reports/daily"
    finally:
        context.close()


def test_match_tester(page: t.Any, demo_server: str) -> None:
    page.goto(f"{demo_server}/_routes/match?path=/users/7")
    card = "[data-testid=match-result]"
    assert page.get_attribute(card, "data-status") == "200"
    assert "users.user_profile" in text(page, card) and "int" in text(page, "[data-testid=values]")
    still_shot(page, "match-200")

    page.evaluate("window.__samePage = true")
    page.fill("#path", "/users/abc")
    wait_until(lambda: page.get_attribute(card, "data-status") == "404")
    assert "segment 'abc' is not accepted by int for user_id" in text(page, "[data-testid=near]")
    still_shot(page, "match-404")

    page.fill("#path", "/users/7")
    page.select_option("#method", "POST")
    wait_until(lambda: page.get_attribute(card, "data-status") == "405")
    assert "method POST not allowed (allowed: GET)" in text(page, card)
    still_shot(page, "match-405")

    page.select_option("#method", "GET")
    page.fill("#path", "/blog")
    wait_until(lambda: page.get_attribute(card, "data-status") == "308")
    assert "trailing slash: redirects to /blog/" in text(page, card)
    still_shot(page, "match-308")
    assert page.evaluate("window.__samePage") is True

    # Following the redirect in the matcher.
    page.click("[data-testid=redirect]")
    wait_until(lambda: page.get_attribute(card, "data-status") == "200")
    assert "blog_index" in text(page, card)
    assert page.console_errors == [], page.console_errors


def test_a_fix_with_a_placeholder_is_shown_as_a_template(page: t.Any, demo_server: str) -> None:
    """What the user reads: 'Fix: a template', 'fill in USER_ID', never 'verified to build'."""
    page.goto(f"{demo_server}/_routes/build?endpoint=user_profile")
    page.wait_for_selector("[data-testid=fix-status]")
    assert text(page, "[data-testid=fix-status]") == "fill in USER_ID"
    assert "fix: a template" in text(page, "#build-result").lower()  # the label is shown in capitals
    assert "USER_ID" in text(page, "[data-testid=fix]")
    assert "verified to build" not in text(page, "#build-result").lower()
    assert page.locator("[data-testid=fix-status]").is_visible()
