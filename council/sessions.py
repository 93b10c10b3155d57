"""Database sessions, with an existing session saved by one UPDATE.

Django's database backend saves every session inside `transaction.atomic()`,
which on PostgreSQL is three statements (BEGIN, UPDATE, COMMIT) where one
does: a single UPDATE is atomic by itself. Every question page of the
nomination journey saves the session, so the public form pays this on each
step. New sessions are created as Django creates them (the insert may clash
with a key drawn twice, which needs the transaction to recover from).
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, router


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        using = router.db_for_write(self.model, instance=obj)
        try:
            updated = (
                self.model._base_manager.using(using)
                .filter(pk=obj.pk)
                .update(session_data=obj.session_data, expire_date=obj.expire_date)
            )
        except DatabaseError:
            raise UpdateError from None
        if not updated:  # deleted meanwhile (signed out in another tab): as Django says
            raise UpdateError
