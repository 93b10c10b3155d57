from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    """Volunteers, organisations and their roles, matching, referrals and check-ins."""

    name = "volunteers"
