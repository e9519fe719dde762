"""Jiefen settings: one file, every option an environment variable with a default.

SQLite in ./var unless DATABASE_URL says otherwise (postgres://user@host/db).
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIEFEN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)

# The installation's key: SECRET_KEY, or the file `make run` writes once (var/secret_key, not
# in git). Without either the public dev key stands in, for development, tests and tools only:
# serving with it and DEBUG off is refused (jiefen.startup, called by wsgi.py and the scheduler).
DEV_SECRET_KEY = "jiefen-dev-only-change-me-in-production"
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and SECRET_KEY_FILE.exists():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "jiefen",
    "areas",
    "clocks",
    "cases",
    "notifications",
    "webhooks",
    "routing",
    "coordination",
    "mediation",
    "documents",
    "followup",
    "hotline",
    "docking",
    "portal",
    "risk",
    "petitions",
    "repeats",
    "stats",
    "demo",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiefen.urls"
WSGI_APPLICATION = "jiefen.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiefen" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "areas.context_processors.membership",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiefen.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE transactions take the write lock up front, so two writers queue
    # instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if os.environ.get("JIEFEN_TEST_SQLITE") == "file":
        # Tests marked `threaded` run against a file (`make test` runs them apart), so that
        # several threads see real SQLite locking (busy timeout) as in production; shared-cache
        # memory would fail them at once with "table is locked". Everything else is in memory.
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
# The province profile: a PostgreSQL read replica (streaming replication) for the figure
# pages and their exports (jiefen.replicas); every write, and every other read, on the
# primary, so whoever just changed something reads it back there.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jiefen.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches (and so anything kept in them) shared by every web process through Redis when
# REDIS_URL is set; otherwise each process has its own (one server). Sessions and the login
# throttle are in the database either way, so N web processes behave as one.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "jiefen",
        }
    }

# Login throttling (django-axes, jiefen/throttle.py): failures are counted in the database, so
# every web process and server sees them, per user name and per client address; after
# LOGIN_FAILURE_LIMIT failures of either, logins are refused for LOGIN_LOCKOUT_MINUTES (each
# further failure starts the wait again). A success clears the user's count.
AUTHENTICATION_BACKENDS = [
    "jiefen.throttle.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiefen.throttle.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# Every failure is kept (axes' AccessFailureLog, in the admin) and logged with the user name
# and address (logger "axes"); passwords never are.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = []
# The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT reverse proxies in front of the
# app set X-Forwarded-For (a client could write that header itself otherwise).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
# A working day by default; the session ends then even if the browser stays open.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_HOURS", "10")) * 3600
LOGIN_REDIRECT_URL = "cases:queue"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads in an S3-compatible object store (MinIO, Ceph, a cloud's OSS/COS with its S3 API)
# through django-storages when S3_BUCKET is set, so that no web process keeps files of its
# own; otherwise under MEDIA_ROOT (a shared mount when there are several servers). Files are
# private: the app serves them after its permission check (presigned, short-lived links).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("S3_SECRET_KEY", ""),
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Where the public pages are reached from outside (links sent by SMS without a request at
# hand, such as a party's evaluation link).
PUBLIC_BASE_URL = os.environ.get("JIEFEN_PUBLIC_URL", "http://localhost:8000")

# Production behind TLS (HTTPS=true): cookies only over HTTPS, HSTS, HTTP redirected to HTTPS
# (a TLS-terminating proxy must set X-Forwarded-Proto). `manage.py check --deploy` passes then.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only;
# no inline script or style attribute anywhere (app.js binds every handler).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

# The pages a grid worker can fill without signal (jiefen/offline.js, /sw.js): their drafts
# are kept on the phone and sent, with an idempotency key, when the connection comes back.
OFFLINE_PAGES = ["cases:new", "portal:daily"]

# How often the in-process scheduler of `make run` (or Celery beat) calls sweep(now).
SWEEP_INTERVAL_SECONDS = int(os.environ.get("SWEEP_INTERVAL_SECONDS", "60"))

# The province profile (README "Province deployment"): with a broker, Celery beat triggers
# the sweep, Celery workers send deliveries and run rebuilds (jiefen/celery.py). Without
# one (the default, `make run`), the in-process scheduler and the web process do the same
# work through the same functions.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
# Task states and progress (the rebuild's page reads them); the broker's Redis by default.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
# Exports (jiefen.exports): with a broker, an export of more than EXPORT_ASYNC_ROWS rows runs
# as a task (at most EXPORT_TASK_MAX_ROWS rows; in the request the case list stops at 5000),
# its workbook kept in the default storage for EXPORT_KEEP_HOURS, then deleted by the sweep.
EXPORT_ASYNC_ROWS = int(os.environ.get("EXPORT_ASYNC_ROWS", 5000))
EXPORT_TASK_MAX_ROWS = int(os.environ.get("EXPORT_TASK_MAX_ROWS", 100_000))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", 24))
# The sweep's cluster-wide lock (routing.tasks) expires after this long, so a worker that
# died holding it stops no one for longer; a sweep that runs longer loses it, and the next
# tick may start a second sweep beside it, which is safe (exactly-once claims), only slower.
SWEEP_LOCK_SECONDS = int(os.environ.get("SWEEP_LOCK_SECONDS", "600"))
# A failed delivery is retried after 30 s, 60 s, 120 s… (notifications.tasks).
DELIVERY_RETRY_SECONDS = int(os.environ.get("DELIVERY_RETRY_SECONDS", "30"))

# Webhooks (README "Integrations"): how often the background sends what is due (the in-process
# scheduler, or Celery beat), the timeout of one POST, after how many failed attempts in a row
# a subscriber is paused (its owner is told), and how long a process trusts its list of the
# topics nobody subscribes to (publishing those costs no query).
WEBHOOK_INTERVAL_SECONDS = int(os.environ.get("WEBHOOK_INTERVAL_SECONDS", "10"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_PAUSE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_PAUSE_AFTER_FAILURES", "10"))
WEBHOOK_SUBSCRIBER_CACHE_SECONDS = float(os.environ.get("WEBHOOK_SUBSCRIBER_CACHE_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

JIEFEN_NAME = _("Jiefen dispute resolution")

# Notifications: in-app always; outside the app through these senders (notifications.senders).
NOTIFY_SENDERS = [
    s for s in os.environ.get("NOTIFY_SENDERS", "notifications.senders.LogSender").split(",") if s
]
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")

# Uploads and imports (README "Security"). Attachments: the size of one file and of all the
# files of one case, and the kinds accepted, told from the bytes (cases.attachments).
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
CASE_ATTACHMENTS_MAX_BYTES = int(os.environ.get("CASE_ATTACHMENTS_MAX_BYTES", 200 * 1024 * 1024))
# Photos, PDFs, Word and Excel files, phone recordings and videos; never HTML, SVG or scripts.
ATTACHMENT_TYPES = [
    t
    for t in os.environ.get(
        "ATTACHMENT_TYPES",
        "image/jpeg,image/png,image/gif,image/webp,image/heif,application/pdf,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
        "application/msword,audio/mpeg,video/mp4",
    ).split(",")
    if t
]
# Spreadsheets read by the imports (jiefen.spreadsheets): the uploaded file, what its zip
# unpacks to, and the rows and columns read.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 5 * 1024 * 1024))
SPREADSHEET_MAX_UNPACKED_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
)
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", 5000))
SPREADSHEET_MAX_COLUMNS = int(os.environ.get("SPREADSHEET_MAX_COLUMNS", 50))
