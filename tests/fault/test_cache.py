"""Signing in keeps working, and keeps being rate limited, while the cache's Redis is down.

council.cache.ResilientRedisCache carries the sign-in rate limits. With Redis
unreachable it must neither fail the page (a 500 on the sign-in form locks
everybody out) nor stop counting (that opens the door to password guessing),
and it must go back to Redis when Redis is back.
"""

import pickle

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from tests.council.factories import PASSWORD, UserFactory
from tests.fault.broker import RedisServer

pytestmark = [pytest.mark.fault, pytest.mark.django_db]

LOGIN_URL = "/accounts/login/"


@pytest.fixture
def cache_redis(tmp_path, settings):
    """A private Redis behind the production cache configuration, running."""
    server = RedisServer(tmp_path / "cache-redis")
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "council.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "proud",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield server
    server.stop()


def in_redis(server: RedisServer, key: str):
    """What Redis itself holds for a cache key (None if nothing)."""
    raw = server.client().get(cache.make_key(key))
    return None if raw is None else pickle.loads(raw)  # noqa: S301 (our own test data)


def sign_in(client, email: str, password: str):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def test_sign_in_is_limited_but_never_fails_while_the_cache_is_down(client, cache_redis):
    person = UserFactory()
    cache.set("before-outage", "kept in redis")
    assert in_redis(cache_redis, "before-outage") == "kept in redis"

    cache_redis.stop()
    with pytest.raises(redis.ConnectionError):
        cache_redis.client().ping()

    assert client.get(LOGIN_URL).status_code == 200
    # ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per account in 5 minutes.
    allowed = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])
    for _ in range(allowed):
        response = sign_in(client, person.email, "not-the-password")
        assert response.status_code == 200
        assert "The email address and/or password you specified are not correct" in (
            response.content.decode()
        )
    # After that even the right password is refused, so guessing gets nowhere.
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session

    # ACCOUNT_RATE_LIMITS["login"] allows 30 sign-in forms a minute from one address;
    # the next is allauth's "too many requests" page, not a server error.
    per_ip = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    statuses = [
        sign_in(client, person.email, "another-guess").status_code
        for _ in range(per_ip - allowed - 1)
    ]
    assert set(statuses) == {200}
    response = sign_in(client, person.email, "another-guess")
    assert response.status_code == 429
    assert "There have been too many attempts from your connection" in response.content.decode()

    cache_redis.start()

    cache.set("after-outage", "back in redis")
    assert in_redis(cache_redis, "after-outage") == "back in redis"
    assert cache.get("after-outage") == "back in redis"
