"""Drive a real Chromium and hold every page it shows to WCAG 2.2 AA.

Tests use four helpers, all of which check the page they arrive at:

- ``visit(page, "/path")`` opens a URL;
- ``with navigation(page): ...`` wraps a click or a key press that loads a new page;
- ``check_accessibility(page)`` checks the page as it is now (after a page loaded some
  other way, or after something on it changed);
- ``sign_in(page, email, password)`` fills in and sends the sign-in form.

A check runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, plus best practice) and fails
the test on any violation, and on any console error or uncaught exception the page
produced, which is how a Content-Security-Policy violation shows. The ``page``
fixture also fails a test that loaded a page it never checked, so a check cannot be
forgotten.

axe-core is read from node_modules and run with ``page.evaluate``: the site's
Content-Security-Policy forbids injected ``<script>`` elements, and the CSP is never
bypassed, so what is tested is what people get.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = [
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22a",
    "wcag22aa",
    "best-practice",
]
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target,
      summary: node.failureSummary,
      html: node.html,
    })),
  }));
}"""

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's wait for an element or a page; the live server answers in milliseconds.
TIMEOUT_MS = 10_000

_FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")


@dataclass
class Watch:
    """What one page did: the documents it loaded, which were checked, and its errors."""

    # A context with JavaScript on, for running axe on what a page with JavaScript off shows.
    checker: BrowserContext | None = None
    loads: int = 0
    checked: int = 0
    current_url: str = ""
    unchecked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed_loads: list[tuple[int, str]] = field(default_factory=list)

    def on_load(self, page: Page) -> None:
        if self.loads > self.checked:
            self.unchecked.append(self.current_url)
        self.loads += 1
        self.current_url = page.url

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        failed = _FAILED_LOAD.match(message.text)
        if failed:
            # Kept apart: a document answered with the status a test expects is not an error.
            self.failed_loads.append((int(failed.group(1)), url))
        else:
            self.errors.append(f"console error: {message.text} ({url})")

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught exception: {error}")


_watches: dict[int, Watch] = {}


def watch(page: Page, *, checker: BrowserContext | None = None) -> Watch:
    """Start recording what ``page`` loads and logs (the fixtures call this)."""
    state = Watch(checker=checker)
    page.on("domcontentloaded", state.on_load)
    page.on("console", state.on_console)
    page.on("pageerror", state.on_page_error)
    page.set_default_timeout(TIMEOUT_MS)
    _watches[id(page)] = state
    return state


def unwatch(page: Page) -> Watch:
    return _watches.pop(id(page))


def _watch_of(page: Page) -> Watch:
    try:
        return _watches[id(page)]
    except KeyError:
        raise AssertionError(
            "This page is not watched: use the `page` or `page_without_js` fixture."
        ) from None


def visit(page: Page, path: str, *, status: int = 200) -> Page:
    """Open ``path`` on the live server, expect ``status`` and check the page."""
    response = page.goto(path)
    assert response is not None, f"{path} gave no response"
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    check_accessibility(page, status=status)
    return page


@contextlib.contextmanager
def navigation(page: Page, *, status: int = 200) -> Iterator[None]:
    """Wrap the action that loads the next page; that page is then checked.

    with navigation(page):
        page.get_by_role("button", name="Continue").click()
    """
    with page.expect_navigation() as info:
        yield
    response = info.value
    assert response is not None, f"{page.url} gave no response"
    assert response.status == status, f"{page.url} answered {response.status}, expected {status}"
    check_accessibility(page, status=status)


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill in the sign-in form on the current page and send it, as a person would."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()


def sign_in_with_code(page: Page, email: str) -> None:
    """Sign in as a staff member made with StaffFactory(authenticator=True): password, then code."""
    from tests.council.factories import PASSWORD, TOTP_SECRET
    from tests.e2e.test_staff_sign_in import authenticator_code

    visit(page, "/accounts/login/")
    sign_in(page, email, PASSWORD)
    page.get_by_label("Code").fill(authenticator_code(TOTP_SECRET))
    with navigation(page):
        page.get_by_role("button", name="Sign in").click()


def check_accessibility(page: Page, *, status: int = 200) -> None:
    """Fail on any axe-core violation, console error or uncaught exception on ``page``.

    ``status`` is the status the current document was answered with: a 404 page
    makes Chromium log "Failed to load resource" for the document itself, which is
    expected there and nowhere else.
    """
    state = _watch_of(page)
    page.wait_for_load_state("load")
    if state.checker is None:
        violations = _run_axe(page)
    else:
        violations = _run_axe_without_page_scripts(state.checker, page)
    state.checked = state.loads
    problems = _console_problems(state, page.url, status)
    report = []
    if violations:
        report.append(format_violations(page.url, violations))
    if problems:
        report.append("\n".join(problems))
    assert not report, "\n\n".join(report)


def assert_all_checked(page: Page) -> None:
    """Fail if the page loaded a document no check looked at, or logged an error since."""
    state = _watch_of(page)
    unchecked = list(state.unchecked)
    if state.loads > state.checked:
        unchecked.append(page.url)
    problems = list(state.errors) + [
        f"a resource failed to load with status {status}: {url}"
        for status, url in state.failed_loads
    ]
    assert not unchecked, (
        "These pages were loaded but never checked (use visit, navigation or "
        f"check_accessibility): {', '.join(unchecked)}"
    )
    assert not problems, "\n".join(problems)


def _console_problems(state: Watch, url: str, status: int) -> list[str]:
    problems = list(state.errors)
    for failed_status, failed_url in state.failed_loads:
        if not (failed_status == status and failed_url == url):
            problems.append(f"a resource failed to load with status {failed_status}: {failed_url}")
    state.errors.clear()
    state.failed_loads.clear()
    return problems


def _run_axe(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(AXE_RUN, AXE_TAGS)


def _run_axe_without_page_scripts(checker: BrowserContext, page: Page) -> list[dict]:
    """axe for a page shown with JavaScript off.

    axe is JavaScript and cannot finish in a page whose scripts are disabled, so the
    document exactly as that page holds it is served again, at the same address, to
    a page with JavaScript on whose own scripts are all replaced by empty ones. The
    stylesheets and images load as they did, so colours and layout are the same, and
    no script of the site runs, so the DOM is what a person without JavaScript got.
    (A <noscript> element would be shown there but not here; the site uses none.)
    """
    html = page.content()
    url = page.url
    shadow = checker.new_page()
    try:
        # Patterns, not a catch-all, so other requests (stylesheets, images) need no round trip.
        shadow.route(
            re.compile(re.escape(url) + "$"),
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        shadow.route(
            re.compile(r"\.m?js(\?.*)?$"),
            lambda route: route.fulfill(status=200, content_type="text/javascript", body=""),
        )
        shadow.goto(url)
        return _run_axe(shadow)
    finally:
        shadow.close()


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} kind(s) of violation on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            for detail in (node["summary"] or "").splitlines():
                lines.append(f"      {detail}")
    return "\n".join(lines)
