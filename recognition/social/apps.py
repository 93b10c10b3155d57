from django.apps import AppConfig


class SocialConfig(AppConfig):
    """Posts about published stories on the council's social media channels."""

    name = "recognition.social"
    label = "social"

    def ready(self):
        from recognition.social import receivers  # noqa: F401
