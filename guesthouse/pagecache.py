"""Pages kept in memory by data version: the home page, the availability calendar, the dashboard's body.

These pages are read far more often than what they show changes, and rendering them is most of their
cost. A kept page is found under its page version (raised in the same transaction as every change
these pages show: calendar/models.py), the day (they count from today), the language and what the
request asked; it is therefore never stale, whichever worker or machine made the change. Each worker
process keeps a bounded number of them, the most recently used.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from .database import today

T = TypeVar("T")

EXTENSION_KEY = "page_cache"


class LruCache(Generic[T]):
    """The `size` most recently used values, by key; safe to share between a worker's threads."""

    def __init__(self, size: int):
        self._size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Built outside the lock: two threads may both build a missing value, and get the same one.
        value = build()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


def register(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = LruCache[str](app.config["PAGE_CACHE_SIZE"])


def cached(name: str, build: Callable[[], T], *parts: Hashable) -> T:
    """What `build()` renders for this name, day, language and data version (plus `parts`), kept."""
    from .calendar.models import current_page_version

    if not current_app.config["PAGE_CACHE_SIZE"]:
        return build()
    key = (name, today(), str(get_locale()), current_page_version(), *parts)
    return current_app.extensions[EXTENSION_KEY].get_or_build(key, build)


def visitor_page(build: Callable[[], str]) -> str:
    """A public page, kept for visitors; built afresh for staff (their menus) or with a message waiting.

    A message (flash) is shown once, by the page that renders it: such a page must not be kept.
    """
    if current_user.is_authenticated or "_flashes" in session:
        return build()
    return cached(request.endpoint or "", build, request.full_path)
