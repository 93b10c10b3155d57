"""The production settings (config/settings.py) as the test suite runs them.

Only the environment is set here: a throwaway key, plain HTTP on this
machine, debug off. DATABASE_URL and REDIS_URL, when set, point the suite at
real PostgreSQL and Redis.
"""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-key-not-for-any-real-site-0123456789-abcdefghij"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("PROUD_PLAIN_STATIC", "true")
os.environ["DJANGO_DEBUG"] = "false"
# The delivery-tracking webhooks are on, as on a real site.
os.environ.setdefault("ANYMAIL_WEBHOOK_SECRET", "tracking:test-only-webhook-secret")
os.environ.pop("PROUD_DEMO_MODE", None)

from config.settings import *  # noqa: E402, F403

# Password hashing is deliberately slow; the suite signs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
