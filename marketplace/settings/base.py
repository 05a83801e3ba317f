"""Settings shared by every environment. Values come from environment variables
(see README, "Configuration") with defaults that run on one machine with no services."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from .env import cache_from_url, database_from_env, database_owner_from_env, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("MARKETPLACE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite file, media and test files live here by default

INSECURE_DEFAULT_SECRET_KEY = "insecure-dev-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core",
    "certification",
    "orders",
    "payments",
    "aftersales",
    "procurement",
    "invoices",
    "sales_channels",
    "traceability",
    "live",
    "attribution",
    "producers",
    "catalog",
    "cms",
    "search.apps.SearchConfig",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "core.wagtail_users.MarketplaceUsersConfig",  # wagtail.users + our user form fields
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # sitemap.xml's templates (cms/sitemaps.py)
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RejectNulMiddleware",  # 400 before a NUL reaches a session or page lookup
    "marketplace.csp_policy.SiteCSPMiddleware",  # after WhiteNoise: static files need no policy
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous visitors' storefront pages from the cache (core/page_cache.py): after the
    # language and CSRF cookie are known, before anything reads the session.
    "core.page_cache.PageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "marketplace.urls"

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
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "marketplace.wsgi.application"

DATABASES = {"default": database_from_env(str(VAR_DIR / "marketplace.sqlite3"))}
# PostgreSQL with two roles: the application signs in as DATABASE_URL's role, which may not
# change or empty the ledger and the audit trail; migrations, flushes and the demo reset
# sign in as the tables' owner (core/db_roles.py). Empty: DATABASE_URL does everything.
DATABASE_OWNER = database_owner_from_env()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

# Chinese first, English available; all day boundaries in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files only scoped views may serve (certification evidence naming households).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Absolute address of the storefront, for links that leave the site (QR codes, emails).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Content-Security-Policy (django-csp; marketplace/csp_policy.py). The storefront's is strict:
# scripts, styles, images and requests from this site only (page code is in static files,
# json_script blocks are data and never run), no frames, no plugins, forms post here only,
# and nobody may frame us. Pages that need more widen it themselves with django-csp's
# decorators: the Stripe payment page (payments/stripe_views.py) and a live event's player
# (cms/models.py). Media served from another origin (an absolute MEDIA_URL) is allowed
# as images. The hash is the one <style> block of templates/500.html, the page that must
# render without static files (tests/security/test_csp.py recomputes it).
_MEDIA_ORIGIN = "/".join(MEDIA_URL.split("/")[:3]) if "://" in MEDIA_URL else ""
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF, "'sha256-+au5PlzNKp9QrGqdq9vaN4NoQLwdfVXDoPcIncJh1wU='"],
        "img-src": [_SELF, *([_MEDIA_ORIGIN] if _MEDIA_ORIGIN else [])],
        "connect-src": [_SELF],
        "frame-src": [_NONE],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
# The Wagtail admin's own, under /admin/ only: the storefront's, widened by exactly what its
# pages were seen to need when loaded in Chromium with the strict policy on (every admin
# page a platform administrator, an operator and an officer can reach in the demo;
# tests/browser/test_csp_browser.py keeps some of them honest). Inline <script>s: Wagtail
# 8's widgets (choosers, date pickers, inline panels) start themselves with one and offer
# no nonce. Inline <style>s: the Draftail rich-text editor injects its own. blob: images:
# previews of images being uploaded. Frames and <object>s of this site, and being framed
# by it: the page preview panel, PDF evidence in the certification review.
ADMIN_CONTENT_SECURITY_POLICY = {
    "PATH_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [_SELF, "'unsafe-inline'"],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], "blob:"],
        "object-src": [_SELF],
        "frame-src": [_SELF],
        "frame-ancestors": [_SELF],
    },
}

# Wagtail
WAGTAIL_SITE_NAME = "消费帮扶馆"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = MAX_UPLOAD_BYTES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "webp", "xlsx", "csv"]
# The admin calls no one else: no Gravatar pictures (they send a hash of each user's
# e-mail abroad and do not load in China; Wagtail draws its default avatar) and no check
# for new Wagtail releases (upgrades are a pinned requirement, not a banner). Both would
# otherwise need outside origins in the admin's Content-Security-Policy.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Celery: with no broker configured every task runs eagerly in the calling process,
# so the marketplace needs no services on one machine. With a broker, workers do it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A message a worker took but never acknowledged (the worker was killed; tasks with
# acks_late acknowledge only when done) goes back to the queue after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE: dict = {
    "certification-record-expiries": {
        "task": "certification.record_expiries",
        "schedule": crontab(minute=5, hour=0),  # just after midnight, Asia/Shanghai
    },
    "certification-notify-expiring": {
        "task": "certification.notify_expiring",
        "schedule": crontab(minute=0, hour=9),
    },
    # Messages the broker could not take when sent after a commit (core/background.py).
    "core-resend-pending-tasks": {"task": "core.resend_pending_tasks", "schedule": 60.0},
    # Pages whose go-live time has come are published, expired ones unpublished (cms/tasks.py).
    "cms-publish-scheduled-pages": {"task": "cms.publish_scheduled_pages", "schedule": 60.0},
}

# Wagtail's own background work (reference index, file deletion) goes through
# django-tasks. We route it into Celery so one worker fleet runs everything; with no
# broker, the Celery side runs eagerly, i.e. in-process, exactly like the immediate backend.
TASKS = {"default": {"BACKEND": "marketplace.task_backend.CeleryTaskBackend"}}

# Search: database (jieba-segmented) unless ELASTICSEARCH_URL is set.
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "marketplace")
# Seconds a storefront search may wait for Elasticsearch before the database answers
# instead; index upkeep and search_reindex allow longer (search/backends/elasticsearch.py).
ELASTICSEARCH_TIMEOUT = float(env_str("ELASTICSEARCH_TIMEOUT", "2"))

# Certification: how long a certificate runs, and a font with Chinese glyphs for the
# certificate picture (a system font is looked for when unset).
CERTIFICATE_VALIDITY_YEARS = env_int("CERTIFICATE_VALIDITY_YEARS", 2)
CJK_FONT_PATH = env_str("CJK_FONT_PATH", "")

# Stripe: card / Alipay / WeChat Pay are offered only when all three are set.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "消费帮扶馆 <noreply@example.cn>")

CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
# The anonymous full-page cache (core/page_cache.py): on unless PAGE_CACHE=0. A kept page is
# dropped when what it shows changes, and at the latest after PAGE_CACHE_MAX_AGE seconds.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 600)
# Fragments of pages kept for every visitor, signed in or not (product cards: cms/fragments.py),
# dropped by the same changes: on unless FRAGMENT_CACHE=0.
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", True)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}

# Buying (orders): how long stock stays reserved for an unpaid order —
# card / Alipay / WeChat Pay, and bank transfer (institutions pay by invoice, slowly) —
# and how often the beat task cancels lapsed orders and returns their stock.
ORDER_PAYMENT_WINDOW_MINUTES = env_int("ORDER_PAYMENT_WINDOW_MINUTES", 30)
ORDER_TRANSFER_PAYMENT_WINDOW_MINUTES = env_int("ORDER_TRANSFER_PAYMENT_WINDOW_MINUTES", 7 * 24 * 60)
CELERY_BEAT_SCHEDULE["orders-expire-unpaid"] = {
    "task": "orders.expire_unpaid_orders",
    "schedule": crontab(minute="*/5"),
}
# A shipped parcel the buyer has not confirmed confirms itself (系统自动确认收货) once this
# many Asia/Shanghai days have passed since the day it shipped; beat looks every hour.
AUTO_CONFIRM_DAYS = env_int("AUTO_CONFIRM_DAYS", 10)
CELERY_BEAT_SCHEDULE["orders-auto-confirm-receipts"] = {
    "task": "orders.auto_confirm_receipts",
    "schedule": crontab(minute=15),
}
# Organisations paying after acceptance (procurement): their finance members are texted about
# orders due within three days or overdue, at 09:00 Shanghai time, once a day per order.
CELERY_BEAT_SCHEDULE["procurement-remind-payments-due"] = {
    "task": "procurement.remind_payments_due",
    "schedule": crontab(hour=9, minute=0),
}

# After-sales (售后, aftersales/): the shop answers a request within REPLY_HOURS, the buyer
# sends goods back within RETURN_DAYS of the shop agreeing, the shop confirms the returned
# parcel within RECEIVE_DAYS, a refused buyer may ask the platform within DISPUTE_DAYS; a
# received parcel may be asked about for WINDOW_DAYS. Beat moves requests past their deadline
# (to the platform, or closed) every ten minutes.
AFTER_SALES_REPLY_HOURS = env_int("AFTER_SALES_REPLY_HOURS", 48)
AFTER_SALES_RETURN_DAYS = env_int("AFTER_SALES_RETURN_DAYS", 7)
AFTER_SALES_RECEIVE_DAYS = env_int("AFTER_SALES_RECEIVE_DAYS", 7)
AFTER_SALES_DISPUTE_DAYS = env_int("AFTER_SALES_DISPUTE_DAYS", 3)
AFTER_SALES_WINDOW_DAYS = env_int("AFTER_SALES_WINDOW_DAYS", 15)
CELERY_BEAT_SCHEDULE["aftersales-move-overdue"] = {
    "task": "aftersales.move_overdue",
    "schedule": crontab(minute="*/10"),
}

# Stripe payments (payments.stripe_*): how old a webhook signature's timestamp
# may be (older deliveries are refused as replays), how many times the library retries a
# failed request (same idempotency key), and which PaymentIntents the reconciliation beat
# task asks Stripe about: pending longer than AFTER minutes, created within WINDOW hours.
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
STRIPE_RECONCILE_AFTER_MINUTES = env_int("STRIPE_RECONCILE_AFTER_MINUTES", 15)
STRIPE_RECONCILE_WINDOW_HOURS = env_int("STRIPE_RECONCILE_WINDOW_HOURS", 48)
CELERY_BEAT_SCHEDULE["payments-reconcile-stripe"] = {
    "task": "payments.reconcile_stripe",
    "schedule": crontab(minute="*/10"),
}

# WeChat Pay API v3, contracted directly (payments/providers/wechat.py). Offered only when
# all of MCHID, APPID, APIV3_KEY, PRIVATE_KEY_PATH, CERT_SERIAL_NO, PUBLIC_KEY_PATH and
# PUBLIC_KEY_ID are set. The platform's answers and notifications are verified with the
# WeChat Pay public key (微信支付公钥, its id PUB_KEY_ID_…), not downloaded certificates.
# API_BASE points the client elsewhere (the tests' local endpoint); empty: WeChat Pay's own.
WECHATPAY_MCHID = env_str("WECHATPAY_MCHID", "")
WECHATPAY_APPID = env_str("WECHATPAY_APPID", "")
WECHATPAY_APIV3_KEY = env_str("WECHATPAY_APIV3_KEY", "")
WECHATPAY_PRIVATE_KEY_PATH = env_str("WECHATPAY_PRIVATE_KEY_PATH", "")  # the merchant API key (apiclient_key.pem)
WECHATPAY_CERT_SERIAL_NO = env_str("WECHATPAY_CERT_SERIAL_NO", "")  # the merchant API certificate's serial
WECHATPAY_PUBLIC_KEY_PATH = env_str("WECHATPAY_PUBLIC_KEY_PATH", "")  # WeChat Pay's public key (pub_key.pem)
WECHATPAY_PUBLIC_KEY_ID = env_str("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_API_BASE = env_str("WECHATPAY_API_BASE", "")

# Alipay open platform, contracted directly (payments/providers/alipay.py). Offered only when
# APP_ID, APP_PRIVATE_KEY_PATH and PUBLIC_KEY_PATH (Alipay's public key, RSA2) are set.
# SANDBOX uses Alipay's sandbox gateway; GATEWAY overrides the address (the tests' endpoint).
ALIPAY_APP_ID = env_str("ALIPAY_APP_ID", "")
ALIPAY_APP_PRIVATE_KEY_PATH = env_str("ALIPAY_APP_PRIVATE_KEY_PATH", "")
ALIPAY_PUBLIC_KEY_PATH = env_str("ALIPAY_PUBLIC_KEY_PATH", "")
ALIPAY_SELLER_ID = env_str("ALIPAY_SELLER_ID", "")  # the 2088… partner id; checked on notifications when set
ALIPAY_SANDBOX = env_bool("ALIPAY_SANDBOX", False)
ALIPAY_GATEWAY = env_str("ALIPAY_GATEWAY", "")

# Direct providers' upkeep (payments/direct.py): how old a WeChat Pay notification's
# timestamp may be; trades and refunds still open after AFTER minutes (and created within
# WINDOW hours) are asked about; notifications stored but not processed are processed again.
PAYMENT_NOTIFY_TOLERANCE = env_int("PAYMENT_NOTIFY_TOLERANCE", 300)
PAYMENT_RECONCILE_AFTER_MINUTES = env_int("PAYMENT_RECONCILE_AFTER_MINUTES", 15)
PAYMENT_RECONCILE_WINDOW_HOURS = env_int("PAYMENT_RECONCILE_WINDOW_HOURS", 48)
PAYMENT_PROVIDER_TIMEOUT = float(env_str("PAYMENT_PROVIDER_TIMEOUT", "10"))  # seconds per request
CELERY_BEAT_SCHEDULE["payments-reconcile-direct"] = {
    "task": "payments.reconcile_direct",
    "schedule": crontab(minute="*/10"),
}
# Each provider's bill of yesterday is compared with our records at 10:30 (bills are ready
# from 10:00 for WeChat Pay, 09:00 for Alipay).
CELERY_BEAT_SCHEDULE["payments-check-bills"] = {
    "task": "payments.check_bills",
    "schedule": crontab(minute=30, hour=10),
}

# Attribution ledger: reconciled against orders, payments and refunds every night, after
# the day's expiries. Household statement lookups are limited per registration number:
# MAX_FAILURES code checks per WINDOW (attribution/lookup.py); the counters of windows
# past are purged nightly.
CELERY_BEAT_SCHEDULE["attribution-audit-ledger"] = {
    "task": "attribution.audit_ledger",
    "schedule": crontab(minute=30, hour=2),
}
CELERY_BEAT_SCHEDULE["attribution-purge-statement-lookups"] = {
    "task": "attribution.purge_statement_lookups",
    "schedule": crontab(minute=40, hour=3),
}
STATEMENT_LOOKUP_MAX_FAILURES = env_int("STATEMENT_LOOKUP_MAX_FAILURES", 5)
STATEMENT_LOOKUP_WINDOW_MINUTES = env_int("STATEMENT_LOOKUP_WINDOW_MINUTES", 15)

# Live-stream sales (live): how many whole days after the day an event ends
# its link still earns "post-live" sales, and how many viewer-sample requests one
# event token may make per minute (more get 429).
LIVE_POST_LIVE_DAYS = env_int("LIVE_POST_LIVE_DAYS", 7)
LIVE_SAMPLES_PER_MINUTE = env_int("LIVE_SAMPLES_PER_MINUTE", 30)
# How many sales reports (batches) one offline point's token may send per minute (more get 429).
OFFLINE_INTAKE_PER_MINUTE = env_int("OFFLINE_INTAKE_PER_MINUTE", 30)
# ?tag=<code> (or ?live=<code>) on any page tags the visitor's cart with that live event or campaign
# (core.link_codes; needs sessions and messages).
MIDDLEWARE += ["orders.live_links.LinkTagMiddleware"]

# Consumption-support reports (reports): summary tables kept from the ledger,
# report views in the admin, a JSON endpoint. A custom report period may span at most
# REPORTS_MAX_RANGE_DAYS days (its timeline has one point per day).
INSTALLED_APPS += ["live_results", "reports"]
REPORTS_MAX_RANGE_DAYS = env_int("REPORTS_MAX_RANGE_DAYS", 3 * 366)

# Sign-in throttling (django-axes; core/login_throttle.py): failed sign-ins on every login
# page are counted in the database over LOGIN_LOCKOUT_MINUTES, per account (any address)
# and per address (any account, a higher limit: one address can be a village's shared
# connection). Past either limit every attempt, the right password too, gets a 429 page
# until the window has passed since the last counted failure. The client's address is
# REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, read from X-Forwarded-For
# (core/client_address.py).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "core.login_throttle.LoginThrottleBackend",  # first: refuses a locked account or address
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: turns a refused sign-in into the 429 page
AXES_HANDLER = "core.login_throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked neither count nor extend the lock
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "core.login_throttle.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # failures are what is counted; successful sign-ins are not logged
AXES_VERBOSE = False
# A failed attempt's form is kept (AccessAttempt.post_data): never its passwords or codes.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "password1", "password2"]

# Accounts by mobile number (core/accounts.py): register and sign in with a mainland mobile
# number and a password or a one-time SMS code, reset the password by code. Codes
# (core/verification.py): CODE_LENGTH digits, kept hashed, valid SMS_CODE_VALID_MINUTES,
# used once, dead after SMS_CODE_MAX_FAILURES wrong tries; every wrong code is also a failed
# sign-in for django-axes above. Sending is limited per number (one per
# SMS_SEND_INTERVAL_SECONDS, SMS_SENDS_PER_NUMBER_HOURLY an hour) and per client address
# (SMS_SENDS_PER_ADDRESS_HOURLY an hour). SMS_BACKEND (core/sms.py) sends them: the console
# by default (the code is printed in the terminal), or Aliyun SMS with the ALIYUN_SMS_* settings.
SMS_BACKEND = env_str("SMS_BACKEND", "core.sms.ConsoleBackend")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "消费帮扶馆")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 5)
SMS_CODE_VALID_MINUTES = env_int("SMS_CODE_VALID_MINUTES", 5)
SMS_CODE_MAX_FAILURES = env_int("SMS_CODE_MAX_FAILURES", 5)
SMS_SEND_INTERVAL_SECONDS = env_int("SMS_SEND_INTERVAL_SECONDS", 60)
SMS_SENDS_PER_NUMBER_HOURLY = env_int("SMS_SENDS_PER_NUMBER_HOURLY", 5)
SMS_SENDS_PER_ADDRESS_HOURLY = env_int("SMS_SENDS_PER_ADDRESS_HOURLY", 20)
ALIYUN_SMS_ENDPOINT = env_str("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
ALIYUN_SMS_ACCESS_KEY_ID = env_str("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = env_str("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_TEMPLATES = {
    "verification_code": env_str("ALIYUN_SMS_TEMPLATE_CODE", ""),
    # 售后进度 (aftersales/notify.py): "您的售后单${number}：${status}".
    "after_sale_update": env_str("ALIYUN_SMS_AFTER_SALE_TEMPLATE_CODE", ""),
}
CELERY_BEAT_SCHEDULE["core-purge-sms-codes"] = {
    "task": "core.purge_sms_codes",
    "schedule": crontab(minute=50, hour=3),
}
