"""The Mayor's letters: rendering one, building a print batch, and emailing them.

Three parts, in this process (no server), on one temporary database with the
demo data plus bench nominees. Each has its goal and says whether it was met.

1. Render. What it stresses: `recognition.letters.letter_pdf(nominee_id=...)`
   for one nominee with a postal address, as the worker calls it: the letter's
   facts and template read from the database, the merge, `letter_html` (the
   address formatted, the HTML cleaned, every character checked against the
   fonts), then `render_letter`: WeasyPrint's layout with our own URL fetcher,
   the layout checked against the envelope zones, and the PDF written. The
   control, timed alternately with it, is WeasyPrint alone on the very same
   HTML and CSS (made once by `letter_html` beforehand):
   `HTML(string=html, base_url=...).write_pdf(stylesheets=[CSS(string=css)],
   font_config=...)` with one FontConfiguration kept for the run and the same
   `pdf_tags` and `dpi` options, but WeasyPrint's default URL fetcher, no
   checks and no database. Median milliseconds of each; the goal: at most 1.3x
   the control.

2. Print batch. What it stresses: building a print batch of N letters (1,000
   by default) the way a deployment does, on real Celery workers (--workers
   of them, one process each, default: this machine's CPU count) against this
   run's database and broker: the batch task puts the letters in postcode
   order and cuts them into parts (recognition.services.PRINT_BATCH_PART_SIZE
   letters each), one task per part renders its letters into a PDF of its
   own, and the batch task joins the parts, streamed page by page into one
   file (recognition/pdf_join.py), and writes the address list. Timed from the
   moment the Mayor's office makes the batch (its task is published) until it
   is finished; the workers are started and ready before. Memory: each
   worker's peak resident set (VmHWM), and their sum. The control, on the same
   letters in the same run before it: the same services run one after another
   in this process (cut, every part, join), as a single worker would. Before
   both, not timed: N approved nominees with postal addresses (varied names
   and postcodes) are bulk-created with one approved Nomination each (rows as
   `nomination_submit` would make them, without its per-row transaction and
   audit entry), then `letters_create_for_approved` (limit large enough for
   all), `letters_release` and `print_batch_create`, the services the beat
   and the Mayor's office run. Any demo nominees with a postal address, and
   part 1's nominee, join the batch too; `letters` says how many it held. The
   goal: at most 30 s, and at most 500 MB peak for the workers together.

3. Email. What it stresses: sending M letters by email (10,000 by default)
   through Django's in-memory backend (bench/settings.py) on real Celery
   workers (--workers of them), as a deployment sends them: the emails are
   claimed in batches (`council.services.emails_send`, one message and one
   connection per batch, each email recorded as it goes), their PDFs read back
   from storage, each message built with its attachment and sent. Before it,
   timed and reported as "making" but not part of the goal: M approved
   nominees with an email address, their letters created and released; the
   release publishes one `letters_send` message per 20 letters, and workers
   taking only the main queue make them (render, store, queue the email),
   which publishes each 20 letters' emails as one message on the email queue,
   where they wait. Timed: fresh workers taking only the email queue, from the
   first one ready until no email of these letters is queued or sending
   (checked every 20 ms with one query on the status index over their range
   of ids, about as cheap as the control's look for its marker file). The
   control, run first while the email queue holds nothing else and timed the
   same way: M no-op tasks (bench/tasks.py) waiting on the email queue, then a
   marker task, worked through by fresh workers; the goal: letters emailed per
   second at least 0.8x no-op tasks per second, and every letter sent.

Rendering a letter dominates part 2 and the making in part 3, so on a small
machine the defaults take a long time; --batch and --emails run fewer (the JSON
says what ran).

Usage: python bench/bench_letters.py [--renders N] [--batch N] [--workers N] [--emails N]
                                     [--parts render,batch,email]
Uses a temporary SQLite database unless DATABASE_URL is set (then a throwaway
database beside it, dropped afterwards). Prints one JSON object.
"""

import argparse
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import support  # bench/support.py, beside this script

RENDER_GOAL_RATIO = 1.3
BATCH_GOAL_SECONDS = 30
BATCH_GOAL_MB = 500
EMAIL_GOAL_RATIO = 0.8

