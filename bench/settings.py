"""The production settings plus the benchmarks' control pages (bench/urls.py).

Only the URLs, the template folder and rate limiting change, so the control
and the real pages go through the same middleware, template engine and context
processors.

Rate limiting (django-ratelimit, nominations/ratelimits.py) is off: the
benchmark sends hundreds of nominations from one address, which the per-address
and per-email limits would rightly refuse after the first 20. The check itself
is a cache lookup and the cache is per process (LocMemCache) unless REDIS_URL
is set.

Email goes to Django's in-memory backend: bench_letters times sending the
Mayor's letters through it, and no benchmark should leave files of mail behind.
The benchmarks' own tasks (bench/tasks.py) are found because this folder is
listed as an app.
"""

import copy

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, INSTALLED_APPS, TEMPLATES

ROOT_URLCONF = "bench.urls"

TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]

RATELIMIT_ENABLE = False

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
