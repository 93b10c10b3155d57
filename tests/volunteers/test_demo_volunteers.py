"""The demo volunteers: the demo account with a finished profile, and a crowd in every state."""

import pytest

from council.services import account_ensure
from tests.volunteers.factories import centroid
from volunteers import demo_volunteers
from volunteers.models import GuardianConsentLink, Volunteer
from volunteers.services.profile import profile_missing_steps

pytestmark = pytest.mark.django_db


def test_the_demo_volunteers_load_once_in_every_state(django_assert_max_num_queries):
    account_ensure(email="volunteer@example.org", password="proud-demo-2026")
    centroid("NE33 2RL", (54.9966, -1.43))
    centroid("NE34 6AB", (54.97, -1.40))
    with django_assert_max_num_queries(400):
        demo_volunteers.load()

    demo = Volunteer.objects.get(user__email="volunteer@example.org")
    assert demo.status == Volunteer.Status.AVAILABLE
    assert demo.postcode == "NE33 2RL" and demo.latitude == 54.9966
    assert profile_missing_steps(demo) == []
    assert demo.source.code == "leaflet-westoe"

    count = Volunteer.objects.count()
    assert count == 1 + sum(number for _state, number in demo_volunteers.CROWD)
    statuses = set(Volunteer.objects.values_list("status", flat=True))
    assert {"incomplete", "available", "paused", "closed"} <= statuses
    young = [v for v in Volunteer.objects.exclude(status="incomplete") if v.needs_guardian]
    assert any(v.guardian_consent_at for v in young)
    assert any(v.guardian_consent_at is None for v in young)
    assert GuardianConsentLink.objects.filter(answered_at__isnull=True).exists()
    # Every finished profile has the answers a person would have given.
    for volunteer in Volunteer.objects.exclude(status="incomplete"):
        assert volunteer.availability and volunteer.interests.exists()
        assert volunteer.postcode in {"NE33 2RL", "NE34 6AB"}

    demo_volunteers.load()  # idempotent
    assert Volunteer.objects.count() == count
