from django.apps import AppConfig


class CouncilConfig(AppConfig):
    """The deploying council: its settings, wards, staff roles, audit log and outbox."""

    name = "council"

    def ready(self) -> None:
        from council import checks, webhooks  # noqa: F401  (registers the deployment checks and the webhook receiver)
