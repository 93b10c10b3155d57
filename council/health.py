"""What /healthz reports: can the web server reach its database and its broker?"""

import logging
from pathlib import Path

from celery import current_app
from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.error("Health check: database unreachable: %s", error)
        return "unreachable"
    return "ok"


def check_broker() -> str:
    app = current_app
    try:
        if app.conf.broker_url.startswith("filesystem"):
            folder = Path(app.conf.broker_transport_options["data_folder_out"])
            if not folder.is_dir():
                return "unreachable"
            probe = folder / ".healthz"
            probe.write_text("ok")
            probe.unlink()
        else:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as error:
        logger.error("Health check: broker unreachable: %s", error)
        return "unreachable"
    return "ok"


def check_all() -> dict[str, str]:
    return {"database": check_database(), "broker": check_broker()}
