from django.core.management.base import BaseCommand

from recognition.honours import services


class Command(BaseCommand):
    help = (
        "Bring every roll of honour entry in step with nominations and consent: makes entries for "
        "approved nominees who have none (after an upgrade or an import) and corrects any listing. "
        "Safe to run at any time; changes to what the public sees are logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="nominees per transaction")

    def handle(self, *args, batch_size, **options):
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done:,} of {total:,} nominees checked")
            self.stdout.flush()

        changed = services.honour_entries_rebuild(progress=progress, batch_size=max(1, batch_size))
        self.stdout.write(
            self.style.SUCCESS(f"Done: {changed:,} entries changed on the public roll.")
        )
