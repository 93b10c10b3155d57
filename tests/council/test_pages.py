import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accessibility/", "/privacy/"])
def test_public_pages_show_the_council_and_campaign(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proud to Support" in html
    assert "Skip to main content" in html
    assert "Accessibility statement" in html and "Privacy notice" in html
