from django.apps import AppConfig


class HonoursConfig(AppConfig):
    """The roll of honour at /heroes/: every nominee whose consent allows it."""

    name = "recognition.honours"
    label = "honours"

    def ready(self):
        from recognition.honours import receivers  # noqa: F401
