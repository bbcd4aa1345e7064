"""Settings shared by every environment. Every value comes from the environment.

A malformed value (a DEBUG that is not a boolean, a DATABASE_URL that cannot be parsed)
stops start-up with ``ImproperlyConfigured`` naming the variable.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_database(default: str) -> dict:
    url = env.str("DATABASE_URL", default=default)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with sqlite:// or postgres://, got {url.split('://')[0]!r}"
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # pragma: no cover - environ raises assorted errors
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, waiting out a restart of PostgreSQL when it connects.
        config["ENGINE"] = "core.postgresql"
        # No JIT compilation: it pays off for long analytical queries, not for a page's
        # dozen queries of milliseconds each, whose cost estimates over millions of rows
        # still cross jit_above_cost (a city's dashboard: 126 ms with it, 99 ms without).
        # A server-side cursor (QuerySet.iterator(): the exports, the imports' checks) is
        # read to its end here, so it is planned for all its rows, not for the first
        # tenth of them (PostgreSQL's default cursor_tuple_fraction of 0.1 chose a plan
        # that took 130 ms instead of 36 ms to read a city's 4,245 projects).
        # A DATABASE_URL's own ?options= wins.
        config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c cursor_tuple_fraction=1")
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


def checkout_secret_key(path: Path) -> str:
    """A secret key of this checkout alone, for the local settings: made at first use and
    kept in ``path`` (git-ignored, readable by its owner only). Never used in production."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ImproperlyConfigured(f"Set SECRET_KEY, or let {path} be created: {exc}") from exc
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no secret key: delete it to have a new one made")
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "pgtrigger",
    "axes",
    "csp",
    "core",
    "members",
    "notices",
    "alliances",
    "projects",
    "workshops",
    "tracking",
    "evaluations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "members.context_processors.access",
                "notices.context_processors.bell",
            ],
        },
    },
]

DATABASES = {"default": env_database(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A mobile number and a one-time SMS code (members.otp), behind the same lock-out.
    "members.backends.PhoneCodeBackend",
]

# Log-in lock-out (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, that pair is locked for LOGIN_LOCKOUT_MINUTES. Locking the pair (not the address
# alone) keeps one proxy or office NAT address from locking out everybody behind it, and
# locking per address keeps a stranger from locking a known user out from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures and lock-outs are kept in the database, never in the cache: Redis stopping
# neither unlocks anybody nor stops anybody signing in.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Never kept in the attempts' records: SMS codes and new passwords, besides the password.
AXES_SENSITIVE_PARAMETERS = ["code", "new_password1", "new_password2"]
# core asks the domain for a user's scope and write rule through this name (core/scope.py).
ACCESS_RULES = "members.access"

AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
# How many reverse proxies we run in front of the application. The client address is read
# from X-Forwarded-For only behind that many trusted proxies (0: the socket address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Chinese first, English second. Times stored in UTC, shown in Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates read in a page's text, by language (inputs, Excel and the API stay ISO).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = None  # set where collectstatic runs (production)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as ``120/minute``."""
    value = env.str(name, default=default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (count/second|minute|hour|day), got {value!r}")
    return value


# Big-screen dashboard clients: requests allowed per API token (members.tokens).
DASHBOARD_TOKEN_RATE = env_rate("DASHBOARD_TOKEN_RATE", "120/minute")

# User accounts' API tokens (``Authorization: Token <key>``, django-rest-knox): the key is
# shown once, only its SHA-512 is stored, and it expires API_TOKEN_TTL_DAYS after it was
# issued (members.tokens caps every token at that, whatever expiry it was given).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 90, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# The cache holds the per-token request counts: with several web processes, point
# CACHE_URL at Redis (redis://host:6379/1) so they share one count.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"CACHE_URL must start with redis:// or rediss://, got {CACHE_URL.split('://')[0]!r}")
# Redis answers on the local network in a millisecond: a call that waits a second has
# found it down, and the request goes on without it (core.cache.FailSoftRedisCache).
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHES = (
    {
        # Rate limits and submit-once tokens: in this process's memory while Redis is down.
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"FALLBACK": "local", **REDIS_SOCKET_OPTIONS},
        },
        # Sessions: no cache while Redis is down (read from the database), and every cached
        # session forgotten when it is back, so that no log-out made meanwhile is undone.
        "sessions": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "session",
            "OPTIONS": {"FALLBACK": "none", "PURGE_ON_RECOVERY": True, **REDIS_SOCKET_OPTIONS},
        },
    }
    if CACHE_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
