"""Settings for Foodvalley Monitor, driven by the environment.

Every value has a safe development default so that `./scripts/start` works on a fresh
machine. With DJANGO_ENV=production a missing secret is a hard failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_str("DJANGO_ENV", "development") == "production"


def env_secret(name: str, dev_default: str) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production")
    return dev_default


SECRET_KEY = env_secret("SECRET_KEY", "dev-only-insecure-secret-key-change-me-0123456789abcdef")
# Key for the keyed hash (HMAC-SHA256) that turns a BSN into the child's pseudonym.
BSN_HASH_KEY = env_secret("BSN_HASH_KEY", "dev-only-bsn-hash-key")  # production: >= 32 random chars (core.checks, check --deploy)
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "foodvalley.apps.AxesConfig",  # axes, named in Dutch
    "django_otp",
    "django_otp.plugins.otp_totp",
    "foodvalley.apps.CeleryBeatConfig",  # django_celery_beat, named in Dutch
    "core",
    "accounts",
    "placements",
    "casework",
    "monitoring",
    "fostercare",
    "protection",
    "crisis",
    "providers",
    "actionplan",
    "forecast",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "accounts.middleware.AdminTwoFactorMiddleware",
    "core.submissions.SubmitOnceMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

# WhiteNoise serves the collected static files in production (no CDN, no separate web server needed);
# in development runserver serves them from the app folders.
if PRODUCTION or env_bool("SERVE_STATIC", False):
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "foodvalley.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
            ],
        },
    },
]

WSGI_APPLICATION = "foodvalley.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must take a handful of simultaneous users: WAL lets readers go on while one writes, a
    # writer waits up to 30 s for another instead of failing with "database is locked", and a transaction takes the
    # write lock when it starts (IMMEDIATE) so that two never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer (host down, network gone) fails a request after this many seconds with the
    # 503 page (foodvalley/errors.py) instead of holding the worker; a stopped server on a reachable host is
    # refused at once anyway. A connect_timeout in DATABASE_URL (?connect_timeout=...) wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},  # Dutch message
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address, for the lockout and the access log (accounts.audit.request_origin), as django-axes takes it
# through django-ipware: X-Forwarded-For is trusted only behind the configured number of reverse proxies (0: never,
# the address is the connection's own).
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # at most a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout (accounts.middleware.IdleTimeoutMiddleware): logged out after this many seconds without a request.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# Largest import upload through the page (MB)
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 25)  # larger files: manage.py import_episodes / import_declarations
# How often a user may be told per hour that a child is registered in another municipality (placements.views)
REGISTRATION_ELSEWHERE_LIMIT = env_int("REGISTRATION_ELSEWHERE_LIMIT", 5)
SESSION_MAX_DURATION = env_int("SESSION_MAX_DURATION", 8 * 3600)  # absolute end after login, however busy (0: off)

# Two-factor login (django-otp, TOTP): administrators with a confirmed device always pass the code step;
# with REQUIRE_ADMIN_2FA (default on in production) an administrator without a device must set one up first.
REQUIRE_ADMIN_2FA = env_bool("REQUIRE_ADMIN_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Foodvalley Monitor"
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin never shows a TOTP secret or its QR code (also avoids a 500 in django-otp's config view for unknown ids).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Each web process keeps the figure sets of the dashboard pages it built last (a finished run never changes);
# in process memory, so the web keeps serving when Redis is down.
DASHBOARD_CACHE_ENTRIES = env_int("DASHBOARD_CACHE_ENTRIES", 200)

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Generated reports and exports are kept outside MEDIA_ROOT (never served as static files): they are
# downloaded only through the permission-checked, access-logged views of the reports app.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "media_private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker configured, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker (the demo on the embedded defaults) a job started from a page runs in a thread of the web process,
# so the page answers at once and shows the job's progress, as with a worker; off in the tests (tests/conftest.py).
JOBS_IN_THREAD = env_bool("JOBS_IN_THREAD", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redelivery and a dead broker (Redis transport). A message is acked only after its task ends (acks_late);
# if the worker is killed (SIGKILL, OOM, power loss) the message stays "unacked" in Redis and is handed out
# again once it is older than the visibility timeout. It MUST exceed the longest task (a full snapshot part
# or the largest import), or a task still running is started a second time. A surviving worker scans for
# such messages every unacked_restore_interval * unacked_restore_throttle seconds (kombu default 10 * 10).
# That scan takes a lock in Redis; a worker killed while holding it blocks every scan until the lock expires
# (CELERY_UNACKED_MUTEX_EXPIRE, kombu's 300 s; the fault drills set a few seconds).
_CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
_CELERY_SOCKET_OPTIONS = {
    # a dead or unreachable Redis makes .delay() fail within a few seconds instead of hanging the request
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = _CELERY_SOCKET_OPTIONS | {
    "visibility_timeout": _CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_RESTORE_THROTTLE", 10),
    "unacked_mutex_expire": env_int("CELERY_UNACKED_MUTEX_EXPIRE", 300),
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = dict(_CELERY_SOCKET_OPTIONS)
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# publishing retries briefly (about 1 s in all), then .delay() raises kombu.exceptions.OperationalError
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXTENDED = True
# Nobody waits on a task result: every task records its outcome in the database (runs, import jobs,
# reports). Not keeping results also means .delay() does not subscribe to the result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    # Monthly figures on the first day of each month at night (metrics.md, "Snapshots").
    "monthly-figures": {"task": "monitoring.runs.tasks.monthly_snapshot", "schedule": crontab(minute=30, hour=2, day_of_month=1)},
}

# Small-number suppression threshold (metrics.md): counts 1..k-1 are shown as "<k".
SUPPRESSION_K = env_int("SUPPRESSION_K", 5)
# Yearly indexation (%) of the cost per care day in the base forecast (forecast app); scenarios may set their own.
FORECAST_COST_INDEX_PCT = float(env_str("FORECAST_COST_INDEX_PCT", "3.0"))

# Content security policy (django-csp 4): only our own scripts and styles, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
