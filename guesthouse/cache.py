"""The app's one cache: what a view built, kept in memory under a key that holds the data version.

Used where `make bench` showed a page over its budget without it (docs/performance.md): the calendar
feeds (a poll that finds nothing new must not rebuild the feed, and its 304 must stay cheaper than a
200), the staff dashboard's lists, the planning board's table and the daily sheet's sections. The callers give the booking data's version with the key
(`calendar.models.current_feed_version`, raised in the same transaction as every change they show), so a
kept value is never stale, whichever worker or machine made the change. Each worker process keeps the
last few values of the newest version it has seen, and drops the others as soon as it sees a newer one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")

EXTENSION_KEY = "kept"
SIZE = 64  # the feeds (the house, each room, the staff feed, recently fetched stays) and the dashboard


class Kept:
    """The last `size` values built from the newest data version seen, by key; safe to share between a
    worker's threads."""

    def __init__(self, size: int = SIZE):
        self._size = size
        self._version: int | None = None
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get_or_build(self, version: int, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if version == self._version and key in self._values:
                return self._values[key]
        # Built outside the lock: two threads may both build a missing value, and get the same one.
        value = build()
        with self._lock:
            if self._version is None or version > self._version:
                # Values of an older version are never asked for again: they leave at once, and with
                # them the personal data they show (a purge or an erasure moves the version on).
                self._version, self._values = version, {}
            if version == self._version:  # a thread that read an older version keeps nothing
                self._values[key] = value
                while len(self._values) > self._size:
                    del self._values[next(iter(self._values))]  # the oldest first
        return value


def register(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = Kept()


def kept(version: int, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()`'s value for `key` at the data `version` (`calendar.models.current_feed_version`), built
    once per worker and version."""
    return current_app.extensions[EXTENSION_KEY].get_or_build(version, key, build)
