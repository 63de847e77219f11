"""HTTP for calendar files: a strong ETag from the body, Last-Modified from the feed state, 304s.

Calendar clients poll every hour or so and most polls find nothing new. The ETag is the body's hash, so
that a change a feed does not show (a pending request, for the public feeds) does not make its
subscribers download it again; and a poll that finds nothing new must not cost a rebuild. Built feeds
are therefore kept (guesthouse/cache.py) under (feed, window, data version): while nothing changes, a
poll costs one small query. The version is raised in the same transaction as every change the feeds
show (see models.py), so a kept body is never stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, current_app, request

from ..cache import kept
from ..database import utcnow
from .models import current_feed_version


@dataclass(frozen=True)
class BuiltFeed:
    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> BuiltFeed:
        return cls(body, hashlib.sha256(body).hexdigest())


def precondition_status(etag: str, last_modified: datetime) -> int | None:
    """RFC 9110 §13.2.2 for a GET: 412 if If-Match or If-Unmodified-Since fails; 304 if If-None-Match
    matches or, only when If-None-Match is absent, nothing changed since If-Modified-Since."""
    if request.if_match:
        if not request.if_match.contains(etag):
            return 412
    elif request.if_unmodified_since and last_modified > request.if_unmodified_since:
        return 412
    if request.if_none_match:
        if request.if_none_match.contains_weak(etag):
            return 304
    elif request.if_modified_since and last_modified <= request.if_modified_since:
        return 304
    return None


def calendar_response(
    key: tuple[Hashable, ...],
    build: Callable[[], bytes],
    *,
    private: bool,
    download_name: str | None = None,
) -> Response:
    """The calendar `build()` makes for `key`, kept until the data version moves on; or a 304."""
    state = current_feed_version()
    feed = kept(state.version, ("calendar", *key), lambda: BuiltFeed.of(build()))
    # Compared as stored; announced no later than now (RFC 9110 §8.8.2.1), as a burst of changes may
    # have pushed it a few seconds ahead. A client's copy is then at worst sent again, never kept stale.
    status = precondition_status(feed.etag, state.last_modified)
    last_modified = min(state.last_modified, utcnow().replace(microsecond=0))
    if status == 412:
        abort(412)
    if status == 304:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(feed.body, mimetype="text/calendar")
        if download_name:
            response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response.set_etag(feed.etag)
    response.last_modified = last_modified
    if private:
        # Only the holder of the secret address may keep a copy, and must revalidate it (304s stay
        # cheap); the address must not leak through a Referer either.
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response
