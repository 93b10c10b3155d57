from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """Stories written from nominations, published at /stories/ and in an Atom feed."""

    name = "recognition.stories"
    label = "stories"

    def ready(self):
        from recognition.stories import receivers  # noqa: F401
