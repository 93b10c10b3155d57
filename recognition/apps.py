from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    """The Mayor's letters, stories, the roll of honour, social posts, awards and impact."""

    name = "recognition"

    def ready(self):
        from recognition import receivers  # noqa: F401
