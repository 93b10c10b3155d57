"""Fixtures for the real-browser tests (see tests/e2e/browser.py for the helpers).

One headless Chromium serves the whole session; each test gets fresh browser
contexts (no cookies shared between tests) pointed at pytest-django's live server,
so relative paths work: ``visit(page, "/privacy/")``.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e import browser as site


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Remembered so a fixture does not pile its own complaint on a test that already failed.
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


def _require_built_stylesheet():
    # Pages are judged with the stylesheet people get (colour contrast, focus, hiding).
    built = site.ROOT / "static" / "build" / "app.css"
    sources = list((site.ROOT / "frontend").glob("*.scss"))
    if not built.exists() or built.stat().st_mtime < max(s.stat().st_mtime for s in sources):
        pytest.fail(
            "static/build/app.css is missing or older than frontend/*.scss: "
            "run `make install` or `npm run --silent build:css` first.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    _require_built_stylesheet()
    # Playwright's sync API keeps an asyncio loop running in this thread, which
    # Django takes for an async context; the ORM calls here are plain sync code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=site.CHROMIUM, headless=True, args=site.LAUNCH_ARGS
        )
        yield instance
        instance.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # Each sign-in hashes a password; the real hasher's slowness is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _new_context(chromium, live_server, *, javascript: bool):
    return chromium.new_context(
        base_url=live_server.url,
        java_script_enabled=javascript,
        locale="en-GB",
        timezone_id="Europe/London",
    )


def _finish(request, tab):
    if not getattr(request.node, "e2e_call_failed", True):
        site.assert_all_checked(tab)


@pytest.fixture
def page(request, chromium, live_server, transactional_db):
    """A browser tab with JavaScript on.

    Every page it loads must be checked (``visit``, ``navigation`` or
    ``check_accessibility``) and must log no console error: the test fails otherwise.
    """
    context = _new_context(chromium, live_server, javascript=True)
    tab = context.new_page()
    site.watch(tab)
    try:
        yield tab
        _finish(request, tab)
    finally:
        site.unwatch(tab)
        context.close()


@pytest.fixture
def page_without_js(request, chromium, live_server, transactional_db):
    """A browser tab with JavaScript off, held to the same rules as ``page``.

    axe-core cannot run in a page whose JavaScript is off (its checks never finish),
    so each check serves the DOM this tab holds, at the same address and with the
    same stylesheets, to a JavaScript-on tab whose site scripts are blanked, and runs
    axe there. The behaviour itself (forms, links, redirects) is this tab's own.
    """
    context = _new_context(chromium, live_server, javascript=False)
    checker = _new_context(chromium, live_server, javascript=True)
    tab = context.new_page()
    site.watch(tab, checker=checker)
    try:
        yield tab
        _finish(request, tab)
    finally:
        site.unwatch(tab)
        checker.close()
        context.close()
