import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from council.services import CouncilError, areas_import


class Command(BaseCommand):
    help = (
        "Import the council's wards (or other areas) from a CSV file with the columns "
        "code,name and optionally active (yes or no). Existing wards are matched by code and "
        "updated; nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="Path to the CSV file, or - to read standard input.")

    def handle(self, *args, csv_file, **options):
        try:
            rows = _read_rows(sys.stdin) if csv_file == "-" else _read_file(csv_file)
        except OSError as error:
            raise CommandError(f"Cannot open {csv_file}: {error.strerror}") from None

        def progress(done, total):
            if done == total or done % 100 == 0:
                self.stdout.write(f"  {done} of {total} wards saved")

        try:
            counts = areas_import(rows=rows, progress=progress)
        except CouncilError as error:
            for number, problems in sorted(error.rows.items()):
                for problem in problems:
                    self.stderr.write(f"Row {number}: {problem}")
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Wards imported: {counts['created']} new, {counts['updated']} updated, {counts['unchanged']} unchanged."
            )
        )


def _read_file(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return _read_rows(handle)


def _read_rows(handle) -> list[dict]:
    reader = csv.DictReader(handle)
    missing = {"code", "name"} - {(name or "").strip().lower() for name in reader.fieldnames or []}
    if missing:
        raise CommandError(
            f"The first row must name the columns code,name (missing: {', '.join(sorted(missing))})."
        )
    return [{(key or "").strip().lower(): value for key, value in row.items()} for row in reader]
