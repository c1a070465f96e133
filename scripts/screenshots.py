"""Regenerate the README's screenshots in docs/ from the demo app, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--out docs]

Starts the demo app under ``flask run --debug`` on a free port (the same start path as the browser
tests), takes one 1280x800 viewport picture per face, in the state a new user gets (the debug
toolbar as it opens on a first visit), and stops the app. The pictures are made
here, on demand, rather than by the test suite, so running the tests never dirties the git tree.
"""

from __future__ import annotations

import argparse
import sys
import typing as t
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM_FLAGS, _chromium_path, start_server, stop_server  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
#: A README picture bigger than this makes the page slow to load; a viewport shot stays well under.
MAX_BYTES = 300_000


@dataclass(frozen=True)
class Shot:
    """One picture: which page, in which colour scheme, and what to do before taking it."""

    name: str
    path: str
    dark: bool = False
    prepare: t.Callable[[t.Any], None] | None = None


def open_routes_panel(page: t.Any) -> None:
    """Show the debug toolbar and open its Routes panel, as a developer would."""
    page.wait_for_selector("#flDebug", state="attached")
    if page.locator("#flDebugShowToolBarButton").is_visible():
        page.click("#flDebugShowToolBarButton")
    page.locator("#flDebugRouteExplorerPanel a").click()
    page.locator("#flDebugRouteExplorerPanel-content").wait_for(state="visible")


SHOTS = [
    Shot("explorer", "/_routes/"),
    Shot("explorer-dark", "/_routes/?q=usr", dark=True),
    Shot("build-tester", "/_routes/build?endpoint=users.user_profile&user_id=7"),
    Shot("match-tester", "/_routes/match?path=/users/abc"),
    Shot("error-page", "/dashboard"),
    Shot("toolbar-panel", "/users/7", prepare=open_routes_panel),
]


def take(base_url: str, out: Path) -> list[Path]:
    """Take every picture of SHOTS against the running demo app; return the files written."""
    from playwright.sync_api import sync_playwright

    executable = _chromium_path()
    if executable is None:
        raise SystemExit("chromium is not installed (make browser installs it)")
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            for shot in SHOTS:
                context = browser.new_context(viewport=VIEWPORT, color_scheme="dark" if shot.dark else "light")
                # No cookie, no tucked-away toolbar: the state a new user gets.
                page = context.new_page()
                page.goto(base_url + shot.path)
                page.wait_for_load_state("networkidle")
                if shot.prepare is not None:
                    shot.prepare(page)
                path = out / f"{shot.name}.png"
                # caret="initial" leaves the focused input alone (no style="" for the CSP to report).
                page.screenshot(path=str(path), caret="initial")
                context.close()
                size = path.stat().st_size
                if size > MAX_BYTES:
                    raise SystemExit(f"{path} is {size:,} bytes, over {MAX_BYTES:,}")
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {size // 1024} KB")
                written.append(path)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNG files (default: docs)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    flask_bin = str(Path(sys.executable).with_name("flask"))
    server = start_server(
        [flask_bin, "--app", "demo_app:create_app", "run", "--debug", "--no-reload", "--port", "{port}"]
    )
    try:
        take(server.url, args.out.resolve())
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
