"""Django settings for Sinergi, read from the environment.

Environment variables (all optional except ``SECRET_KEY`` in production):

``DATABASE_URL``      ``sqlite:///path`` (default: ``$SINERGI_DATA_DIR/sinergi.sqlite3``)
                      or ``postgres://user@host:5432/db``.
``CONN_MAX_AGE``      PostgreSQL: seconds a worker thread keeps its connection (600).
``DATABASE_POOL_SIZE`` PostgreSQL: use a psycopg pool of this many connections per
                      worker process instead (default 0: no pool).
``STATIC_MAX_AGE``    seconds browsers may keep a static file (3600; 0 with DEBUG).
``SECRET_KEY``        required unless ``DEBUG`` is on or ``$SINERGI_DATA_DIR/secret_key``
                      exists (``sinergi demo`` writes one).
``DEBUG``             off by default.
``ALLOWED_HOSTS``     comma-separated; default: localhost only.
``SINERGI_DATA_DIR``  where the SQLite file, uploads and downloaded data packages live
                      (default: ``./var``).
``SECURE_COOKIES``    send session/CSRF cookies over HTTPS only (default: on).
``SINERGI_NPM_REGISTRY`` the npm registry the region package is fetched from
                      (default: ``https://registry.npmjs.org/``; proxies from
                      ``HTTPS_PROXY``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sinergi.web.env import (
    env_bool,
    env_database_url,
    env_int,
    env_list,
    env_path,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("SINERGI_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    if DEBUG:
        return "insecure-development-key-do-not-use-in-production"
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable, "
        f"or run `sinergi demo` once to create {key_file}."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "sinergi.web.core",
    "sinergi.web.audit",
    "sinergi.web.regions",
    "sinergi.web.accounts",
    "sinergi.web.indicators",
    "sinergi.web.programs",
    "sinergi.web.collection",
    "sinergi.web.registry",
    "sinergi.web.briefings",
    "sinergi.web.beneficiaries",
    "sinergi.web.social",
    "sinergi.web.meetings",
    "sinergi.web.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sinergi.web.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sinergi.web.core.middleware.PolicyCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sinergi.web.urls"
WSGI_APPLICATION = "sinergi.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sinergi.web.core.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env_database_url("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sinergi.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Write-ahead logging lets the dashboard read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    # PostgreSQL: every worker thread keeps its connection between requests
    # (bench/README_load.md measured this against psycopg's pool, DATABASE_POOL_SIZE).
    # A connection broken by a database restart is noticed and replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env_int("DATABASE_POOL_SIZE", 0) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django: a pool replaces persistence
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DATABASE_POOL_SIZE", 0),
            "timeout": 10,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes): lock a username+IP after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sinergi.web.accounts.views.locked_out"

# Internationalisation: Bahasa Indonesia first, English switchable.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Static files are served straight from the package (no collectstatic step
# needed to run); whitenoise only warns that STATIC_ROOT is absent.
WHITENOISE_USE_FINDERS = True
# The names carry no content hash (no manifest), so a browser keeps a file an hour,
# then revalidates it (a cheap 304); whitenoise answers before any view or query runs.
WHITENOISE_MAX_AGE = 0 if DEBUG else env_int("STATIC_MAX_AGE", 3600)
warnings.filterwarnings("ignore", message="No directory at")
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security: safe by default, relaxed only by explicit environment settings.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): every asset is vendored and served
# from our own origin, so nothing else is allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

REST_FRAMEWORK = {
    # Token first: an anonymous request to an internal endpoint gets 401 with
    # ``WWW-Authenticate: Token`` (403 stays for "signed in, but not allowed").
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sinergi.web.accounts.permissions.ReadPublicWriteByRole"],
    "DEFAULT_FILTER_BACKENDS": ["sinergi.web.api.filters.FilterBackend"],
    # The API speaks JSON (document uploads: multipart, set on their view).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "sinergi.web.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "sinergi.web.api.exceptions.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "sinergi.web.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 500,
    # Values are numbers in JSON, not strings (clients plot them).
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "600/minute"),
        "user": env_str("API_USER_RATE", "6000/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sinergi API",
    "DESCRIPTION": (
        "Regional development indicators, targets and achievements, programme monitoring "
        "(monev) and kecamatan data collection.\n\n"
        "Reads of published aggregates are public; everything else needs a token "
        "(`Authorization: Token <key>`) or a signed-in session. Error messages are in "
        "Bahasa Indonesia; send the cookie `django_language=en` for English. Updates send "
        "the `version` they read and get 409 when someone saved first."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the vendored drf-spectacular-sidecar files (the CSP
    # allows our own origin only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "ValueStatusEnum": "sinergi.web.indicators.choices.ValueStatus",
        "RealisationStatusEnum": "sinergi.web.programs.choices.RealisationStatus",
        "RkpdStatusEnum": "sinergi.web.programs.choices.RkpdStatus",
        "SubmissionStatusEnum": "sinergi.web.collection.choices.SubmissionStatus",
        "WorkflowActionEnum": "sinergi.web.collection.api.WORKFLOW_ACTIONS",
        "RegionLevelEnum": "sinergi.web.regions.models.Level",
        "NomenclatureLevelEnum": "sinergi.web.programs.choices.NomenclatureLevel",
        "PerformanceIndicatorLevelEnum": "sinergi.web.programs.choices.IndicatorLevel",
        "TargetKindEnum": "sinergi.web.indicators.choices.TargetKind",
        "RuleKindEnum": "sinergi.web.collection.choices.RuleKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sinergi.web.api.schema.error_components",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Sinergi domain settings.
# Achievement bands: (lower bound exclusive, band); the first whose bound the
# achievement exceeds wins. Default after Permendagri 86/2017 practice:
# very high > 90, high 76-90, medium 66-75, low 51-65, very low <= 50.
SINERGI_ACHIEVEMENT_BANDS = [
    (90.0, "very_high"),
    (75.0, "high"),
    (65.0, "medium"),
    (50.0, "low"),
    (float("-inf"), "very_low"),
]
SINERGI_PROJECTION_LEVEL = 0.80
SINERGI_REGION_PACKAGE = env_str("SINERGI_REGION_PACKAGE", "idn-area-data@4.0.1")
# Where the region package is fetched from (over HTTPS, no npm client needed).
SINERGI_NPM_REGISTRY = env_str("SINERGI_NPM_REGISTRY", "https://registry.npmjs.org/")
SINERGI_HOME_REGION = env_str("SINERGI_HOME_REGION", "16.07")
# Top-bar links apps add: (URL name, label).
SINERGI_NAV: list[tuple[str, object]] = []
SINERGI_NAV.append(("monev-home", _("Monev")))
SINERGI_NAV.append(("collection-home", _("Data collection")))
# Monev early-warning thresholds (sinergi.web.programs.warnings.Thresholds):
# lag of physical / financial realisation behind plan, in percentage points;
# days before an activity's end at which unfinished work warns, and the
# physical progress below which it does; tolerance on the output projection.
SINERGI_MONEV_WARNINGS = {
    "physical_margin": env_int("MONEV_PHYSICAL_MARGIN", 10),
    "financial_margin": env_int("MONEV_FINANCIAL_MARGIN", 10),
    "deadline_days": env_int("MONEV_DEADLINE_DAYS", 45),
    "deadline_min_physical": env_int("MONEV_DEADLINE_MIN_PHYSICAL", 90),
    "output_tolerance": 0,
}
SINERGI_DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)


# Household registry (issue 9). NIK/KK keys: 32 bytes as 64 hex digits (or base64),
# from the environment or from key files in the data directory (`sinergi demo` writes
# them, like secret_key). Without keys the registry refuses to import or reveal.
def _pii_key(name: str, file_name: str) -> str | None:
    key = env_str(name, "")
    if key:
        return key
    key_file = DATA_DIR / file_name
    return key_file.read_text().strip() if key_file.is_file() else None


SINERGI_PII_HASH_KEY = _pii_key("SINERGI_PII_HASH_KEY", "pii_hash_key")
SINERGI_PII_ENCRYPTION_KEY = _pii_key("SINERGI_PII_ENCRYPTION_KEY", "pii_encryption_key")
SINERGI_REGISTRY_DIR = DATA_DIR / "registry"
SINERGI_REGISTRY_MAX_UPLOAD_MB = env_int("SINERGI_REGISTRY_MAX_UPLOAD_MB", 2048)
# Published registry aggregates hide cells with fewer households than this.
SINERGI_SMALL_CELL_THRESHOLD = env_int("SINERGI_SMALL_CELL_THRESHOLD", 10)
# Agency codes of the social affairs office (Dinas Sosial) whose verifiers may reveal NIK/KK.
SINERGI_SOCIAL_AGENCY_CODES = env_list("SINERGI_SOCIAL_AGENCY_CODES", ["dinsos"])
# SLRT referral (issue 11): days a region closes or opens beyond the national calendar
# (ISO dates, comma-separated in the environment; a local settings file may give a
# mapping year -> dates), and e-mail notifications (console unless configured).
SINERGI_EXTRA_HOLIDAYS = env_list("SINERGI_EXTRA_HOLIDAYS", [])
SINERGI_EXTRA_WORKDAYS = env_list("SINERGI_EXTRA_WORKDAYS", [])
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sinergi@localhost")