STREETS = [
    "Ocean Road",
    "Westoe Road",
    "Fowler Street",
    "Stanhope Road",
    "Prince Edward Road",
    "Mowbray Road",
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=50, help="letters rendered in part 1")
    parser.add_argument("--batch", type=int, default=1000, help="letters in the print batch")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="Celery worker processes building the print batch in part 2 (default: CPU count)",
    )
    parser.add_argument("--emails", type=int, default=10_000, help="letters emailed in part 3")
    parser.add_argument(
        "--parts",
        default="render,batch,email",
        help="which parts to run, comma-separated (default: all three)",
    )
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    if min(args.renders, args.batch, args.emails, args.workers) < 1:
        parser.error("--renders, --batch, --workers and --emails must be at least 1")
    return args


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _current_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _postcode(rng: random.Random) -> str:
    letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
    return f"NE{rng.randint(1, 39)} {rng.randint(1, 9)}{letters}"


def make_nominees(count: int, *, by_post: bool, rng: random.Random) -> list[int]:
    """`count` approved nominees with one approved nomination each; returns their ids."""
    from django.db import transaction
    from django.utils import timezone

    from council.models import Area
    from nominations.models import Campaign, Nomination, Nominee
    from nominations.services import _new_reference, _nominee_fields
    from recognition.honours.generate import FIRST_NAMES, SURNAMES  # the roll's bench names

    campaign = Campaign.objects.filter(categories__isnull=False).distinct().first()
    category = campaign.categories.first()
    wards = list(Area.objects.filter(active=True)) or [None]
    now = timezone.now()
    tag = "post" if by_post else "email"
    nominees, nominations = [], []
    for number in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        answers = {
            "nominee_kind": "person",
            "nominee_name": name,
            "area": rng.choice(wards),
            **(
                {
                    "address_line_1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
                    "town": "South Shields",
                    "postcode": _postcode(rng),
                }
                if by_post
                else {"nominee_email": f"bench-{tag}-{number}@example.org"}
            ),
        }
        nominees.append(Nominee(**_nominee_fields(answers)))
    with transaction.atomic():
        Nominee.objects.bulk_create(nominees, batch_size=500)
        for nominee in nominees:
            nominations.append(
                Nomination(
                    reference=_new_reference(),
                    campaign=campaign,
                    category=category,
                    nominee=nominee,
                    status=Nomination.Status.APPROVED,
                    source=Nomination.Source.STAFF,
                    nominee_kind=nominee.kind,
                    nominee_name=nominee.name,
                    nominee_email=nominee.email,
                    address_line_1=nominee.address_line_1,
                    town=nominee.town,
                    postcode=nominee.postcode,
                    area=nominee.area,
                    reason=(
                        f"{nominee.name.split()[0]} has run the street's food bank every "
                        "Saturday for six years, and never once asked for thanks."
                    ),
                    nominator_name="Pat Neighbour",
                    nominator_email="pat.neighbour@example.org",
                    nominator_relationship="Neighbour",
                    confirmed_at=now,
                    decided_at=now,
                )
            )
        Nomination.objects.bulk_create(nominations, batch_size=500)
    return [nominee.pk for nominee in nominees]


def release_letters(expected: int) -> dict:
    """Letters for every approved nominee without one, released by the Mayor's office."""
    from django.contrib.auth import get_user_model

    from recognition.services import letters_create_for_approved, letters_release

    actor = get_user_model().objects.filter(is_superuser=True).first()
    created = letters_create_for_approved(limit=expected + 10_000)
    released = letters_release(actor=actor)
    return {"created": created, "released": released, "actor": actor}


# --- Part 1: one letter against WeasyPrint alone ---------------------------------------


