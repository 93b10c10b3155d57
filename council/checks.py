"""Deployment checks of our own, run by `manage.py check --deploy`."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def demo_mode_off(app_configs, **kwargs):
    if settings.DEMO_MODE:
        return [
            Error(
                "PROUD_DEMO_MODE is on, so staff can sign in without MFA.",
                hint="Unset PROUD_DEMO_MODE and DJANGO_DEBUG in production.",
                id="proud.E001",
            )
        ]
    return []


@register()
def front_end_installed(app_configs, **kwargs):
    frontend = Path(settings.BASE_DIR) / "node_modules" / "govuk-frontend"
    css = Path(settings.BASE_DIR) / "static" / "build" / "app.css"
    problems = []
    if not frontend.is_dir():
        problems.append(
            Warning(
                "GOV.UK Frontend is not installed, so pages will have no styles.",
                hint="Run `make install` (it runs npm ci).",
                id="proud.W001",
            )
        )
    elif not css.is_file():
        problems.append(
            Warning(
                "The stylesheet has not been built.",
                hint="Run `make install` (it runs npm run build:css).",
                id="proud.W002",
            )
        )
    return problems
