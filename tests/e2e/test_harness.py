"""The browser checks themselves fail when they should, so a passing page means something.

Each test serves a deliberately broken page at an address of the live server (the
browser intercepts the request) and expects the check to fail with a useful report.
"""

import pytest

from tests.e2e.browser import assert_all_checked, check_accessibility, visit

pytestmark = pytest.mark.browser

BROKEN = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/static/images/favicon.svg"></main></body></html>"""


def serve(page, path, body, headers=None):
    page.route(
        f"**{path}",
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=body, headers=headers
        ),
    )


@pytest.mark.parametrize("fixture", ["page", "page_without_js"])
def test_an_axe_violation_fails_the_check_with_the_rule_and_the_element(request, fixture):
    page = request.getfixturevalue(fixture)
    serve(page, "/e2e/broken/", BROKEN)
    with pytest.raises(AssertionError) as failure:
        visit(page, "/e2e/broken/")
    report = str(failure.value)
    assert "image-alt (critical)" in report
    assert '["img"]' in report
    assert "Images must have alternative text" in report


def test_a_content_security_policy_violation_fails_the_check(page):
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    check_accessibility(page)
    assert "script-src 'self'" in policy
    page_with_inline_script = BROKEN.replace(
        '<img src="/static/images/favicon.svg">', "<script>document.title = 'ran';</script>"
    )
    serve(page, "/e2e/inline-script/", page_with_inline_script, {"content-security-policy": policy})
    with pytest.raises(AssertionError, match="Content Security Policy"):
        visit(page, "/e2e/inline-script/")
    assert page.title() == "Broken"


@pytest.mark.parametrize("fixture", ["page", "page_without_js"])
def test_a_page_loaded_but_never_checked_fails_the_test(request, fixture):
    page = request.getfixturevalue(fixture)
    visit(page, "/")
    page.goto("/privacy/")
    with pytest.raises(AssertionError, match="never checked.*/privacy/"):
        assert_all_checked(page)
    check_accessibility(page)


def test_an_unexpected_error_status_fails_the_visit(page):
    with pytest.raises(AssertionError, match="answered 404, expected 200"):
        visit(page, "/no-such-page/")
    # The document's own 404 is an error the check reports unless the test expected it.
    with pytest.raises(AssertionError, match="failed to load with status 404"):
        check_accessibility(page)
