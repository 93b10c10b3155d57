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

3. Email. What it stresses: the throughput of sending M letters by email (10,000
   by default): for each released letter, the `recognition.tasks.letter_send`
   task (render the PDF, save it, queue its OutboundEmail), then
   `council.tasks.email_send` for that OutboundEmail (the PDF read back, the
   message built and sent) through Django's in-memory backend
   (django.core.mail.backends.locmem, its outbox emptied after each round).
   The tasks are run eagerly in this process with `task.apply(args=[...])`, a
   throughput figure for one worker process, with no broker round trip (the
   publish the services do on commit still goes to the file broker or
   REDIS_URL). The control, alternating with it round by round, calls a no-op
   `shared_task` defined here the same way, twice per letter. Letters per
   second of each; the goal: at least 0.8x the control's throughput. Before
   it, not timed: M approved nominees with an email address, their letters
   created and released (which publishes each letter's task; those messages
   are never consumed).

Rendering a letter dominates parts 2 and 3, so on a small machine the defaults
take a long time; --batch and --emails run fewer (the JSON says what ran).

Usage: python bench/bench_letters.py [--renders N] [--batch N] [--workers N] [--emails N]
Uses a temporary SQLite database unless DATABASE_URL is set (then a throwaway
database beside it, dropped afterwards). Prints one JSON object.
"""

import argparse
import json
import logging
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
ROUND = 50  # letters per timed round in part 3

FIRST_NAMES = [
    "Maureen",
    "Arthur",
    "Aisha",
    "Tomasz",
    "Priya",
    "Declan",
    "Ngozi",
    "Wei",
    "Fatima",
    "Gareth",
    "Siobhan",
    "Kwame",
    "Zofia",
    "Harjit",
    "Eleanor",
    "Callum",
    "Yusuf",
    "Bronwen",
    "Oluwaseun",
    "Layla",
    "Stanley",
    "Mei",
    "Imran",
    "Doreen",
]
SURNAMES = [
    "Clarke",
    "Okafor",
    "Patel",
    "Kowalski",
    "Hussain",
    "Fenwick",
    "Nguyen",
    "McGrath",
    "Rutherford",
    "Begum",
    "Mensah",
    "Teasdale",
    "Singh",
    "Chen",
    "Ahmed",
    "Liddell",
    "O'Connor",
    "Zielinski",
    "Hindmarsh",
    "Abiodun",
    "Kaur",
    "Dobson",
]
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


def start_workers(count: int, logs: Path) -> list[subprocess.Popen]:
    """`count` Celery workers, one process each, on this run's database and broker; ready."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    workers, paths = [], []
    for number in range(count):
        path = logs / f"worker-{number}.log"
        with open(path, "wb") as log:
            workers.append(
                subprocess.Popen(
                    [
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
                        f"bench-{number}@%h",
                    ],
                    cwd=support.ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        paths.append(path)
    deadline = time.monotonic() + 60
    for worker, path in zip(workers, paths, strict=True):
        while " ready." not in path.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                stop_workers(workers)
                raise RuntimeError(f"A worker did not start:\n{path.read_text(errors='replace')}")
            time.sleep(0.2)
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


def bench_email(args, rng: random.Random) -> dict:
    from celery import shared_task
    from django.conf import settings
    from django.core import mail

    from council import tasks as council_tasks
    from council.models import OutboundEmail
    from recognition import tasks as recognition_tasks
    from recognition.models import Letter

    @shared_task(name="bench.letters.noop")
    def noop(pk: int) -> None:
        return None

    # Celery logs every task it runs; 40,000 lines would cost more than the no-op itself.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    started = time.perf_counter()
    nominee_ids = make_nominees(args.emails, by_post=False, rng=rng)
    released = release_letters(args.emails)
    letter_ids = list(
        Letter.objects.filter(
            nominee_id__in=nominee_ids, stage=Letter.Stage.EMAIL_QUEUED
        ).values_list("pk", flat=True)
    )
    setup_seconds = time.perf_counter() - started

    def real(ids: list[int]) -> int:
        for letter_id in ids:
            recognition_tasks.letter_send.apply(args=[letter_id])
            email_id = Letter.objects.values_list("outbound_email_id", flat=True).get(pk=letter_id)
            if email_id is not None:
                council_tasks.email_send.apply(args=[email_id])
        sent = len(mail.outbox)
        mail.outbox = []
        return sent

    def control(ids: list[int]) -> int:
        for letter_id in ids:
            noop.apply(args=[letter_id])
            noop.apply(args=[letter_id])
        return len(ids)

    seconds = {"real": 0.0, "control": 0.0}
    sent = 0
    for start in range(0, len(letter_ids), ROUND):
        ids = letter_ids[start : start + ROUND]
        for name, work in (("real", real), ("control", control)):
            began = time.perf_counter()
            done = work(ids)
            seconds[name] += time.perf_counter() - began
            if name == "real":
                sent += done
    real_rate = len(letter_ids) / seconds["real"]
    control_rate = len(letter_ids) / seconds["control"]
    ratio = real_rate / control_rate
    emails = OutboundEmail.objects.filter(metadata__has_key="letter_id")
    return {
        "inputs": {
            "emails": args.emails,
            "letters": len(letter_ids),
            "letters_created": released["created"],
            "released": released["released"],
            "setup_seconds": round(setup_seconds, 1),
            "how": "task.apply() in this process (eager); locmem email backend",
        },
        "goal": f"letter send throughput >= {EMAIL_GOAL_RATIO}x a no-op task's",
        "real_letters_per_second": round(real_rate, 2),
        "control_letters_per_second": round(control_rate, 1),
        "real_seconds": round(seconds["real"], 1),
        "control_seconds": round(seconds["control"], 3),
        "ratio": round(ratio, 5),
        "sent": sent,
        "emails_sent_rows": emails.filter(status="sent").count(),
        "letters_emailed": Letter.objects.filter(
            pk__in=letter_ids, stage=Letter.Stage.EMAILED
        ).count(),
        "met": ratio >= EMAIL_GOAL_RATIO and sent == len(letter_ids),
        "peak_rss_mb": _peak_mb(),
    }


def run(args) -> dict:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="proud-bench-letters-"))
    try:
        with support.django_in_process(workdir) as database:
            [nominee_id] = make_nominees(1, by_post=True, rng=rng)
            render = bench_render(args, nominee_id)
            batch = bench_batch(args, rng, workdir)
            email = bench_email(args, rng)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "benchmark": "letters",
        "database": database,
        "render": render,
        "print_batch": batch,
        "email": email,
    }


def main() -> None:
    args = parse_args()
    support.stop_cleanly_on_sigterm()
    result = run(args)
    print(json.dumps(result))
    if (
        result["print_batch"]["status"] != "sent"
        or result["email"]["sent"] != result["email"]["inputs"]["letters"]
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
