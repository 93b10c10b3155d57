"""A Redis cache that keeps working, per process, while Redis is down, and is quick.

The cache carries the login and form rate limits. When Redis cannot be
reached we neither fail the page (a 500 on the sign-in form would lock
everybody out) nor stop counting (which would open the door to password
guessing): each process counts in its own memory until Redis is back. The
limits are then per process rather than site-wide, which is the price of
staying up; every switch is logged.

Django's Redis cache makes a new redis-py client for every read and write, and
each new client builds its table of reply handlers (about 170 entries): a
quarter of a millisecond, several times a page. Here each connection pool keeps
one client, which redis-py allows to be shared between threads (the pool gives
each command its own connection).
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)

_FALLBACK_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "decr",
    "set_many",
    "delete_many",
    "clear",
)


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
        self._fallback = LocMemCache(f"fallback-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._degraded = False

    def _fall_back(self, name: str, error: Exception):
        if not self._degraded:
            logger.error(
                "Redis cache unreachable (%s); counting in this process until it is back", error
            )
            self._degraded = True
        return getattr(self._fallback, name)


def _resilient(name):
    redis_operation = getattr(RedisCache, name)

    def operation(self, *args, **kwargs):
        try:
            result = redis_operation(self, *args, **kwargs)
        except _UNREACHABLE as error:
            return self._fall_back(name, error)(*args, **kwargs)
        if self._degraded:
            logger.warning("Redis cache reachable again")
            self._degraded = False
        return result

    operation.__name__ = name
    return operation


for _name in _FALLBACK_OPERATIONS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