def bench_render(args, nominee_id: int) -> dict:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from recognition import letter_pdf
    from recognition.letters import letter_content
    from recognition.letters import letter_pdf as real_letter_pdf

    html, css = letter_pdf.letter_html(letter_content(nominee_id=nominee_id))
    config = FontConfiguration()
    base_url = str(support.ROOT)
    options = {"pdf_tags": True, "dpi": 300}

    def control() -> bytes:
        return HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[CSS(string=css, font_config=config)], font_config=config, **options
        )

    def real() -> bytes:
        return real_letter_pdf(nominee_id=nominee_id)

    sizes = {"control": len(control()), "real": len(real())}  # warm-up, not timed
    times = {"control": [], "real": []}
    for _ in range(args.renders):
        for name, work in (("real", real), ("control", control)):
            started = time.perf_counter()
            work()
            times[name].append((time.perf_counter() - started) * 1000)
    real_ms = statistics.median(times["real"])
    control_ms = statistics.median(times["control"])
    ratio = real_ms / control_ms
    return {
        "inputs": {"renders": args.renders, "nominee_id": nominee_id},
        "goal": f"letter_pdf median <= {RENDER_GOAL_RATIO}x WeasyPrint alone",
        "real_median_ms": round(real_ms, 1),
        "control_median_ms": round(control_ms, 1),
        "real_p90_ms": round(statistics.quantiles(times["real"], n=10)[-1], 1)
        if args.renders > 1
        else round(real_ms, 1),
        "ratio": round(ratio, 3),
        "pdf_bytes": sizes,
        "met": ratio <= RENDER_GOAL_RATIO,
        "peak_rss_mb": _peak_mb(),
    }


# --- Part 2: a print batch -------------------------------------------------------------


