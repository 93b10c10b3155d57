"""Outgoing work that must never be lost or done twice.

Every piece of work that leaves the platform (an email, a letter, a social
post, a check-in) is a row with a status before any task is queued:

1. A service creates the row in status ``queued`` inside its transaction and
   calls :func:`enqueue`, which publishes the task only once the transaction
   has committed. If the broker is down at that moment nothing is lost: the
   row is still ``queued``.
2. Beat runs :func:`sweep` every minute. It re-publishes rows that have sat in
   ``queued`` for longer than ``requeue_after``, and deals with rows left in
   ``sending`` by a worker that died mid-way (see ``stale_sending``).
3. The task calls :func:`claim`, which locks the row, checks its status and
   moves it to ``sending`` in one short transaction. A second delivery of the
   same message finds the row no longer ``queued`` and does nothing.
4. The task does the outside call and records the outcome with
   :func:`finish` (``sent``) or :func:`fail` (``failed`` with the reason, shown
   to staff). A failure never rolls back the business change that asked for it.
5. A passing fault (the provider busy or out of reach) goes to
   :func:`retry_later`: the row is ``queued`` again with ``next_attempt_at``
   set, each wait about twice the one before, and the sweeper publishes it
   only once that time has come. Nothing is queued with a countdown (with
   Redis, a message held past the visibility timeout is delivered again).
   After ``max_attempts`` tries the row is ``failed`` with the last reason.

Many rows queued at once (the Mayor's office releasing thousands of letters)
go by :func:`enqueue_many`: a model with a ``batch_task_name`` gets one message
per ``batch_size`` rows, and its task claims them with :func:`claim_many` and
records them with :func:`finish_many`; the same rules hold row by row.
"""

import logging
import random
from contextlib import contextmanager
from datetime import timedelta
from typing import ClassVar

from celery import current_app
from django.apps import apps
from django.db import DatabaseError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class OutgoingWork(models.Model):
    class Status(models.TextChoices):
        # Kept back until a person releases it (the Mayor's office releases letters).
        HELD = "held", _("Held until released")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown: check before sending again")

    # The Celery task that takes the row's primary key and does the work.
    task_name: ClassVar[str] = ""
    # A task that takes a list of primary keys and does them together (one
    # connection to the provider for many emails), and how many go in one
    # message. Used when many rows are queued at once (enqueue_many); a row on
    # its own, and the sweeper, still use `task_name`.
    batch_task_name: ClassVar[str] = ""
    batch_size: ClassVar[int] = 50
    # How long a row may wait in `queued` before the sweeper publishes it again.
    requeue_after: ClassVar[timedelta] = timedelta(minutes=2)
    # How long a row may sit in `sending` before the worker is presumed dead.
    stale_after: ClassVar[timedelta] = timedelta(minutes=20)
    # What a stale `sending` row becomes. `queued` sends it again (right for an
    # email: a second copy beats none); `unknown` leaves it for a person to check.
    stale_sending: ClassVar[str] = Status.QUEUED
    # Tries before a passing fault becomes a failure, and the waits between
    # them: the first about `retry_first_wait`, each later one about twice the
    # one before, never more than `retry_max_wait`. Eight tries at 1, 2, 4, 8,
    # 16, 32 and 60 minutes cover about two hours of a provider's outage.
    max_attempts: ClassVar[int] = 8
    retry_first_wait: ClassVar[timedelta] = timedelta(minutes=1)
    retry_max_wait: ClassVar[timedelta] = timedelta(hours=1)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When a row waiting after a passing fault may be tried again. Empty: as
    # soon as it is published (the sweeper re-publishes after `requeue_after`).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


def outgoing_models() -> list[type[OutgoingWork]]:
    return [
        model for model in apps.get_models() if issubclass(model, OutgoingWork) and model.task_name
    ]


def _publish(model: type[OutgoingWork], pk: int) -> bool:
    try:
        current_app.send_task(model.task_name, args=[pk], retry=False)
    except Exception:  # The broker is down or unreachable: the sweeper will try again.
        logger.warning(
            "Could not queue %s %s; it stays queued for the sweeper",
            model.__name__,
            pk,
            exc_info=True,
        )
        return False
    return True


def enqueue(obj: OutgoingWork) -> None:
    """Publish the row's task once the surrounding transaction commits."""
    model, pk = type(obj), obj.pk
    transaction.on_commit(lambda: _publish(model, pk))


