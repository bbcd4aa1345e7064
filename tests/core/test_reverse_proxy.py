"""The site behind the reverse proxy of deploy/nginx.conf: a form posted through it passes
Django's origin check (CSRF) whatever port the browser reached the site on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
SITE = "alliances.example.gov.cn"


def host_from_nginx(browser_host: str) -> str:
    """The Host header nginx hands to gunicorn for a browser that sent ``browser_host``, by
    the site's ``proxy_set_header Host`` line: ``$host`` drops the port, ``$http_host``
    passes it on as the browser sent it."""
    variable = re.search(r"proxy_set_header\s+Host\s+(\$\w+);", NGINX_CONF.read_text()).group(1)
    return {"$host": browser_host.partition(":")[0], "$http_host": browser_host}[variable]


@pytest.mark.django_db
@pytest.mark.parametrize("browser_host", [SITE, f"{SITE}:8443"])
def test_a_leader_signs_in_through_nginx_on_the_standard_port_or_another(world, settings, browser_host):
    settings.ALLOWED_HOSTS = [SITE]
    client = Client(enforce_csrf_checks=True)
    host = host_from_nginx(browser_host)
    form = client.get("/accounts/login/", headers={"host": host})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)

    signed_in = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "lily", "password": "test-pass-2026"},
        headers={"host": host, "origin": f"http://{browser_host}"},
    )

    assert signed_in.status_code == 302, signed_in.status_code
    assert client.session.get("_auth_user_id") == str(world.lily.pk)
