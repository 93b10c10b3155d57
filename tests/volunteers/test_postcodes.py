"""Importing postcode centroids: all or nothing, each bad row named, progress shown, and
the volunteers and roles at those postcodes placed at once."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from council.models import AuditLogEntry
from tests.volunteers.factories import OpportunityFactory, VolunteerFactory, centroid
from volunteers.matching import haversine_km
from volunteers.models import PostcodeCentroid
from volunteers.services.placement import PlacementError, normalise_postcode, postcodes_import

pytestmark = pytest.mark.django_db


def run(text: str, tmp_path) -> tuple[str, str]:
    path = tmp_path / "postcodes.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_postcodes", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file_is_imported_with_progress_and_places_people_and_roles(tmp_path):
    centroid("NE33 2RL", (54.0, -1.0))  # corrected by the file
    volunteer = VolunteerFactory(postcode="NE34 7PQ", latitude=None, longitude=None)
    role = OpportunityFactory(postcode="NE33 2RL", latitude=None, longitude=None)
    out, err = run(
        "postcode,latitude,longitude\nne332rl,54.9966,-1.4300\nNE34 7PQ, 54.9700 ,-1.4000\n",
        tmp_path,
    )
    assert err == ""
    assert "2 of 2 postcodes saved" in out
    assert (
        "Postcodes imported: 1 new, 1 updated, 0 unchanged; 2 volunteers and roles placed." in out
    )
    assert set(PostcodeCentroid.objects.values_list("postcode", "latitude", "longitude")) == {
        ("NE33 2RL", 54.9966, -1.43),
        ("NE34 7PQ", 54.97, -1.4),
    }
    volunteer.refresh_from_db()
    role.refresh_from_db()
    assert (volunteer.latitude, volunteer.longitude) == (54.97, -1.4)
    assert (role.latitude, role.longitude) == (54.9966, -1.43)
    assert AuditLogEntry.objects.get(action="volunteers.postcodes.imported").data["created"] == 1
    # The same file again changes nothing.
    out, _err = run("postcode,latitude,longitude\nNE33 2RL,54.9966,-1.4300\n", tmp_path)
    assert "0 new, 0 updated, 1 unchanged" in out


def test_a_file_with_any_bad_row_imports_nothing_and_names_each_problem(tmp_path):
    text = (
        "postcode,latitude,longitude\n"
        "NE33 2RL,54.9966,-1.4300\n"
        "NOT A CODE,54.9,-1.4\n"
        ",abc,\n"
        "NE33 2RL,54.9,-1.4\n"
        "NE34 7PQ,40.0,-1.4\n"
    )
    with pytest.raises(CommandError, match="4 rows have problems, so no postcodes were imported."):
        run(text, tmp_path)
    assert not PostcodeCentroid.objects.exists()
    err = io.StringIO()
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CommandError):
        call_command("import_postcodes", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 3: NOTAC ODE is not a UK postcode",
        "Row 4: Enter the postcode",
        "Row 4: Enter the latitude as a number, like 54.9966",
        "Row 4: Enter the longitude as a number, like -1.4300",
        "Row 5: NE33 2RL is also on row 2",
        "Row 6: The latitude must be between 49 and 61",
    ]


def test_the_columns_are_checked_and_other_names_for_them_accepted(tmp_path):
    with pytest.raises(
        CommandError,
        match=r"must name the columns postcode,latitude,longitude \(missing: longitude\)",
    ):
        run("postcode,latitude\nNE33 2RL,54.9\n", tmp_path)
    out, _err = run("pcds,lat,long,other\nNE33 2RL,54.9966,-1.43,x\n", tmp_path)
    assert "1 new" in out
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("import_postcodes", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_an_empty_file_says_so():
    with pytest.raises(PlacementError, match="The file has no postcodes in it"):
        postcodes_import(rows=[])


def test_the_command_explains_itself():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_postcodes", "--help", stdout=out)


def test_large_files_are_saved_in_batches_with_progress():
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    rows = [
        {
            "postcode": f"NE1 {n % 10}{letters[n // 10 % 20]}{letters[n // 200 % 20]}",
            "latitude": "54.9",
            "longitude": "-1.4",
        }
        for n in range(4000)
    ]
    seen = []
    counts = postcodes_import(
        rows=rows, progress=lambda done, total: seen.append((done, total)), batch_size=1500
    )
    assert counts["created"] == PostcodeCentroid.objects.count() == 4000
    assert seen == [(1500, 4000), (3000, 4000), (4000, 4000)]


def test_postcodes_are_written_one_way_and_distances_are_great_circles():
    assert normalise_postcode(" ne33   2rl ") == "NE33 2RL"
    assert normalise_postcode("sw1a1aa") == "SW1A 1AA"
    # South Shields town hall to Newcastle's Monument: about 12 km as the crow flies.
    assert 11.8 < haversine_km(54.9966, -1.4300, 54.9738, -1.6132) < 12.1