def publish_many(model: type[OutgoingWork], pks: list[int]) -> int:
    """Publish rows of one kind, `batch_size` to a message where the model has a batch task.

    Returns how many rows were published; the rest stay queued for the sweeper
    (the broker refused a message).
    """
    if not model.batch_task_name:
        published = 0
        for pk in pks:
            if not _publish(model, pk):
                break
            published += 1
        return published
    published = 0
    for start in range(0, len(pks), model.batch_size):
        chunk = list(pks[start : start + model.batch_size])
        try:
            current_app.send_task(model.batch_task_name, args=[chunk], retry=False)
        except Exception:  # The broker is down: the sweeper publishes them one by one later.
            logger.warning(
                "Could not queue %s %s; they stay queued for the sweeper",
                model.__name__,
                chunk,
                exc_info=True,
            )
            break
        published += len(chunk)
    return published


def enqueue_many(objs) -> None:
    """Publish many rows once the surrounding transaction commits, in batches where the model
    has a batch task (so 10,000 emails are 200 messages, each sent over one connection)."""
    by_model: dict[type[OutgoingWork], list[int]] = {}
    for obj in objs:
        by_model.setdefault(type(obj), []).append(obj.pk)
    for model, pks in by_model.items():
        transaction.on_commit(lambda model=model, pks=pks: publish_many(model, pks))


@contextmanager
def records_without_waiting_for_disk(model: type[OutgoingWork]):
    """Inside this block, PostgreSQL commits the rows' records without waiting for its disk.

    Sending a batch of emails records each one as it goes (a claim, then a
    "sent" per email, each its own commit, so a worker that dies part-way has
    sent again only the one it was handing over). Waiting for every one of those
    commits to be flushed to disk was most of an email's cost. With
    `synchronous_commit` off for this connection, a commit is done once the
    server has it: a worker killed mid-batch loses nothing it recorded; only a
    crash of the database server itself can lose its last fraction of a second
    of records (wal_writer_delay, three times over at worst), and then those
    emails go again, a second copy rather than none, as when a worker dies
    between the provider taking an email and its record. Nothing else changes:
    the setting is for this connection and this block only. Other databases
    (SQLite) are left as they are.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:  # the connection broke: drop it, and the setting with it
            connection.close()


def _set_status(obj: OutgoingWork, status: str, **fields) -> None:
    obj.status = status
    obj.status_changed_at = timezone.now()
    fields.setdefault("next_attempt_at", None)
    for name, value in fields.items():
        setattr(obj, name, value)
    _update_columns(obj, {"status": status, "status_changed_at": obj.status_changed_at, **fields})


def _update_columns(obj: OutgoingWork, values: dict) -> None:
    """One UPDATE of these columns of the row, written as SQL once per set of columns.

    This is the write made for every email sent, straight after the provider
    takes it, so it is kept to one statement with no query building: on
    PostgreSQL the ORM's `filter(pk=...).update(...)` cost more than the
    statement itself. No model signals listen to outgoing rows.
    """
    model = type(obj)
    connection = connections[router.db_for_write(model, instance=obj)]
    fields = [model._meta.get_field(name) for name in values]
    key = (model, connection.alias, tuple(values))
    sql = _UPDATE_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        # Only the model's own table and column names, quoted; every value is a parameter.
        sql = _UPDATE_SQL[key] = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(model._meta.pk.column),
        )
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])


_UPDATE_SQL: dict[tuple, str] = {}


def claim(
    model: type[OutgoingWork], pk: int, *, ready: tuple[str, ...] = (OutgoingWork.Status.QUEUED,)
) -> OutgoingWork | None:
    """Lock the row and move it to `sending` if it is ready and due; otherwise None."""
    with transaction.atomic():
        obj = model.objects.select_for_update().filter(pk=pk).first()
        if obj is None or obj.status not in ready:
            return None
        if obj.next_attempt_at is not None and obj.next_attempt_at > timezone.now():
            return None  # waiting after a passing fault: the sweeper publishes it when due
        _set_status(obj, OutgoingWork.Status.SENDING, attempts=obj.attempts + 1)
    return obj


def claim_many(model: type[OutgoingWork], pks) -> list[OutgoingWork]:
    """`claim` for many rows in one short transaction: those ready and due move to `sending`.

    Rows another worker has locked are skipped rather than waited for (that
    worker is sending them). Returned in the order of `pks`.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update(skip_locked=True).filter(
                models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now),
                pk__in=list(pks),
                status=OutgoingWork.Status.QUEUED,
            )
        )
        if not rows:
            return []
        model.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=OutgoingWork.Status.SENDING,
            status_changed_at=now,
            next_attempt_at=None,
            attempts=models.F("attempts") + 1,
        )
    for row in rows:
        row.status, row.status_changed_at, row.next_attempt_at = (
            OutgoingWork.Status.SENDING,
            now,
            None,
        )
        row.attempts += 1
    order = {pk: number for number, pk in enumerate(pks)}
    return sorted(rows, key=lambda row: order.get(row.pk, 0))


