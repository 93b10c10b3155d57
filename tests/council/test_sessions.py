"""Sessions: kept in the database, an existing one saved by a single UPDATE."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from council.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_changed_session_is_saved_by_one_update_and_read_back():
    session = SessionStore()
    session["journey"] = {"who": "person"}
    session.save()  # a new session: created as Django creates it
    key = session.session_key

    again = SessionStore(session_key=key)
    again["journey"] = {"who": "business"}
    with CaptureQueriesContext(connection) as queries:
        again.save()
    statements = [query["sql"].split()[0] for query in queries.captured_queries]
    assert statements == ["UPDATE"]  # read when changed; saved with no transaction around it

    assert SessionStore(session_key=key)["journey"] == {"who": "business"}


def test_a_session_deleted_meanwhile_is_not_brought_back():
    session = SessionStore()
    session["journey"] = {"who": "person"}
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()  # signed out in another tab
    session["journey"] = {"who": "group"}
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.exists()


def test_the_site_uses_it(settings):
    assert settings.SESSION_ENGINE == "council.sessions"
