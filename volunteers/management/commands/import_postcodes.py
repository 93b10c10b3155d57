import csv
import sys

from django.core.management.base import BaseCommand, CommandError

from volunteers.services.placement import PlacementError, postcodes_import

# Other names for the columns, as published postcode lists (such as the ONS's) call them.
COLUMN_NAMES = {
    "postcode": "postcode",
    "pcd": "postcode",
    "pcds": "postcode",
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "long": "longitude",
    "lng": "longitude",
}


class Command(BaseCommand):
    help = (
        "Import postcode centroids from a CSV file with the columns postcode,latitude,longitude "
        "(other columns are ignored). Volunteers and roles are matched by the distance between "
        "these points. Existing postcodes are updated; nothing is imported if any row has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="Path to the CSV file, or - to read standard input.")

    def handle(self, *args, csv_file, **options):
        try:
            rows = _read_rows(sys.stdin) if csv_file == "-" else _read_file(csv_file)
        except OSError as error:
            raise CommandError(f"Cannot open {csv_file}: {error.strerror}") from None
        self.stdout.write(f"Checking {len(rows)} rows…")

        def progress(done, total):
            self.stdout.write(f"  {done} of {total} postcodes saved")

        try:
            counts = postcodes_import(rows=rows, progress=progress)
        except PlacementError as error:
            for number, problems in sorted(error.rows.items())[:100]:
                for problem in problems:
                    self.stderr.write(f"Row {number}: {problem}")
            if len(error.rows) > 100:
                self.stderr.write(f"…and {len(error.rows) - 100} more rows with problems.")
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Postcodes imported: {counts['created']} new, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged; {counts['places_updated']} volunteers and roles placed."
            )
        )


def _read_file(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return _read_rows(handle)


def _read_rows(handle) -> list[dict]:
    reader = csv.DictReader(handle)
    names = {
        (name or ""): COLUMN_NAMES.get((name or "").strip().lower())
        for name in reader.fieldnames or []
    }
    missing = {"postcode", "latitude", "longitude"} - set(names.values())
    if missing:
        raise CommandError(
            "The first row must name the columns postcode,latitude,longitude "
            f"(missing: {', '.join(sorted(missing))})."
        )
    return [{names[key]: value for key, value in row.items() if names.get(key)} for row in reader]
