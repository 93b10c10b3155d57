"""Tasks only the benchmarks' workers know (bench/settings.py lists this folder as an app).

bench_letters part 3 times a queue of no-op tasks as its control, and its
last task, `mark`, says when the queue before it has been worked through.
"""

from pathlib import Path

from celery import shared_task


@shared_task(name="bench.tasks.noop", acks_late=True)
def noop(number: int) -> None:
    return None


@shared_task(name="bench.tasks.mark", acks_late=True)
def mark(path: str) -> None:
    Path(path).write_text("done", encoding="ascii")
