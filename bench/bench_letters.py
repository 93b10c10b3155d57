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

2. Print batch. What it stresses: `print_batch_build` for a batch of N letters
   (1,000 by default) in this process: the letters sorted by postcode, each
   rendered and appended to one PDF with pypdf, the address list written, the
   two files saved. Before it, not timed: N approved nominees with postal
   addresses (varied names and postcodes) are bulk-created with one approved
   Nomination each (rows as `nomination_submit` would make them, without its
   per-row transaction and audit entry), then `letters_create_for_approved`
   (limit large enough for all), `letters_release` and `print_batch_create`,
   the services the beat and the Mayor's office run. Any demo nominees with a
   postal address, and part 1's nominee, join the batch too; `letters` says
   how many it held. Figures:
   seconds, this process's peak resident set (ru_maxrss) after the build, and
   the build's own growth: that peak less the resident set just before the
   build. The goal: at most 30 s and 500 MB.

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

Usage: python bench/bench_letters.py [--renders N] [--batch N] [--emails N]
Uses a temporary SQLite database unless DATABASE_URL is set (then a throwaway
database beside it, dropped afterwards). Prints one JSON object.
"""

import argparse
import json
import logging
import random
import resource
import shutil
import statistics
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
    parser.add_argument("--emails", type=int, default=10_000, help="letters emailed in part 3")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    if args.renders < 1 or args.batch < 1 or args.emails < 1:
        parser.error("--renders, --batch and --emails must be at least 1")
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


def bench_batch(args, rng: random.Random) -> dict:
    from recognition.models import PrintBatch
    from recognition.services import print_batch_build, print_batch_create

    started = time.perf_counter()
    make_nominees(args.batch, by_post=True, rng=rng)
    released = release_letters(args.batch)
    batch = print_batch_create(actor=released["actor"])
    setup_seconds = time.perf_counter() - started

    before_mb, peak_before_mb = _current_mb(), _peak_mb()
    started = time.perf_counter()
    print_batch_build(batch_id=batch.pk)
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()

    batch = PrintBatch.objects.get(pk=batch.pk)
    return {
        "inputs": {
            "batch": args.batch,
            "nominees": "bulk_create of Nominee + approved Nomination rows",
            "letters": batch.letter_count,
            "letters_created": released["created"],
            "released": released["released"],
            "setup_seconds": round(setup_seconds, 1),
        },
        "goal": f"print_batch_build <= {BATCH_GOAL_SECONDS} s and <= {BATCH_GOAL_MB} MB peak",
        "status": batch.status,
        "error": batch.last_error,
        "built_count": batch.built_count,
        "seconds": round(seconds, 1),
        "seconds_per_letter": round(seconds / max(batch.letter_count, 1), 3),
        "pdf_mb": round(batch.pdf.size / 1_000_000, 1) if batch.pdf else None,
        "rss_before_mb": before_mb,
        "peak_rss_before_mb": peak_before_mb,
        "peak_rss_mb": peak_mb,
        "build_growth_mb": round(peak_mb - before_mb, 1),
        "met": batch.status == "sent"
        and seconds <= BATCH_GOAL_SECONDS
        and peak_mb <= BATCH_GOAL_MB,
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
            batch = bench_batch(args, rng)
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
