import csv
from datetime import date
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from council import services
from council.models import CivicYear, CouncilSettings
from council.roles import Role

DEMO_PASSWORD = "proud-demo-2026"  # noqa: S105  (the published demo password)

# email, roles, staff, superuser, what they do
DEMO_ACCOUNTS = [
    ("admin@example.org", [], True, True, "administrator: council settings, wards, accounts"),
    (
        "comms@example.org",
        [Role.COMMS],
        True,
        False,
        "comms staff: nominations, stories, social posts",
    ),
    (
        "mayor@example.org",
        [Role.MAYORS_OFFICE],
        True,
        False,
        "Mayor's office: letters and print batches",
    ),
    (
        "coordinator@example.org",
        [Role.COORDINATOR],
        True,
        False,
        "volunteer coordinator: matching and referrals",
    ),
    (
        "org@example.org",
        [Role.ORGANISATION_CONTACT],
        False,
        False,
        "organisation contact: its own roles and referrals",
    ),
    ("volunteer@example.org", [], False, False, "volunteer"),
]


class Command(BaseCommand):
    help = (
        "Load the demo council: settings, a civic year, wards and the demo accounts "
        f"(password {DEMO_PASSWORD}). Safe to run again: it brings the demo data up to date "
        "without making copies."
    )

    def handle(self, *args, **options):
        if not CouncilSettings.objects.filter(pk=1).exists():
            CouncilSettings.load()
            services.council_settings_update(
                actor=None,
                data={
                    "name": "South Riverside Council",
                    "short_name": "South Riverside",
                    "campaign_name": "Proud to Support",
                    "campaign_hashtag": "#ProudtoSupport",
                    "contact_email": "proud@example.org",
                    "contact_phone": "0191 000 0000",
                    "postal_address": "Town Hall\nWestoe Road\nSOUTH RIVERSIDE\nNE00 0AA",
                    "brand_colour": "#005a70",
                    "accent_colour": "#f2a900",
                },
            )

        today = date.today()  # noqa: DTZ011  (a civic year is a span of calendar days)
        start_year = today.year if today.month >= 5 else today.year - 1
        if not CivicYear.objects.current(today):
            services.civic_year_save(
                actor=None,
                civic_year=CivicYear(
                    starts_on=date(start_year, 5, 20),
                    ends_on=date(start_year + 1, 5, 19),
                    mayor_name="Councillor Pat Okafor",
                    mayor_title="Mayor of South Riverside",
                ),
            )

        with open(
            Path(__file__).resolve().parents[2] / "demo" / "wards.csv", newline="", encoding="utf-8"
        ) as handle:
            services.areas_import(rows=list(csv.DictReader(handle)))

        for email, roles, staff, superuser, _what in DEMO_ACCOUNTS:
            services.account_ensure(
                email=email,
                password=DEMO_PASSWORD,
                roles=[role.value for role in roles],
                is_staff=staff,
                is_superuser=superuser,
            )

        # Each app adds its own demo data in its `demo` module, after the council's.
        for app in apps.get_app_configs():
            if app.name != "council" and module_has_submodule(app.module, "demo"):
                import_module(f"{app.name}.demo").load(stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"\nOpen {settings.SITE_URL}/ — the demo accounts (password {DEMO_PASSWORD}):"
        )
        for email, _roles, _staff, _superuser, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {what}")
        if settings.DEMO_MODE:
            self.stdout.write(
                "Demo mode is on, so staff accounts can sign in without setting up MFA.\n"
            )
        else:
            self.stdout.write(
                "Staff accounts must set up an authenticator app (MFA) when they first sign in.\n"
            )
