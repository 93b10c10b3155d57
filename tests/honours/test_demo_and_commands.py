"""The demo roll of honour and the commands that make and mend entries."""

import io

import pytest
from django.core.management import call_command

from recognition import services as letters
from recognition.honours import demo, services
from recognition.honours.models import HonourEntry, ListingStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_few_hundred_names_and_can_be_loaded_again(client):
    call_command("load_demo", stdout=io.StringIO())
    listed = HonourEntry.objects.filter(listed=True)
    assert listed.count() == demo.DEMO_NAMES + 1  # and Maureen Clarke, written by comms
    assert listed.values("category").distinct().count() == 5
    assert listed.values("area").distinct().count() > 10
    assert (
        HonourEntry.objects.get(nominee__name="Priya Shah").status == ListingStatus.NEEDS_CITATION
    )

    # Made in bulk, yet exactly what the listing rules give: refreshing them all changes nothing.
    assert services.honour_entries_rebuild() == 0
    # Their letters went out long ago, so the Mayor's office has nothing new to release.
    assert letters.letters_create_for_approved() == 0

    call_command("load_demo", stdout=io.StringIO())
    assert HonourEntry.objects.filter(listed=True).count() == demo.DEMO_NAMES + 1
    page = client.get("/heroes/").content.decode()
    assert f"{demo.DEMO_NAMES + 1} names" in page


def test_the_generate_command_adds_names_with_progress(campaign, ward):
    out = io.StringIO()
    call_command("honours_generate", "--count", "25", "--batch-size", "10", stdout=out)
    assert "10 of 25 names (40%)" in out.getvalue() and "Added 25 names" in out.getvalue()
    assert HonourEntry.objects.filter(listed=True).count() == 25
    call_command("honours_generate", "--count", "5", stdout=io.StringIO())
    assert HonourEntry.objects.filter(listed=True).count() == 30


def test_the_commands_explain_themselves(capsys):
    for command in ("honours_generate", "honours_refresh"):
        with pytest.raises(SystemExit):
            call_command(command, "--help")
        assert "roll of honour" in capsys.readouterr().out


def test_the_refresh_command_makes_missing_entries(campaign):
    from tests.honours.conftest import make_hero

    entry = make_hero(campaign, name="Gareth Dodds")
    HonourEntry.objects.filter(pk=entry.pk).delete()  # as before the roll of honour existed
    out = io.StringIO()
    call_command("honours_refresh", stdout=out)
    assert "1 of 1 nominees checked" in out.getvalue()
    assert HonourEntry.objects.get(nominee=entry.nominee).status == ListingStatus.NEEDS_CITATION
