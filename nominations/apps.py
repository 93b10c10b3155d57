from django.apps import AppConfig


class NominationsConfig(AppConfig):
    """Campaigns, the public nomination journey, nominees, consent and the review queue."""

    name = "nominations"