def _database_url() -> str:
    """DATABASE_URL for the database this process uses (a throwaway one, on PostgreSQL)."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _peak_rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def start_workers(
    count: int, logs: Path, *, queues: str = "", tag: str = ""
) -> list[subprocess.Popen]:
    """`count` Celery workers, one process each, on this run's database and broker.

    Returns once every one is ready; `first_ready(workers)` then says when the
    first began taking tasks. `queues` (comma-separated) limits what they take.
    """
    env = {**os.environ, "DATABASE_URL": _database_url()}
    workers, paths = [], []
    for number in range(count):
        path = logs / f"worker{tag}-{number}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
            "--hostname",
            f"bench{tag}-{number}@%h",
            *(["-Q", queues] if queues else []),
        ]
        with open(path, "wb") as log:
            workers.append(
                subprocess.Popen(
                    command,
                    cwd=support.ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        paths.append(path)
    deadline = time.monotonic() + 60
    pending = dict(zip(paths, workers, strict=True))
    first = None
    while pending:
        for path, worker in list(pending.items()):
            if " ready." in path.read_text(errors="replace"):
                first = first or time.perf_counter()
                del pending[path]
            elif worker.poll() is not None or time.monotonic() > deadline:
                stop_workers(workers)
                raise RuntimeError(f"A worker did not start:\n{path.read_text(errors='replace')}")
        time.sleep(0.02)
    for worker in workers:
        worker.first_ready = first
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def bench_batch(args, rng: random.Random, workdir: Path) -> dict:
    from celery import current_app

    from recognition import services
    from recognition.models import Letter, PrintBatch, PrintBatchPart

    started = time.perf_counter()
    make_nominees(args.batch, by_post=True, rng=rng)
    released = release_letters(args.batch)
    actor = released["actor"]
    setup_seconds = time.perf_counter() - started

    # Control: the whole build in this process, one step after another.
    control_batch = services.print_batch_create(actor=actor)
    before_mb = _current_mb()
    started = time.perf_counter()
    services.print_batch_build(batch_id=control_batch.pk)
    for part in PrintBatchPart.objects.filter(batch=control_batch).order_by("number"):
        services.print_batch_part_build(part_id=part.pk)
    services.print_batch_build(batch_id=control_batch.pk)
    control_seconds = time.perf_counter() - started
    control_growth_mb = round(_peak_mb() - before_mb, 1)
    control_batch.refresh_from_db()
    # The same letters again, for the workers.
    Letter.objects.filter(print_batch=control_batch).update(print_batch=None)

    current_app.control.purge()  # the demo's own emails and letters: not this benchmark's work
    workers = start_workers(args.workers, workdir)
    try:
        started = time.perf_counter()
        batch = services.print_batch_create(actor=actor)  # its task is published on commit
        while True:
            batch.refresh_from_db()
            if batch.status in (PrintBatch.Status.SENT, PrintBatch.Status.FAILED):
                break
            if time.perf_counter() - started > 900 or any(w.poll() is not None for w in workers):
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        worker_peaks = [_peak_rss_of(worker.pid) for worker in workers]
    finally:
        stop_workers(workers)
    parts = PrintBatchPart.objects.filter(batch=batch)
    total_mb = round(sum(worker_peaks), 1)
    return {
        "inputs": {
            "batch": args.batch,
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "part_size": services.PRINT_BATCH_PART_SIZE,
            "nominees": "bulk_create of Nominee + approved Nomination rows",
            "letters": batch.letter_count,
            "letters_created": released["created"],
            "released": released["released"],
            "setup_seconds": round(setup_seconds, 1),
        },
        "goal": f"print batch built <= {BATCH_GOAL_SECONDS} s and <= {BATCH_GOAL_MB} MB peak",
        "status": batch.status,
        "error": batch.last_error,
        "built_count": batch.built_count,
        "parts": parts.count(),
        "seconds": round(seconds, 1),
        "seconds_per_letter": round(seconds / max(batch.letter_count, 1), 3),
        "pdf_mb": round(batch.pdf.size / 1_000_000, 1) if batch.pdf else None,
        "worker_peak_rss_mb": worker_peaks,
        "peak_rss_mb": total_mb,
        "control": {
            "how": "the same services one after another in this process",
            "status": control_batch.status,
            "seconds": round(control_seconds, 1),
            "build_growth_mb": control_growth_mb,
        },
        "speedup_vs_control": round(control_seconds / seconds, 2) if seconds else None,
        "met": batch.status == "sent"
        and seconds <= BATCH_GOAL_SECONDS
        and total_mb <= BATCH_GOAL_MB,
    }


# --- Part 3: emailing letters ----------------------------------------------------------


def _wait_for(done, workers, limit: float = 3600) -> float:
    """Polls `done()` until true; returns when, or raises if a worker died or time ran out."""
    started = time.monotonic()
    while not done():
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError("A worker stopped part-way")
        if time.monotonic() - started > limit:
            raise RuntimeError("The work did not finish in time")
        time.sleep(0.02)
    return time.perf_counter()


def bench_email(args, rng: random.Random, workdir: Path) -> dict:
    from celery import current_app

    from bench import tasks as bench_tasks
    from council.models import OutboundEmail
    from recognition.models import Letter

    current_app.control.purge()  # earlier parts' leftovers: not this part's work

    # Control, first, while the email queue holds nothing else: as many no-op tasks as
    # letters, then a mark, worked through by fresh workers taking the email queue.
    marker = workdir / "control-done"
    for number in range(args.emails):
        bench_tasks.noop.apply_async(args=[number], queue="email", retry=False)
    bench_tasks.mark.apply_async(args=[str(marker)], queue="email", retry=False)
    control_workers = start_workers(args.workers, workdir, queues="email", tag="-control")
    try:
        finished = _wait_for(marker.exists, control_workers)
        control_seconds = finished - control_workers[0].first_ready
    finally:
        stop_workers(control_workers)
    control_rate = args.emails / control_seconds

    # Before the real run, not part of the goal: the letters, released as the Mayor's
    # office releases them, then made by workers taking only the main queue, so that
    # their emails wait in theirs.
    started = time.perf_counter()
    nominee_ids = make_nominees(args.emails, by_post=False, rng=rng)
    released = release_letters(args.emails)  # publishes letters_send, 20 letters a message
    letters = Letter.objects.filter(nominee_id__in=nominee_ids, route=Letter.Route.EMAIL)
    letter_count = letters.count()
    setup_seconds = time.perf_counter() - started
    # As below, polled over a range of ids rather than a list of thousands.
    letter_ids = list(letters.values_list("pk", flat=True))
    unmade = Letter.objects.filter(
        pk__gte=min(letter_ids), pk__lte=max(letter_ids), route=Letter.Route.EMAIL
    ).exclude(stage__in=[Letter.Stage.AWAITING_RELEASE, Letter.Stage.EMAILED, Letter.Stage.FAILED])
    makers = start_workers(args.workers, workdir, queues="celery", tag="-make")
    try:
        made_at = _wait_for(lambda: not unmade.exists(), makers)
        making_seconds = made_at - makers[0].first_ready
    finally:
        stop_workers(makers)
    email_ids = list(
        letters.exclude(outbound_email=None).values_list("outbound_email_id", flat=True)
    )
    emails = OutboundEmail.objects.filter(pk__in=email_ids)
    queued = emails.filter(status=OutboundEmail.Status.QUEUED).count()
    # Polled every 20 ms while the senders work, so it must cost about what the
    # control's marker file does: a range of ids on the status index, not a
    # list of 10,000 ids (which took CPU from the workers it was timing). The
    # range may also hold the demo letters' emails, made in the same run.
    in_range = OutboundEmail.objects.filter(pk__gte=min(email_ids), pk__lte=max(email_ids))
    unsent = in_range.filter(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENDING])

    # Real: the letters' emails, published by the workers that made them, sent by fresh workers.
    senders = start_workers(args.workers, workdir, queues="email", tag="-send")
    try:
        finished = _wait_for(lambda: not unsent.exists(), senders)
        real_seconds = finished - senders[0].first_ready
        sender_peaks = [_peak_rss_of(worker.pid) for worker in senders]
    finally:
        stop_workers(senders)

    sent = emails.filter(status=OutboundEmail.Status.SENT).count()
    real_rate = len(email_ids) / real_seconds
    ratio = real_rate / control_rate
    notes = []
    if current_app.conf.broker_url.startswith("filesystem"):
        # Measured: 1,894 no-op tasks a second with 500 waiting, 1,007 with 2,000, 172 with 10,000.
        notes.append(
            f"The control's {args.emails} messages wait on the file broker, which reads its whole "
            "folder of waiting messages to take each one, so the control slows as its queue "
            f"grows, while the letters' emails wait as {-(-args.emails // 20)} messages of 20. "
            "The ratio flatters the letters, more the more emails: run with REDIS_URL set."
        )
    return {
        "inputs": {
            "emails": args.emails,
            "letters": letter_count,
            "workers": args.workers,
            "letters_created": released["created"],
            "released": released["released"],
            "setup_seconds": round(setup_seconds, 1),
            "how": (
                "Celery workers (solo pool, one process each) on this run's broker and database; "
                "locmem email backend; each timed from the first worker ready to the last task done"
            ),
        },
        "goal": f"letter email throughput >= {EMAIL_GOAL_RATIO}x a no-op task's",
        "making": {
            "what": "letters_send tasks (20 letters each): render, store, queue the email",
            "seconds": round(making_seconds, 1),
            "letters_per_second": round(letter_count / making_seconds, 2),
            "emails_waiting": queued,
        },
        "real_letters_per_second": round(real_rate, 1),
        "control_tasks_per_second": round(control_rate, 1),
        "real_seconds": round(real_seconds, 2),
        "control_seconds": round(control_seconds, 2),
        "ratio": round(ratio, 3),
        "sent": sent,
        "letters_emailed": letters.filter(stage=Letter.Stage.EMAILED, status="sent").count(),
        "sender_peak_rss_mb": sender_peaks,
        "met": ratio >= EMAIL_GOAL_RATIO and sent == letter_count,
        "notes": notes,
    }


def run(args) -> dict:
    rng = random.Random(args.seed)
    parts = set(args.parts.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-letters-"))
    result = {"benchmark": "letters"}
    try:
        with support.django_in_process(workdir) as database:
            result["database"] = database
            [nominee_id] = make_nominees(1, by_post=True, rng=rng)
            if "render" in parts:
                result["render"] = bench_render(args, nominee_id)
            if "batch" in parts:
                result["print_batch"] = bench_batch(args, rng, workdir)
            if "email" in parts:
                result["email"] = bench_email(args, rng, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    result = run(args)
    print(json.dumps(result))
    batch, email = result.get("print_batch"), result.get("email")
    if (batch and batch["status"] != "sent") or (
        email and email["sent"] != email["inputs"]["letters"]
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
