"""The production settings plus the benchmark's control page (bench/urls.py).

Only the URLs and the template folder change, so the control and the real
pages go through the same middleware, template engine and context processors.
"""

import copy

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"

TEMPLATES = copy.deepcopy(TEMPLATES)
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
