import pytest

from council.roles import Role
from recognition.social.channels import memory
from tests.council.factories import StaffFactory
from tests.social.factories import approved_nomination, channel, published_story


@pytest.fixture(autouse=True)
def _social(settings, tmp_path):
    """The console channel writes under a folder of the test's own; links use a real-looking site."""
    settings.VAR_DIR = tmp_path / "var"
    settings.SITE_URL = "https://proud.example.org"
    memory.reset()
    yield
    memory.reset()


@pytest.fixture
def comms(db):
    return StaffFactory(email="comms@example.org", roles=[Role.COMMS], authenticator=True)


@pytest.fixture
def nomination(db):
    return approved_nomination()


@pytest.fixture
def story(nomination):
    return published_story(nominations=[nomination])


@pytest.fixture
def memory_channel(db):
    return channel("memory", name="Test channel")


@pytest.fixture
def console_channel(db):
    return channel("console", name="Console")