# With a shared cache, sessions are read from it and written through to the database: a
# signed-in request then costs no session query, and flushing Redis, or Redis stopping,
# signs nobody out. A per-process cache must not hold sessions (a log-out in one process
# would not reach the others), so without CACHE_URL they stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if CACHE_URL else "django.contrib.sessions.backends.db"
SESSION_CACHE_ALIAS = "sessions" if CACHE_URL else "default"

REST_FRAMEWORK = {
    # Bearer first: it answers 401 with a WWW-Authenticate header (DRF asks the first class).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.tokens.DashboardTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["members.tokens.DashboardTokenThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.ScopedAccess"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "党建联盟平台 API",
    "DESCRIPTION": "Party-building alliance platform: regions, member organizations, alliances, "
    "projects, workshops and assessments. Every list is limited to the caller's scope.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "alliances.models.MembershipRole",
        "TeamRoleKindEnum": "alliances.models.TeamRoleKind",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "ReportStatusEnum": "projects.models.ReportStatus",
        "AttachmentKindEnum": "projects.models.AttachmentKind",
        "StatusEnum": "alliances.models.AllianceStatus",
        "ListStatusEnum": "alliances.models.ListStatus",
        "ClaimStatusEnum": "alliances.models.ClaimStatus",
        "ItemStateEnum": "tracking.models.ItemState",
    },
}

# Celery: with no broker configured, tasks run inline so a single process is a full site.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died unacknowledged goes back to the queue after this many seconds.
# Redis checks for such tasks every CELERY_RESTORE_INTERVAL seconds (1 check in THROTTLE does scan).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10, minimum=1),
    "unacked_restore_throttle": env_int("CELERY_RESTORE_THROTTLE", 10, minimum=1),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Friday progress reminders to alliance leaders (cron day of week: 5 = Friday), Shanghai time.
REMINDER_TIME = env.str("REMINDER_TIME", default="15:00")
REMINDER_DAY_OF_WEEK = env.str("REMINDER_DAY_OF_WEEK", default="5")
if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", REMINDER_TIME):
    raise ImproperlyConfigured(f"REMINDER_TIME must be HH:MM, got {REMINDER_TIME!r}")
if not re.fullmatch(r"[0-6](,[0-6])*", REMINDER_DAY_OF_WEEK):
    raise ImproperlyConfigured(f"REMINDER_DAY_OF_WEEK must be 0-6 (0 = Sunday), got {REMINDER_DAY_OF_WEEK!r}")