def finish_many(objs: list[OutgoingWork], *, extra_fields: tuple[str, ...] = ()) -> None:
    """`finish` for many rows in one statement; `extra_fields` already set on each row are saved too."""
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.status, obj.status_changed_at, obj.sent_at = OutgoingWork.Status.SENT, now, now
        obj.last_error, obj.next_attempt_at = "", None
    type(objs[0]).objects.bulk_update(
        objs,
        ["status", "status_changed_at", "sent_at", "last_error", "next_attempt_at", *extra_fields],
    )


def finish(obj: OutgoingWork, **fields) -> None:
    _set_status(obj, OutgoingWork.Status.SENT, sent_at=timezone.now(), last_error="", **fields)


def fail(obj: OutgoingWork, reason: str) -> None:
    _set_status(obj, OutgoingWork.Status.FAILED, last_error=reason[:2000])


def retry_wait(model: type[OutgoingWork], attempts: int, *, rng=None) -> timedelta:
    """How long to wait after `attempts` tries: doubling each time, capped, with jitter.

    The wait is drawn between half and all of the doubled figure, so rows that
    failed together (a provider's outage) do not all come back in the same minute.
    """
    doubled = model.retry_first_wait * 2 ** max(attempts - 1, 0)
    ceiling = min(doubled, model.retry_max_wait)
    # Jitter, not a secret: the standard generator is right here.
    fraction = (rng or random).uniform(0.5, 1.0)  # noqa: S311
    return ceiling * fraction


def retry_later(obj: OutgoingWork, reason: str) -> bool:
    """A passing fault: `queued` again until a later try is due, or `failed` after the last.

    Returns whether it will be tried again. The reason is kept either way, so
    staff see what the provider said.
    """
    if obj.attempts >= obj.max_attempts:
        fail(obj, f"Not sent after {obj.attempts} tries. The last answer was: {reason}")
        return False
    _set_status(
        obj,
        OutgoingWork.Status.QUEUED,
        last_error=reason[:2000],
        next_attempt_at=timezone.now() + retry_wait(type(obj), obj.attempts),
    )
    return True


def wait(obj: OutgoingWork, *, until) -> None:
    """Back to `queued`, not a failure: the work is waiting on other work (a batch on its parts).

    Whatever finishes that work publishes the row again; the sweeper looks at it
    at `until` in case that message was lost.
    """
    _set_status(obj, OutgoingWork.Status.QUEUED, next_attempt_at=until)


def _due(model: type[OutgoingWork], now) -> models.Q:
    """Queued rows to publish: past their next try, or waiting longer than `requeue_after`."""
    return models.Q(next_attempt_at__lte=now) | models.Q(
        next_attempt_at__isnull=True, status_changed_at__lt=now - model.requeue_after
    )


def sweep(now=None) -> dict[str, int]:
    """Re-publish rows stuck in `queued`; settle rows a dead worker left in `sending`."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for model in outgoing_models():
        stale = model.objects.filter(
            status=OutgoingWork.Status.SENDING, status_changed_at__lt=now - model.stale_after
        )
        settled = stale.update(
            status=model.stale_sending,
            status_changed_at=now,
            last_error="The worker stopped while this was being sent.",
        )
        waiting = list(
            model.objects.filter(_due(model, now), status=OutgoingWork.Status.QUEUED)
            .order_by("status_changed_at")
            .values_list("pk", flat=True)[:1000]
        )
        # Due now, so the worker takes it whatever its own clock says.
        model.objects.filter(pk__in=waiting, next_attempt_at__isnull=False).update(
            next_attempt_at=None
        )
        published = 0
        for pk in waiting:
            if not _publish(model, pk):
                break  # the broker is down; the next sweep tries again
            published += 1
        # Published rows wait a full `requeue_after` again before the next try.
        model.objects.filter(pk__in=waiting[:published], status=OutgoingWork.Status.QUEUED).update(
            status_changed_at=now
        )
        counts[model._meta.label] = published + settled
    return counts
