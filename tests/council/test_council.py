"""The council's own records: settings and branding, civic years, wards, the audit log, demo data."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from council import services
from council.models import Area, AuditLogEntry, CivicYear, CouncilSettings
from council.selectors import current_civic_year
from tests.council.factories import AreaFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_changing_the_brand_colour_is_audited_and_shows_at_once(client):
    admin = StaffFactory(is_superuser=True)
    client.get("/")  # warm the settings cache
    services.council_settings_update(
        actor=admin, data={"brand_colour": "#4c2c92", "name": "Riverside Council"}
    )

    css = client.get("/brand.css").content.decode()
    assert "--govuk-brand-colour:#4c2c92" in css
    assert "Riverside Council" in client.get("/").content.decode()
    entry = AuditLogEntry.objects.get(action="council.settings.updated")
    assert entry.actor == admin
    assert entry.data["brand_colour"]["after"] == "#4c2c92"
    assert (
        entry.data["brand_colour"]["before"]
        == CouncilSettings._meta.get_field("brand_colour").default
    )


def test_a_brand_colour_too_pale_for_white_text_is_refused():
    with pytest.raises(ValidationError) as error:
        services.council_settings_update(actor=None, data={"brand_colour": "#ffdd00"})
    assert "Choose a darker colour" in error.value.message_dict["brand_colour"][0]
    assert CouncilSettings.load().brand_colour != "#ffdd00"


def test_the_current_mayor_comes_from_the_civic_year_covering_today():
    services.civic_year_save(
        actor=None,
        civic_year=CivicYear(
            starts_on=date(2025, 5, 20),
            ends_on=date(2026, 5, 19),
            mayor_name="Councillor A",
            mayor_title="Mayor",
        ),
    )
    services.civic_year_save(
        actor=None,
        civic_year=CivicYear(
            starts_on=date(2026, 5, 20),
            ends_on=date(2027, 5, 19),
            mayor_name="Councillor B",
            mayor_title="Mayor",
        ),
    )
    assert current_civic_year(date(2026, 5, 19)).mayor_name == "Councillor A"
    assert current_civic_year(date(2026, 5, 20)).mayor_name == "Councillor B"
    assert current_civic_year(date(2028, 1, 1)) is None


def test_civic_years_cannot_overlap():
    services.civic_year_save(
        actor=None,
        civic_year=CivicYear(
            starts_on=date(2026, 5, 20),
            ends_on=date(2027, 5, 19),
            mayor_name="A",
            mayor_title="Mayor",
        ),
    )
    with pytest.raises(ValidationError, match="overlaps"):
        services.civic_year_save(
            actor=None,
            civic_year=CivicYear(
                starts_on=date(2027, 1, 1),
                ends_on=date(2027, 12, 31),
                mayor_name="B",
                mayor_title="Mayor",
            ),
        )


def write_csv(tmp_path, text):
    path = tmp_path / "wards.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_areas_adds_and_updates_wards_by_code(tmp_path, capsys):
    AreaFactory(code="E05000002", name="Old Name")
    call_command(
        "import_areas", write_csv(tmp_path, "code,name\nE05000001,Harton\ne05000002, Westoe \n")
    )
    assert dict(Area.objects.values_list("code", "name")) == {
        "E05000001": "Harton",
        "E05000002": "Westoe",
    }
    assert "1 new, 1 updated, 0 unchanged" in capsys.readouterr().out
    assert AuditLogEntry.objects.filter(action="council.areas.imported").count() == 1


def test_import_areas_imports_nothing_when_any_row_is_wrong(tmp_path, capsys):
    path = write_csv(
        tmp_path, "code,name,active\nE05000001,Harton,yes\n,Bede,yes\nE05000001,Again,perhaps\n"
    )
    with pytest.raises(CommandError, match="2 rows have problems, so no wards were imported."):
        call_command("import_areas", path)
    errors = capsys.readouterr().err
    assert "Row 3: Enter the ward code" in errors
    assert "Row 4: The code E05000001 is also on row 2" in errors
    assert "Row 4: Active must be yes or no" in errors
    assert not Area.objects.exists()


def test_import_areas_explains_a_file_without_the_right_columns(tmp_path):
    with pytest.raises(CommandError, match="missing: code"):
        call_command("import_areas", write_csv(tmp_path, "ward,name\nX,Y\n"))


def test_load_demo_can_run_again_without_making_copies():
    call_command("load_demo")
    counts = (get_user_model().objects.count(), Area.objects.count(), CivicYear.objects.count())
    call_command("load_demo")
    assert (
        get_user_model().objects.count(),
        Area.objects.count(),
        CivicYear.objects.count(),
    ) == counts
    assert counts[1] == 18 and counts[2] == 1
    # The six demo accounts of the README, each once (the demo volunteers come on top).
    demo_accounts = [
        f"{name}@example.org"
        for name in ("admin", "comms", "mayor", "coordinator", "org", "volunteer")
    ]
    assert get_user_model().objects.filter(email__in=demo_accounts).count() == 6
    comms = get_user_model().objects.get(email="comms@example.org")
    assert comms.is_staff and comms.check_password("proud-demo-2026")
    assert list(comms.groups.values_list("name", flat=True)) == ["Comms"]
    assert not get_user_model().objects.get(email="org@example.org").is_staff


def test_healthz_names_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("url", ["/", "/no-such-page/", "/healthz"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url, secure=True)
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"


def test_the_404_page_is_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert (
        "Page not found" in page
        and "Skip to main content" in page
        and "Accessibility statement" in page
    )


def test_a_bad_request_gets_the_400_page_in_the_site_layout(client):
    response = client.get("/", HTTP_HOST="not-our-site.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sorry, there is a problem with your request" in page and "Skip to main content" in page


def test_an_unexpected_error_gets_the_500_page_and_a_database_outage_the_503_page(rf):
    from django.db import OperationalError

    from council.views import server_error

    request = rf.get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "We cannot reach our database at the moment" in response.content.decode()
