"""Test run: the database comes from DATABASE_URL (``make test`` points it at PostgreSQL)."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="test-only-not-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.LocmemBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client's login() authenticates without a request, which django-axes refuses;
# the lock-out tests (tests/members/test_security_login.py) switch it back on.
AXES_ENABLED = False
# The loopback stand-ins of the work-chat robots (tests/fake_robots.py).
NOTICE_ROBOT_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "127.0.0.1"]
NOTICE_ROBOT_INSECURE_HOSTS = ["127.0.0.1"]

# The demo data set and its seed_demo command: installed here, never by production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
