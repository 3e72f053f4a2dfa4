"""Paperboard settings: one module, configured from environment variables.

With neither DATABASE_URL nor CELERY_BROKER_URL set, Paperboard runs "embedded": a SQLite file,
Celery tasks run in-process, DEBUG on. Production sets DATABASE_URL, CELERY_BROKER_URL and
SECRET_KEY (see README.md and docker-compose.yml).
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

from config.checks import MSG_EMAIL_UNDELIVERED, UNDELIVERED_EMAIL_BACKENDS

BASE_DIR = Path(__file__).resolve().parent.parent

# Only the process environment counts: a .env file at the top is docker compose's business
# and is not read here, so it can never turn a local `make test` into a production setup.
env = environ.Env()

_database_url = env("DATABASE_URL", default="")
_broker = env("CELERY_BROKER_URL", default="")
EMBEDDED = not _database_url and not _broker

DEBUG = env.bool("DEBUG", default=EMBEDDED)

_DEV_SECRET_KEY = "django-insecure-paperboard-development-only"
# Thumbnails of papers live on the source's servers: off, no page makes a reader's browser ask
# a third party for anything (the Content-Security-Policy allows images from this site only);
# on, the paper page shows them and the policy allows https images (frontend.middleware).
SHOW_SOURCE_THUMBNAILS = env.bool("SHOW_SOURCE_THUMBNAILS", default=False)

MSG_SECRET_KEY = (
    "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
)
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
# 50 characters, at least 5 of them different, as Django's own deployment check asks
# (security.W009): a key that passes here passes `check --deploy`.
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(MSG_SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: its templates (registration/ pages among them) win over the admin's namesakes.
    "frontend",
    # Before django.contrib.auth: its `changepassword` command, through the account services,
    # is the one manage.py runs.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "axes",
    "papers",
    "curation",
    "readinggroup",
    "lists",
    "recommendations",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing above reads the request body: refused here, an oversized one is never read.
    "config.middleware.RequestBodyLimitMiddleware",
    # The web pages at the API's rates (API_THROTTLE_*); the API throttles itself.
    "config.middleware.WebThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a flagged lockout into the answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(
        _database_url or f"sqlite:///{env('SQLITE_PATH', default=str(BASE_DIR / 'db.sqlite3'))}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an ingestion holds the write lock; IMMEDIATE takes that
    # lock at BEGIN so two writers queue up instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # A database that silently drops packets must not hang a request or /readyz forever.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend whose health check costs no round trip on a quiet connection.
        DATABASES["default"]["ENGINE"] = "config.postgresql"
        # Statements run through its prepared_cursor() (the related papers' list) are planned
        # once per connection, from their DB_PREPARE_THRESHOLD-th run; "off" behind a pooler
        # that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        # Django's own cursors are never prepared.
        _prepare = env.str("DB_PREPARE_THRESHOLD", default="5").strip().lower()
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
            None if _prepare in ("off", "none", "") else int(_prepare)
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (live ingestion progress goes through it) --------------------------------------
_default_cache = _broker if _broker.startswith("redis") else "locmemcache://"
CACHES = {"default": env.cache_url("CACHE_URL", default=_default_cache)}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The embedded default's cache holds the pages' shared fragments and rows (frontend): a
    # long thread alone renders hundreds of fragments, past Django's 300 entries, whose
    # culling would throw out the rest at each page.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = _broker or "memory://"
# Embedded default: no broker, tasks run in this process when they are enqueued.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not _broker)
# ... and in the embedded default, each in a thread of its own (config.celery.PaperboardTask):
# the request that sends one answers at once, and the uploads page shows live progress.
TASKS_IN_THREADS = env.bool("TASKS_IN_THREADS", default=EMBEDDED)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
# The soft limit comes first, so the task can still mark its dump failed: a minute before the
# hard one, or a tenth of the limit when that is shorter.
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(60, max(1, CELERY_TASK_TIME_LIMIT // 10))
# The longest wait, in seconds, of a task retried after a passing error (the backoff doubles
# from 2 s up to this).
TASK_RETRY_BACKOFF_MAX = env.int("TASK_RETRY_BACKOFF_MAX", default=120)
# Redis has no acknowledgements of its own: a message a worker took and has not acked within
# the visibility timeout is delivered again. With acks_late a message stays unacked while its
# task runs (at most the time limit) and, for a retry, while it waits out its countdown (at
# most the backoff maximum): the timeout covers both, plus a quarter of the time limit as a
# margin. Shorter, a slow but healthy ingestion could be started twice (harmless, the task is
# re-runnable, but it spends an attempt); longer, the dump of a worker that was killed waits
# longer to be taken over. So the time limit is the one knob: a deployment (or a test) with
# short tasks sets CELERY_TASK_TIME_LIMIT low and gets lost messages back sooner. Workers look
# for them every twentieth of the timeout (at most every 100 s, kombu's own period), under a
# lock held for milliseconds that expires soon if its holder was killed.
_visibility_timeout = CELERY_TASK_TIME_LIMIT * 5 // 4 + TASK_RETRY_BACKOFF_MAX
_restore_every = max(1, min(100, _visibility_timeout // 20))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": _restore_every,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": max(5, min(300, 3 * _restore_every)),
    # Sending a task to a broker that is down gives up after about a second (not kombu's
    # default of several): the dump stays queued and the upload is answered; the sweep sends
    # it later.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Run by the `beat` service of docker-compose.yml.
# The queue tasks are sent to when no route names one (beat's included): a deployment that
# shares a broker between apps, or a test's own queue, sets it.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    # Dumps uploaded while the broker was down wait, queued, until it is back.
    "sweep-queued-dumps": {
        "task": "papers.tasks.sweep_queued_dumps",
        "schedule": env.float("DUMP_SWEEP_SECONDS", default=60.0),
    },
    # Writers schedule a refresh when they commit; this catches any that was lost.
    "refresh-search-index": {
        "task": "papers.tasks.refresh_search_index",
        "schedule": env.float("SEARCH_INDEX_SWEEP_SECONDS", default=60.0),
    },
    # Papers written since the last run get their vectors and related papers (writers send
    # it when they commit: PAPERS_CHANGED_TASKS); this catches any that was lost.
    "refresh-recommendations": {
        "task": "recommendations.tasks.refresh_recommendations",
        "schedule": env.float("RECOMMENDATIONS_SWEEP_SECONDS", default=30.0),
    },
    # Papers published since the last run, to the followers of their tags and saved searches
    # (writers send it when they commit: PAPERS_CHANGED_TASKS); this catches any that was
    # lost, and papers that waited for their search vectors.
    "announce-papers": {
        "task": "notifications.tasks.announce_papers",
        "schedule": env.float("NOTIFICATIONS_SWEEP_SECONDS", default=60.0),
    },
    # Events of comments, tags, lists and presenters whose task was lost (the broker down
    # when they committed): notifications.services.outbox.
    "sweep-pending-events": {
        "task": "notifications.tasks.sweep_pending_events",
        "schedule": env.float("PENDING_EVENT_SWEEP_SECONDS", default=60.0),
    },
    # Members whose daily (or, on Mondays, weekly) digest hour has come in their own time
    # zone get their e-mail digest (notifications.services.delivery).
    "send-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": env.float("DIGEST_SWEEP_SECONDS", default=300.0),
    },
    # Webhook deliveries whose task was lost (the broker down when the event committed).
    "send-webhooks": {
        "task": "notifications.tasks.send_pending_webhooks",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=300.0),
    },
    # Tags whose papers changed enough, or whose model is older than a day or than the
    # features, trained again (writers of tags send it when they commit: TAGS_CHANGED_TASKS).
    "train-tag-suggestions": {
        "task": "recommendations.tasks.train_tag_suggestions",
        "schedule": env.float("TAG_SUGGESTIONS_SWEEP_SECONDS", default=600.0),
    },
    # The features fitted again on the whole corpus, new words and all.
    "refit-recommendations": {
        "task": "recommendations.tasks.fit_features",
        "schedule": env.float("RECOMMENDATIONS_REFIT_HOURS", default=24.0) * 3600,
    },
    # Every member's "for you" feed ranked again (also sent after a fit, after new papers
    # were published, and for one member when their signals change).
    "rank-for-you": {
        "task": "recommendations.tasks.rank_for_you_all",
        "schedule": env.float("RECOMMENDATIONS_FOR_YOU_HOURS", default=1.0) * 3600,
    },
}
# Sent once a transaction that wrote papers commits (papers.services.changes).
PAPERS_CHANGED_TASKS = [
    "recommendations.tasks.refresh_recommendations",
    "notifications.tasks.announce_papers",
]
# Sent once a transaction that added or took off papers' tags commits (curation.services.tags).
TAGS_CHANGED_TASKS = ["recommendations.tasks.train_tag_suggestions"]
# Called with a member's id once a transaction that changed their votes, list items or "not
# interested" marks commits (curation.services.member_signals).
MEMBER_SIGNALS_CHANGED_HANDLERS = [
    "recommendations.services.for_you.member_signals_changed_handler"
]

# --- Uploads ------------------------------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
DUMP_MAX_UPLOAD_BYTES = env.int("DUMP_MAX_UPLOAD_BYTES", default=256 * 1024 * 1024)
DUMP_MAX_FILES_PER_UPLOAD = env.int("DUMP_MAX_FILES_PER_UPLOAD", default=20)
# Starts of one dump's ingestion before it is set aside as failed: room for the task's retries
# on passing database errors (papers.tasks.MAX_RETRIES) plus two lost workers.
DUMP_MAX_ATTEMPTS = env.int("DUMP_MAX_ATTEMPTS", default=8)
# Dumps from this size on are parsed in a child process while the ingesting one writes.
DUMP_PARSE_IN_CHILD_BYTES = env.int("DUMP_PARSE_IN_CHILD_BYTES", default=8 * 1024 * 1024)
# A large search-index refresh (a big dump's papers) writes their vectors on this many
# database connections at once: about the cores PostgreSQL may spend on it.
SEARCH_INDEX_WRITERS = env.int("SEARCH_INDEX_WRITERS", default=2)
# Request bodies beyond this are refused (413) before they are read, except on the dump
# uploads, which take DUMP_MAX_UPLOAD_BYTES from the admins (config.middleware).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=4 * 1024 * 1024)
# Files above this size are spooled to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# One more than the dump limit, so the upload form, not Django, says what the limit is.
DATA_UPLOAD_MAX_NUMBER_FILES = DUMP_MAX_FILES_PER_UPLOAD + 1

# --- Recommendations (recommendations/) ------------------------------------------------------
# The features are fitted again when the papers transformed since the last fit exceed this
# share of the papers it was fitted on (besides the daily refit above).
RECOMMENDATIONS_REFIT_GROWTH = env.float("RECOMMENDATIONS_REFIT_GROWTH", default=0.2)
# A member's "for you" feed is ranked this many seconds after their votes, lists or "not
# interested" marks change: the changes made meanwhile make one computation.
FOR_YOU_DEBOUNCE_SECONDS = env.int("RECOMMENDATIONS_FOR_YOU_DEBOUNCE_SECONDS", default=30)
# Where a member's positive papers come from besides their upvotes: callables(*, user_ids)
# giving (member, paper, when) rows (recommendations.selectors.positive_signals).
FOR_YOU_POSITIVE_SOURCES = [
    "lists.selectors.papers_added_by",
    "notifications.selectors.papers_of_followed_tags",
]

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Auth, i18n ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- REST framework -----------------------------------------------------------------------
# The browsable API (an HTML page with forms for every endpoint) helps while developing; in
# production the API answers JSON only unless API_BROWSABLE turns it on.
API_BROWSABLE = env.bool("API_BROWSABLE", default=DEBUG)
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if API_BROWSABLE else []),
    ],
    # Token first: its WWW-Authenticate header turns "not signed in" into a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reads and writes are counted apart, anonymous clients by address, members by account.
    # A rate is "N/second|minute|hour|day", or "off".
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonReadThrottle",
        "config.api.throttling.AnonWriteThrottle",
        "config.api.throttling.UserReadThrottle",
        "config.api.throttling.UserWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon_read": env("API_THROTTLE_ANON_READ", default="300/min"),
        "anon_write": env("API_THROTTLE_ANON_WRITE", default="30/min"),
        "user_read": env("API_THROTTLE_USER_READ", default="1200/min"),
        "user_write": env("API_THROTTLE_USER_WRITE", default="120/min"),
    },
    # How many proxies of ours put an address in X-Forwarded-For: 0 trusts only REMOTE_ADDR,
    # so a client cannot pick its own address to dodge throttles and lockouts.
    "NUM_PROXIES": env.int(
        "API_NUM_PROXIES", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0
    ),
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Paperboard API",
    "DESCRIPTION": "Curate the daily stream of new papers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs' script and styles are static files of drf-spectacular-sidecar, served with
    # the app's own (pinned, under the site's Content-Security-Policy), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name `kind`: each gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "FollowKindEnum": "notifications.models.FollowKind",
        "NotificationKindEnum": "notifications.models.NotificationKind",
    },
}

# --- Security (production) ----------------------------------------------------------------
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
# Sessions are read from the cache (Redis in production), written to both: a signed-in page
# does not ask the database for its session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is a promise to browsers about the whole domain and hard to take back, so an
# operator opts in; until then Django's reminder about it (W021) is noise in `check --deploy`.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # faiss says at import which of its builds it loaded (and why not the others).
        "faiss.loader": {"level": "WARNING"},
    },
}


# --- Accounts, tokens, throttling ---------------------------------------------------------
# Django's own auth views (the browser pages) live under /accounts/.
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# The link of a password reset e-mail, made absolute with the request's origin; the default is
# Django's PasswordResetConfirmView under /accounts/.
PASSWORD_RESET_CONFIRM_URL = env(
    "PASSWORD_RESET_CONFIRM_URL", default="/accounts/reset/{uid}/{token}/"
)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)  # seconds

# E-mail: EMAIL_URL (smtp+tls://user:password@host:587) or EMAIL_BACKEND. Printed on the
# console by default, which only DEBUG allows: in production a password-reset link would go to
# the log and nobody would get it (config.checks tells `check --deploy` too).
_email = env.email_url_config(env("EMAIL_URL", default="consolemail://"))
EMAIL_BACKEND = env("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
if not DEBUG and EMAIL_BACKEND in UNDELIVERED_EMAIL_BACKENDS:
    raise ImproperlyConfigured(MSG_EMAIL_UNDELIVERED.format(backend=EMAIL_BACKEND))
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10  # a stuck mail server must not hold a request forever
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Paperboard <noreply@localhost>")

# The site's own address, for links in e-mails (digests, their unsubscribe links), which no
# request carries.
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
# A digest claimed by a run that has not marked it sent after this long is taken as the
# claim of a dead sender and sent again, with the same Message-ID (notifications.services).
DIGEST_CLAIM_STALE_SECONDS = env.int("DIGEST_CLAIM_STALE_SECONDS", default=900)
# Outgoing webhooks: addresses on private, loopback or link-local networks are refused unless
# this is on (the embedded default, and the tests, which run their receiver on 127.0.0.1);
# in production such a webhook could reach the site's own internal services.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=8)
# An inbox event (a comment, a tag put on a paper, a paper put on a team list, a presenter)
# still pending this long after it committed lost its task: beat's sweep handles it.
PENDING_EVENT_GRACE_SECONDS = env.float("PENDING_EVENT_GRACE_SECONDS", default=60.0)

# Repeated failed log-ins (API, admin, HTTP Basic) lock that username from that address out.
# Axes' backend comes first and needs `request` passed to authenticate(); in tests, log in
# with force_login() or client.login(request=HttpRequest(), ...).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading whether the user is a moderator with the user (one query less on
    # every signed-in page).
    "accounts.backends.RolesModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.api.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.authentication.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # no banner at each start; failures and lockouts are still logged

# Personal API tokens (django-rest-knox): stored as SHA-512 digests, shown once; one per user,
# no expiry unless API_TOKEN_TTL_DAYS is set.
_token_ttl_days = env.int("API_TOKEN_TTL_DAYS", default=0)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=_token_ttl_days) if _token_ttl_days else None,
    "TOKEN_PREFIX": "pb_",  # greppable by secret scanners
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}


# --- Web front end ------------------------------------------------------------------------
# A Content-Security-Policy without inline scripts on every page (frontend.middleware).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "frontend.middleware.ContentSecurityPolicyMiddleware",
)
# The app's sentences for readers are its own 404 and 400 pages with DEBUG on too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("frontend.middleware.ContentSecurityPolicyMiddleware") + 1,
    "frontend.middleware.ReaderErrorPagesMiddleware",
)
# Every page says who the reader is (member, moderator, admin) to choose its menus.
TEMPLATES[0]["OPTIONS"]["context_processors"] += [
    "frontend.context_processors.roles",
    "frontend.context_processors.shared_page",
    "frontend.context_processors.inbox",
]
