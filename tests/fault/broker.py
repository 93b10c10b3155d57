"""A broker of the test's own that it can stop and start again.

The kind follows the suite's settings, so the same fault tests run either way:
with REDIS_URL set the platform uses Redis, and the test gets a private
``redis-server`` on a free port; without it the platform uses the embedded
filesystem broker, and the test gets its own queue folder.

Each broker gives what a process needs to reach it: ``url`` and
``transport_options`` for the Celery app in the test process, and ``environ``
for a worker or web server started as a subprocess (which reads
config/settings.py, so it is pointed at the broker the way an operator would:
REDIS_URL for Redis, PROUD_VAR_DIR for the folder under var/celery/queue).
"""

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.1, message=""):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds.

    `message` may be a callable, so the failure shows the state at the end.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(text or f"Still not true after {timeout} s: {condition}")
        time.sleep(interval)


class RedisServer:
    """A private redis-server on 127.0.0.1 that keeps nothing on disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A client that answers at once: redis-py's default retries for seconds."""
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )

    def start(self) -> None:
        """Start the server (again, on the same port) and wait until it answers."""
        assert self.process is None, "redis-server is already running"
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 (the server keeps it)
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(
            self._answers, timeout=10, message=f"redis-server did not start on port {self.port}"
        )

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            log = (self.folder / "redis.log").read_text(errors="replace")
            raise AssertionError(f"redis-server exited with {self.process.returncode}:\n{log}")
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """Kill the server, as a crash would: whatever it held is gone."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


class RedisBroker:
    kind = "redis"

    def __init__(self, var_dir: Path):
        self.server = RedisServer(var_dir / "redis")
        self.url = self.server.url
        # The production options (timeouts, visibility) for the private server.
        self.transport_options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        self.environ = {"REDIS_URL": self.url}

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()


class FilesystemBroker:
    """The embedded broker's queue folder, under the var folder a subprocess is given.

    Stopping it moves the folder aside and leaves a plain file in its place, so
    writing a message fails the way it does when the folder is unusable (the
    tests run as root, so taking away permissions would not stop anything).
    Starting it puts the folder back with the messages it held.
    """

    kind = "filesystem"

    def __init__(self, var_dir: Path):
        production = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        self.url = settings.CELERY_BROKER_URL
        # The same layout as config/settings.py, under the test's var folder.
        self.folder = var_dir / "celery" / "queue"
        self.stopped_folder = var_dir / "celery" / "queue.stopped"
        self.transport_options = {
            **production,
            "data_folder_in": str(self.folder),
            "data_folder_out": str(self.folder),
        }
        if production.get("control_folder"):
            relative = Path(production["control_folder"]).relative_to(settings.VAR_DIR)
            self.transport_options["control_folder"] = str(var_dir / relative)
        else:
            # kombu's default is "control" in the working directory; the
            # subprocesses run in var_dir, so this is the folder they use.
            self.transport_options["control_folder"] = str(var_dir / "control")
        self.environ = {"REDIS_URL": ""}

    def start(self) -> None:
        if self.folder.is_file():
            self.folder.unlink()
        if self.stopped_folder.is_dir():
            self.stopped_folder.rename(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        if self.folder.is_dir():
            self.folder.rename(self.stopped_folder)
        self.folder.write_text("The broker is stopped for this test.\n")


def make_broker(var_dir: Path) -> RedisBroker | FilesystemBroker:
    """The broker the suite's settings call for (Redis when REDIS_URL is set), not yet started."""
    if settings.REDIS_URL:
        return RedisBroker(var_dir)
    return FilesystemBroker(var_dir)