# A week's progress report is due by the end of its Sunday plus this many days (Shanghai
# dates): submitted later, it counts as late in reporting timeliness (docs/indicators.md).
REPORT_DEADLINE_GRACE_DAYS = env_int("REPORT_DEADLINE_GRACE_DAYS", 3, minimum=0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# Notices (notices app; README "Notices"): the work-chat robots used where a county has
# none of its own, quiet hours, and how deliveries are retried.
NOTICE_SITE_URL = env.str("NOTICE_SITE_URL", default="")
NOTICE_WECOM_WEBHOOK = env.str("NOTICE_WECOM_WEBHOOK", default="")
NOTICE_DINGTALK_WEBHOOK = env.str("NOTICE_DINGTALK_WEBHOOK", default="")
NOTICE_DINGTALK_SECRET = env.str("NOTICE_DINGTALK_SECRET", default="")
# The hosts a county's robot webhook may point at (staff enter it: never the internal network).
NOTICE_ROBOT_HOSTS = env.list("NOTICE_ROBOT_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
NOTICE_ROBOT_INSECURE_HOSTS = []  # hosts allowed over plain http: tests' loopback robots only
NOTICE_QUIET_HOURS = env.str("NOTICE_QUIET_HOURS", default="22:00-07:00")
if NOTICE_QUIET_HOURS and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", NOTICE_QUIET_HOURS):
    raise ImproperlyConfigured(f"NOTICE_QUIET_HOURS must be HH:MM-HH:MM or empty, got {NOTICE_QUIET_HOURS!r}")
if NOTICE_QUIET_HOURS and NOTICE_QUIET_HOURS[:5] == NOTICE_QUIET_HOURS[6:]:
    raise ImproperlyConfigured("NOTICE_QUIET_HOURS must not start and end at the same time")
NOTICE_HTTP_TIMEOUT = env_int("NOTICE_HTTP_TIMEOUT", 10, minimum=1)
NOTICE_SENDING_LEASE = env_int("NOTICE_SENDING_LEASE", 600, minimum=1)
NOTICE_MAX_ATTEMPTS = env_int("NOTICE_MAX_ATTEMPTS", 8, minimum=1)
NOTICE_RETRY_BACKOFF = env_int("NOTICE_RETRY_BACKOFF", 30, minimum=1)
NOTICE_RETRY_BACKOFF_MAX = env_int("NOTICE_RETRY_BACKOFF_MAX", 3600, minimum=1)
for _url_name in ("NOTICE_WECOM_WEBHOOK", "NOTICE_DINGTALK_WEBHOOK", "NOTICE_SITE_URL"):
    if globals()[_url_name] and not globals()[_url_name].startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{_url_name} must be an http(s) URL")

# Text messages (core.sms): the backend is a dotted path, like Django's EMAIL_BACKEND.
# core.sms.ConsoleBackend (standard output), core.sms.FileBackend (one JSON line per message
# in SMS_FILE_PATH), core.sms.LocmemBackend (kept in memory, for tests) or
# core.sms.AliyunBackend (Alibaba Cloud SMS, configured by the ALIYUN_SMS_* variables).
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default="")
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env.str("ALIYUN_SMS_SIGN_NAME", default="")
# A host (HTTPS), or a URL with its scheme: http://127.0.0.1:8089 points it at a local stand-in.
ALIYUN_SMS_ENDPOINT = env.str("ALIYUN_SMS_ENDPOINT", default="dysmsapi.aliyuncs.com")
# The provider's template code of each of our templates (core.sms.TEMPLATES).
ALIYUN_SMS_TEMPLATE_CODES = {
    "login_code": env.str("ALIYUN_SMS_TEMPLATE_LOGIN_CODE", default=""),
    "notice": env.str("ALIYUN_SMS_TEMPLATE_NOTICE", default=""),
}
ALIYUN_SMS_TIMEOUT_SECONDS = env_int("ALIYUN_SMS_TIMEOUT_SECONDS", 10, minimum=1)
# One-time SMS codes (members.otp): one code per number per SMS_CODE_RESEND_SECONDS, and
# at most so many codes an hour per number and per client address.
SMS_CODE_RESEND_SECONDS = env_int("SMS_CODE_RESEND_SECONDS", 60, minimum=1)
SMS_CODE_NUMBER_HOURLY = env_int("SMS_CODE_NUMBER_HOURLY", 5, minimum=1)
SMS_CODE_ADDRESS_HOURLY = env_int("SMS_CODE_ADDRESS_HOURLY", 20, minimum=1)

# Every record goes through one handler whose filter masks mobile, landline and ID numbers
# (core.log_masking): personal data never reaches the logs. Django's own loggers are
# pointed at that handler too, replacing the unfiltered ones Django installs by default.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "core.log_masking.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

SIMPLE_HISTORY_REVERT_DISABLED = True

# Uploads: a file over this size goes to a temporary file on disk, never held in a worker's
# memory; the form fields' own data (everything but files) is limited to the same size, and
# core.uploads refuses a file over 10 MB with a message under its field.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A body over core.uploads.MAX_REQUEST_BYTES is refused (400) before it is read.
FILE_UPLOAD_HANDLERS = [
    "core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Content-Security-Policy (django-csp): nothing inline, nothing from another origin. Pages
# put their scripts in static/js/ and pass data with json_script; the API docs use
# drf-spectacular's split Swagger view, whose start-up script is a separate file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: for the previews of the photos chosen in a form (object URLs of the page's own files).
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
