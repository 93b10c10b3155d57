"""Fixtures for the story tests. The staff side's (two comms colleagues and an approved,
consenting nomination) live in staff_setup.py beside its helpers."""

from tests.stories.staff_setup import colleague, nomination, writer  # noqa: F401
