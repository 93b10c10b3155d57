from django.core.management.base import BaseCommand, CommandError

from nominations.models import Campaign
from recognition.honours import generate


class Command(BaseCommand):
    help = (
        "Add many listed names to the roll of honour, for load tests and benchmarks: each with an "
        "approved nomination, consent, a posted letter and an approved citation, bulk-created "
        "without audit rows or emails. Never run it on a live site's database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=100_000, help="names to add (default 100,000)"
        )
        parser.add_argument(
            "--campaign",
            help="the campaign's slug (default: the newest campaign); its categories are used",
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per insert")
        parser.add_argument("--seed", type=int, default=2026, help="makes the names repeatable")

    def handle(self, *args, count, campaign, batch_size, seed, **options):
        if count < 1 or batch_size < 1:
            raise CommandError("--count and --batch-size must be at least 1.")
        found = (
            Campaign.objects.filter(slug=campaign).first()
            if campaign
            else Campaign.objects.order_by("-opens_at").first()
        )
        if found is None:
            raise CommandError(
                f"There is no campaign {campaign!r}."
                if campaign
                else "Add a campaign first (or run load_demo)."
            )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done:,} of {total:,} names ({100 * done // total}%)")
            self.stdout.flush()

        try:
            made = generate.generate_heroes(
                campaign=found, count=count, seed=seed, batch_size=batch_size, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Added {made:,} names to the roll of honour for {found.name}.")
        )
