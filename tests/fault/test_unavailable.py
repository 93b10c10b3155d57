"""What people and monitoring see when the database or the broker cannot be reached.

People get the GOV.UK-style "service unavailable" page, never a stack trace;
monitoring gets /healthz answering 503 and naming the dependency that failed
(DESIGN.md § 5).
"""

import json

import pytest

from tests.fault.broker import free_port
from tests.fault.processes import WebServer, environment, started

pytestmark = pytest.mark.fault

UNAVAILABLE = "Sorry, the service is unavailable"


@pytest.fixture
def web_server_without_database(broker, var_dir):
    """gunicorn as the Procfile runs it, with DATABASE_URL naming a port nothing listens on."""
    database = f"postgres://postgres@127.0.0.1:{free_port()}/proud"
    server = WebServer(
        env=environment(var_dir=var_dir, database=database, broker_environ=broker.environ),
        cwd=var_dir,
        log=var_dir / "gunicorn.log",
    )
    started(server)
    yield server
    server.stop()


def test_the_site_says_it_is_unavailable_when_the_database_is_down(web_server_without_database):
    for path in ["/", "/accounts/login/", "/privacy/"]:
        status, headers, body = web_server_without_database.get(path)

        assert status == 503, path
        assert UNAVAILABLE in body, path
        assert "Try again in a few minutes" in body
        assert "Traceback" not in body
        assert "OperationalError" not in body
        assert headers.get("Retry-After") == "120"

    status, headers, body = web_server_without_database.get("/healthz")

    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"database": "unreachable", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down_and_recovers_with_it(client, broker):
    broker.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable"}

    broker.start()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
