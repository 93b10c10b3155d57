"""Settings for Proud to Support, read from the environment (see config/environment.example).

One module for every place the platform runs. Safe by default: debug is off
unless DJANGO_DEBUG says otherwise, and outside debug the secret key and the
allowed hosts must be given. With production values `manage.py check --deploy`
reports nothing.
"""

import os
from pathlib import Path

import dj_database_url

from config.env import ConfigurationError, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PROUD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Demo mode lets the demo accounts sign in without setting up MFA. It follows
# DJANGO_DEBUG unless set on its own; a production site never runs in it.
DEMO_MODE = env_bool("PROUD_DEMO_MODE", DEBUG)

if DEBUG:
    SECRET_KEY = env_str(
        "DJANGO_SECRET_KEY", "django-insecure-local-development-only-key-change-me"
    )
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ConfigurationError(
            "DJANGO_SECRET_KEY must be at least 50 characters with at least 5 different ones; "
            "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_url("SITE_URL", f"http://127.0.0.1:{PORT}", schemes=("http", "https")).rstrip("/")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ConfigurationError(
        "DJANGO_ALLOWED_HOSTS must list the site's host names, separated by commas."
    )
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "anymail",
    "csp",
    "council",
    "nominations",
    "recognition",
    "recognition.honours",
    "recognition.stories",
    "recognition.social",
    "volunteers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "council.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "council.middleware.AdminInlineStyleMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "council.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "council.context_processors.council",
                "council.context_processors.publishing_pause",
            ],
            "builtins": ["council.templatetags.govuk"],
        },
    }
]

FORM_RENDERER = "council.forms.GovukFormRenderer"

# --- Database -----------------------------------------------------------------

DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    schemes=("postgres", "postgresql", "sqlite"),
)
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
except ValueError as error:
    raise ConfigurationError(f"DATABASE_URL cannot be read: {error}") from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded database is shared by the web server, the worker and beat:
    # wait for a lock rather than fail, and take write locks up front. Connections
    # are kept between requests (as for PostgreSQL), which saves opening the file
    # and setting it up on every request.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------

REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss"))

if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to a per-process cache when Redis is unreachable, so
            # rate limits keep counting and no page fails (council/cache.py).
            "BACKEND": "council.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "proud",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------
# Work due later is picked from the database by beat; nothing is queued with a
# countdown. The longest task is well under the visibility timeout.

CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 60 * 60,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # A publish while Redis is down fails at once instead of holding the
        # request; the row stays queued and the sweeper sends it later.
        "max_retries": 0,
    }
else:
    # The embedded broker: messages are files under var/celery/, shared by the
    # web server, the worker and beat on one machine. No server is needed.
    CELERY_BROKER_URL = "filesystem://"
    _celery_folder = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_folder),
        "data_folder_out": str(_celery_folder),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_TIMEZONE = "Europe/London"

# --- Accounts (django-allauth) ------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "council.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Password reset says the same thing whether or not the address has an account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "signup": "10/h/ip",
    "reset_password": "5/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Proud to Support")
MFA_RECOVERY_CODE_COUNT = 10

# --- Sessions, cookies and security headers -------------------------------------------

SESSION_ENGINE = "council.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A signed-in person who does nothing for this long is signed out.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG:
    # Served over HTTPS behind a proxy that says so.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent to this exact host, over HTTPS, for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Serve uploads from this server (a single-machine install); otherwise a proxy or object storage does.
SERVE_MEDIA = env_bool("PROUD_SERVE_MEDIA", False)
# Plain static files straight from the source folders (development and tests);
# otherwise collected, fingerprinted and compressed by `collectstatic`.
PLAIN_STATIC = DEBUG or env_bool("PROUD_PLAIN_STATIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if PLAIN_STATIC
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATIC_ROOT = None if PLAIN_STATIC else BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = PLAIN_STATIC
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Email -------------------------------------------------------------------------
# Every message is first a row in the outbox (council.models.OutboundEmail) and is
# sent by the worker. With ANYMAIL_PROVIDER set (mailgun, postmark, sendgrid,
# amazon_ses, brevo, …) it goes through that provider, configured by the other
# ANYMAIL_* variables; with EMAIL_HOST, through that SMTP server; otherwise it
# is written as an .eml file under var/mail/.

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Proud to Support <proud@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL_PROVIDER = env_str("ANYMAIL_PROVIDER", "")
# Every other ANYMAIL_ variable is the provider's own setting, such as
# ANYMAIL_POSTMARK_SERVER_TOKEN. ANYMAIL_WEBHOOK_SECRET ("user:password") turns
# on the delivery-tracking webhooks at /anymail/<provider>/tracking/.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_PROVIDER" and value.strip()
}
if ANYMAIL.get("WEBHOOK_SECRET") and ":" not in ANYMAIL["WEBHOOK_SECRET"]:
    raise ConfigurationError(
        "ANYMAIL_WEBHOOK_SECRET must be a user name and password, as user:password."
    )
if ANYMAIL_PROVIDER:
    if not ANYMAIL_PROVIDER.replace("_", "").isalnum():
        raise ConfigurationError(
            f"ANYMAIL_PROVIDER must be an anymail provider name, not {ANYMAIL_PROVIDER!r}."
        )
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_PROVIDER}.EmailBackend"
elif env_str("EMAIL_HOST", ""):
    # A plain SMTP server, such as the mail catcher in docker-compose.yml.
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "council.mail.EmlFileBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Social media channels ------------------------------------------------------------
# The key that encrypts the channels' credentials. Empty: derived from
# DJANGO_SECRET_KEY (set this one to rotate the secret key without re-entering them).
SOCIAL_CREDENTIALS_KEY = env_str("SOCIAL_CREDENTIALS_KEY", "")

# --- Language and time ------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Logging ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
