"""Django settings. Everything deployment-specific comes from YOUHU_* environment variables."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("YOUHU_VAR_DIR", REPO_DIR / "var"))
SHARED_DIR = Path(os.environ.get("YOUHU_SHARED_DIR", REPO_DIR.parent / "shared"))
MODEL_DIR = Path(os.environ.get("YOUHU_MODEL_DIR", VAR_DIR / "models"))
MEDIA_ROOT = Path(os.environ.get("YOUHU_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

DEBUG = os.environ.get("YOUHU_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("YOUHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# ---- production / security. The development key is public (it is in this file): anyone who knows it can
# forge sessions and password-reset links, so a server with DEBUG off refuses to start on it or on none.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
SECRET_KEY = os.environ.get("YOUHU_SECRET_KEY", "") or (DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEV_SECRET_KEY):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "YOUHU_DEBUG=0 时必须设置 YOUHU_SECRET_KEY（不能用开发密钥）"
        " (with YOUHU_DEBUG=0 set YOUHU_SECRET_KEY to a secret of 50+ random characters, not the development key;"
        " see deploy/youhu.env)")
# HTTPS: on by default with DEBUG off (Secure cookies, HSTS, redirect of http:// to https://). YOUHU_HTTPS=0
# is for plain http on a trusted network only (the benchmarks and tests on 127.0.0.1).
HTTPS = os.environ.get("YOUHU_HTTPS", "0" if DEBUG else "1") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# Behind a TLS-terminating proxy that redirects http:// itself, YOUHU_SSL_REDIRECT=0 spares the app the check.
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("YOUHU_SSL_REDIRECT", "1") == "1"
# A year, subdomains included, preload-ready (Django's deployment check asks for all three); YOUHU_HSTS_SECONDS
# small while trying HTTPS out, 0 = no HSTS header.
SECURE_HSTS_SECONDS = int(os.environ.get("YOUHU_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "youhu.accounts",
    "youhu.directory",
    "youhu.access",
    "youhu.workdays",
    "youhu.taxonomy",
    "youhu.tickets",
    "youhu.escalation",
    "youhu.dispatch",
    "youhu.intake",
    "youhu.supervision",
    "youhu.enterprise",
    "youhu.indicators",
    "youhu.dashboard",
    "youhu.opendata",
    "youhu.workflow",
    "youhu.projects",
    "youhu.web",
    "youhu.demo",
    "youhu.notify",
    "youhu.ops",
    "youhu.knowledge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ itself, so that `gunicorn youhu.wsgi` with DEBUG off shows styled pages with no
    # collectstatic and no other web server (files found in the apps' static folders at start-up).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "youhu.accounts.middleware.ActorMiddleware",
    "youhu.accounts.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a refused login of a locked account into the login page's message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "youhu.urls"
WSGI_APPLICATION = "youhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "youhu.web.context.navigation",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        name = unquote(parsed.path.lstrip("/")) or "youhu"
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or "postgres"),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            # JIT compiles any plan the planner costs high, as it does the unit queues' EXISTS plans: 30-35 ms
            # of compiling for an index scan of 0.1 ms (docs/scale.md). The app's queries are all short.
            "OPTIONS": {"options": "-c jit=off"},
            # From the URL's database, so that runs against different databases never share a test database.
            "TEST": {"NAME": os.environ.get("YOUHU_TEST_DB_NAME", f"test_{name}")},
        }
    if parsed.scheme == "sqlite":
        return _sqlite(Path(unquote(parsed.path)))
    raise ValueError(f"YOUHU_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite:/// or postgres://)")


def _sqlite(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Keeping connections open is worth a factor of three in insert throughput (measured).
        "CONN_MAX_AGE": 600,
        "OPTIONS": {
            # IMMEDIATE avoids the deadlock of two readers upgrading to writers at once.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # mmap: when another process commits, SQLite drops this connection's page cache; mapped pages are
            # then read in place, not copied again (API + triage worker on 2 cores: 188 -> 212 appeals/s).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA mmap_size=1073741824;",
        },
    }


DATABASES = {
    "default": _database_from_url(os.environ["YOUHU_DATABASE_URL"])
    if os.environ.get("YOUHU_DATABASE_URL")
    else _sqlite(VAR_DIR / "youhu.sqlite3")
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# ---------------------------------------------------------------- staff accounts and shared limits
# (youhu.accounts; docs/security.md)
AUTHENTICATION_BACKENDS = [
    "youhu.accounts.backends.LockoutBackend",  # refuses a locked account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "youhu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle sessions end: requests push the expiry forward by this much (youhu.accounts.middleware.IdleSessionMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("YOUHU_SESSION_IDLE_MINUTES", "30")) * 60

# Login throttling (django-axes): N wrong passwords for one account, or from one address, lock it for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("YOUHU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YOUHU_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account and per address
# Failures are rows in the database, so every worker process counts the same ones (as the rate limits share
# the "shared" cache); axes' cache handler would count per process on the embedded default.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "youhu.accounts.backends.lockout_address"  # the address the rate limits see
AXES_LOCKOUT_CALLABLE = "youhu.accounts.views.locked_out"
AXES_VERBOSE = False

# Second factor (django-otp TOTP): required for these roles and for superusers, optional for the others.
YOUHU_SECOND_FACTOR_ROLES = ("admin", "supervisor")
OTP_TOTP_ISSUER = "有呼必应"

# One cache per process (locmem) for computed figures; rate limits and anything else that must hold across
# workers use "shared": the database (its table made by youhu.accounts' migration) or Redis when configured.
_REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("YOUHU_REDIS_URL", "")}
CACHES = {
    "default": _REDIS if os.environ.get("YOUHU_REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "youhu"},
    "shared": _REDIS if os.environ.get("YOUHU_REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "youhu_shared_cache"}  # youhu.accounts migration 0002,
}

# Background work (triage of queued appeals): huey on Redis when several app servers share it, else an
# embedded SQLite queue next to the database. Worker: `youhu run_huey`.
HUEY = {
    "name": "youhu",
    "results": False,  # nobody waits on a task's return value
    "immediate": os.environ.get("YOUHU_QUEUE_IMMEDIATE", "0") == "1",
    # Triage is CPU work in Python: processes, one per core, use the cores that threads (one GIL) cannot;
    # triage leases keep their batches apart (dispatch.leases).
    "consumer": {"workers": int(os.environ.get("YOUHU_QUEUE_WORKERS", os.cpu_count() or 2)),
                 "worker_type": os.environ.get("YOUHU_QUEUE_WORKER_TYPE", "process")},
    **(
        {"huey_class": "huey.RedisHuey", "connection": {"url": os.environ["YOUHU_REDIS_URL"]}}
        if os.environ.get("YOUHU_REDIS_URL")
        # No fsync per task (20x faster bulk queueing, like Redis' default): a task lost to a power cut
        # leaves its ticket NEW in the database, where the sweeper finds it.
        else {"huey_class": "huey.SqliteHuey",
              "connection": {"filename": str(VAR_DIR / "queue.sqlite3"), "fsync": False}}
    ),
}
if not os.environ.get("YOUHU_REDIS_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the queue file is opened as soon as Django starts

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # where collectstatic would write; WhiteNoise warns if missing
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Tests and the import bench use many quick requests from one client.
RATELIMIT_ENABLE = os.environ.get("YOUHU_RATELIMIT", "1") == "1"
# Reverse proxies in front of the app servers (nginx: 1); the rate limits then key on the client's address.
YOUHU_TRUSTED_PROXIES = int(os.environ.get("YOUHU_TRUSTED_PROXIES", "0"))
# The proxy terminates TLS and says so in X-Forwarded-Proto (deploy/nginx-youhu.conf sets it, overwriting the
# client's): without this every request would look like http:// and be redirected for ever.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if YOUHU_TRUSTED_PROXIES > 0 else None
RATELIMIT_IP_META_KEY = "youhu.access.clientip.client_ip"
RATELIMIT_USE_CACHE = "shared"

YOUHU = {
    # Tickets classified at or above this confidence are dispatched without a person.
    "AUTO_DISPATCH_CONFIDENCE": float(os.environ.get("YOUHU_AUTO_DISPATCH_CONFIDENCE", "0.9")),
    # Office hours used for hour-based deadlines (accept within N office hours).
    "OFFICE_HOURS": [("09:00", "12:00"), ("13:30", "18:00")],
    # Days after a reply without review before the ticket closes by itself.
    "REVIEW_WINDOW_WORKING_DAYS": 5,
    # "inline": intake triages each new ticket in the request; "deferred": it only queues it (huey) and the
    # worker `youhu run_huey` triages (the appeal is acknowledged as soon as it is stored).
    "TRIAGE": os.environ.get("YOUHU_TRIAGE", "inline"),
    # No SMS gateway in the demo: the enterprise portal shows the company's verification code on screen.
    "ENTERPRISE_PORTAL_SHOW_CODE": os.environ.get("YOUHU_ENTERPRISE_PORTAL_SHOW_CODE", "1" if DEBUG else "0") == "1",
    # A GeoJSON of real street boundaries (properties.name = street); empty = approximate Voronoi cells.
    "STREETS_GEOJSON": os.environ.get("YOUHU_STREETS_GEOJSON", ""),
    # A tile server for the portal's map, under the street outlines: a URL template with {z}/{x}/{y} (and
    # optionally {s}); empty = the outlines alone (works offline). The outlines are GCJ-02: use tiles on the
    # same datum (as Chinese web maps are), or they sit a few hundred metres off.
    "MAP_TILES": os.environ.get("YOUHU_MAP_TILES", ""),
    "MAP_TILES_ATTRIBUTION": os.environ.get("YOUHU_MAP_TILES_ATTRIBUTION", ""),
    # Open tickets this recent, in the same street and category, are compared for duplicates.
    "DUPLICATE_WINDOW_DAYS": int(os.environ.get("YOUHU_DUPLICATE_WINDOW_DAYS", "7")),
    "DUPLICATE_SIMILARITY": float(os.environ.get("YOUHU_DUPLICATE_SIMILARITY", "0.6")),
    # Niceness the queue's workers add to their own: on a machine shared with the web processes, a burst of
    # appeals is acknowledged first and triaged in its wake, in larger and so cheaper batches. 0: as started.
    "QUEUE_NICE": int(os.environ.get("YOUHU_QUEUE_NICE", "10")),
}

# Notifications (youhu.notify, docs/notify.md): gateways from the environment; each unit's group robots and each
# user's SMS / e-mail opt-ins in the admin. No YOUHU_SMS_URL and no YOUHU_SMTP_URL: messages go to the log and
# the admin's outbox view (demo mode).
YOUHU_NOTIFY = {
    "ENABLED": os.environ.get("YOUHU_NOTIFY", "1") == "1",
    # Absolute links in messages (robots, e-mail, /t/<code> short links in SMS).
    "BASE_URL": os.environ.get("YOUHU_BASE_URL", "http://127.0.0.1:8000"),
    "SMS_BACKEND": os.environ.get("YOUHU_SMS_BACKEND", ""),  # http | aliyun | tencent | log; default http if URL
    "SMS_URL": os.environ.get("YOUHU_SMS_URL", ""),
    "SMS_SIGN_NAME": os.environ.get("YOUHU_SMS_SIGN_NAME", "有呼必应"),
    "ALIYUN_SMS_URL": os.environ.get("YOUHU_ALIYUN_SMS_URL", "https://dysmsapi.aliyuncs.com/"),
    "ALIYUN_ACCESS_KEY_ID": os.environ.get("YOUHU_ALIYUN_ACCESS_KEY_ID", ""),
    "ALIYUN_ACCESS_KEY_SECRET": os.environ.get("YOUHU_ALIYUN_ACCESS_KEY_SECRET", ""),
    "TENCENT_SMS_URL": os.environ.get("YOUHU_TENCENT_SMS_URL", "https://sms.tencentcloudapi.com/"),
    "TENCENT_SECRET_ID": os.environ.get("YOUHU_TENCENT_SECRET_ID", ""),
    "TENCENT_SECRET_KEY": os.environ.get("YOUHU_TENCENT_SECRET_KEY", ""),
    "TENCENT_SMS_APP_ID": os.environ.get("YOUHU_TENCENT_SMS_APP_ID", ""),
    "TENCENT_REGION": os.environ.get("YOUHU_TENCENT_REGION", "ap-guangzhou"),
    "SMTP_URL": os.environ.get("YOUHU_SMTP_URL", ""),  # smtp://user:pass@host:port[?starttls=1], smtps://...
    "MAIL_FROM": os.environ.get("YOUHU_MAIL_FROM", "youhu@localhost"),
    "TIMEOUT_SECONDS": float(os.environ.get("YOUHU_NOTIFY_TIMEOUT", "10")),
    "QUIET_HOURS": ("22:00", "08:00"),  # no SMS to residents then, except the registration receipt
    "SMS_DAILY_CAP": int(os.environ.get("YOUHU_SMS_DAILY_CAP", "10")),  # per phone number and day
    "MAX_ATTEMPTS": 8,
    "RETRY_BASE_SECONDS": 30,
    "RETRY_MAX_SECONDS": 3600,
    "STUCK_AFTER_SECONDS": 120,  # an attempt this old in 'sending' died with its worker
    "LATE_AFTER_SECONDS": 60,  # a pending row this far past due lost its task
    "SWEEP_LIMIT": 5000,
}

# Key projects (重点项目): a node is yellow this many working days before its deadline; a month's progress
# report is due by this working day of the next month.
YOUHU_PROJECTS = {
    "WARN_WORKING_DAYS": int(os.environ.get("YOUHU_PROJECTS_WARN_WORKING_DAYS", "5")),
    "REPORT_DUE_WORKING_DAY": int(os.environ.get("YOUHU_PROJECTS_REPORT_DUE_WORKING_DAY", "5")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YOUHU_LOG_LEVEL", "WARNING")},
    # `youhu run_huey` gives the huey logger a handler of its own; without this every line shows twice.
    "loggers": {"huey": {"propagate": False}},
}
