"""Fixtures for fault tests: a broker to stop and start, real workers and web servers.

The database a worker subprocess uses must be the one the test writes to, so
tests that start a worker use ``transactional_db`` (their writes are committed,
and so visible to another process) and hand the worker a DATABASE_URL for
pytest-django's test database:

- PostgreSQL: the test database pytest-django created (``test_<name>``),
  read from the connection once it is set up.
- SQLite: pytest-django would keep the test database in memory, where no other
  process can see it. When this folder is collected, the test database is
  made a file in a temporary folder instead (``TEST["NAME"]``), for the whole
  session, as it must be set before the database is created; the other tests
  run the same on it. The folder is removed when pytest ends.
"""

import os
import shutil
import tempfile
from contextlib import contextmanager

import pytest
from celery import current_app

from tests.fault.broker import make_broker
from tests.fault.processes import Worker, database_url, environment


def pytest_configure(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        folder = tempfile.mkdtemp(prefix="proud-fault-db-")
        db.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def _drop_broker_connections(app) -> None:
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def celery_app_using(broker):
    """Point this process's Celery app (what the services publish through) at `broker`."""
    conf = current_app.conf
    saved = conf.broker_url, conf.broker_transport_options
    _drop_broker_connections(current_app)
    conf.broker_url, conf.broker_transport_options = broker.url, broker.transport_options
    try:
        yield current_app
    finally:
        _drop_broker_connections(current_app)
        conf.broker_url, conf.broker_transport_options = saved


@pytest.fixture
def var_dir(tmp_path):
    """The var folder of every process in the test (PROUD_VAR_DIR).

    It is tmp_path itself, so var/mail is the EMAIL_FILE_PATH the suite's
    autouse fixture gives this test: the test and its workers share one outbox.
    """
    return tmp_path


@pytest.fixture
def broker(var_dir):
    """A running broker of the kind the settings call for; the test may stop and start it."""
    broker = make_broker(var_dir)
    broker.start()
    with celery_app_using(broker):
        yield broker
    broker.stop()


@pytest.fixture
def start_workers(transactional_db, broker, var_dir):
    """Start real Celery workers against the test's broker and database; all stop at the end."""
    workers: list[Worker] = []

    def start(count: int = 1) -> list[Worker]:
        env = environment(var_dir=var_dir, database=database_url(), broker_environ=broker.environ)
        batch = [
            Worker(env=env, cwd=var_dir, log=var_dir / f"worker-{len(workers) + n}.log")
            for n in range(count)
        ]
        workers.extend(batch)
        for worker in batch:
            worker.start()
        for worker in batch:
            worker.wait_ready()
        return batch

    yield start
    # A worker takes a few seconds to notice a warm shutdown: ask them all first.
    for worker in workers:
        worker.ask_to_stop()
    for worker in workers:
        worker.stop()
