import pytest

from tests.council.factories import AreaFactory
from tests.nominations.factories import CampaignFactory, CategoryFactory


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(name="Proud to Support 2026")
    CategoryFactory(campaign=campaign, name="Good neighbour")
    CategoryFactory(campaign=campaign, name="Key worker")
    return campaign


@pytest.fixture
def ward(db):
    return AreaFactory(name="Westoe", code="E05001234")


@pytest.fixture
def answers(campaign, ward):
    """A complete set of answers as nomination_submit takes them."""
    return {
        "nominee_kind": "person",
        "category": campaign.categories.get(name="Good neighbour"),
        "nominee_name": "Maureen Clarke",
        "contact_methods": ["email"],
        "nominee_email": "Maureen@Example.net",
        "area": ward,
        "reason": "She does the shopping for six housebound neighbours every week.",
        "nominator_name": "Jo Resident",
        "nominator_email": "jo@example.net",
        "nominator_relationship": "Neighbour",
    }
