"""The app's one cache: what a view built, kept in memory under a key that holds the data version.

Used where `make bench` showed a page over its budget without it (docs/performance.md): the calendar
feeds (a poll that finds nothing new must not rebuild the feed, and its 304 must stay cheaper than a
200), the staff dashboard's lists and the planning board's table. The callers put the booking data's version in the key
(`calendar.models.current_feed_version`, raised in the same transaction as every change they show), so a
kept value is never stale, whichever worker or machine made the change. Each worker process keeps the
last few values; a key with an older version is never asked for again and simply ages out.
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
    """The last `size` values built, by key; safe to share between a worker's threads."""

    def __init__(self, size: int = SIZE):
        self._size = size
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                return self._values[key]
        # Built outside the lock: two threads may both build a missing value, and get the same one.
        value = build()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                del self._values[next(iter(self._values))]  # the oldest first
        return value


def register(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = Kept()


def kept(key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()`'s value for `key`, built once per worker; `key` must hold the data version it shows."""
    return current_app.extensions[EXTENSION_KEY].get_or_build(key, build)
