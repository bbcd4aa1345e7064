"""Developer machine: SQLite by default, DEBUG on unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
