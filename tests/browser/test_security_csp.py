"""Under the Content-Security-Policy, pages and the Swagger UI work and break no rule."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violation events and console errors."""
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_the_alliance_list_runs_under_the_policy(watched, live_server, world):
    log_in(watched, live_server, "alice")
    response = watched.goto(f"{live_server.url}/alliances/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "姜山共富联盟" in watched.locator("table.list").inner_text()
    watched.goto(f"{live_server.url}/alliances/{world.alliance_a.pk}/")
    assert watched.locator("#history").is_visible()
    assert violations(watched) == []
    assert [e for e in watched.console_errors if "Content Security Policy" in e] == []


def test_the_api_docs_render_under_the_policy(watched, live_server, world):
    log_in(watched, live_server, "alice")
    response = watched.goto(f"{live_server.url}/api/docs/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    watched.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    text = watched.locator(".swagger-ui").inner_text()
    assert "/api/v1/alliances/" in text
    assert violations(watched) == []
    assert watched.console_errors == []
