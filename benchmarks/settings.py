"""The production settings, served over plain HTTP on loopback with the bare floor views.

Used by ``benchmarks/load.py`` alone. Everything is production's (DEBUG off, cached
templates, whitenoise with the manifest, the session and cache set-up) except:
- the URLs also hold the floor views of ``benchmarks/bare.py``;
- the cookies are not marked Secure and HTTP is not redirected to HTTPS: TLS ends at the
  reverse proxy (deploy/nginx.conf), which the benchmark leaves out, and a client does
  not send a Secure cookie over plain HTTP.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
