"""A machine of one's own: SQLite by default.

``make run`` serves the demo as a user meets it: DEBUG off, the site's own error pages and
static files served by the app (WhiteNoise, straight from the source folders, so no
``collectstatic`` is needed). ``make dev`` sets DEBUG=true for developers (Django's
error pages, reload on change). Uploaded files are served only through the views that
check who may see their record, in both modes.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS, checkout_secret_key, env, env_bool

DEBUG = env_bool("DEBUG", False)
# SECRET_KEY from the environment, else this checkout's own key in a git-ignored file.
SECRET_KEY = env.str("SECRET_KEY", default="") or checkout_secret_key(BASE_DIR / ".secret_key")
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# The demo data set and its seed_demo command: installed here, never by production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
