#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["makemigrations"]:
        # Writing or checking migration files reads the models only: no secret, no
        # server. Elsewhere the production settings still refuse to start without one.
        os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A missing or malformed environment variable: say which, without a traceback.
        sys.stderr.write(f"Proud to Support cannot start: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
