"""`flask mail worker`: the process that writes and sends every mail, a moment after its change commits.

Why a process of its own: writing a mail (its templates), composing the MIME message and talking to
the SMTP relay take several milliseconds of CPU per mail, and the relay may be slow or silent. Done by
the web worker, they hold up the next requests it serves, or the person waiting for the answer; done
here, at a lower CPU priority (systemd `CPUSchedulingPolicy=idle`), a burst of requests is answered
first and its mails follow a moment later. Claims (outbox.write_pending for what waits for its mails,
delivery.py for the messages) keep it from ever writing or sending a mail twice, alongside a
`mail send` run or a second worker. Where mails come from: outbox.py.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

from flask import current_app

from ..database import utcnow
from ..extensions import db
from .delivery import deliver
from .operations import purge_sent
from .outbox import write_pending

BATCH = 20  # messages claimed at once: one SMTP connection each
PURGE_EVERY_SECONDS = 3600.0


def step() -> tuple[int, Counter]:
    """Write the mails of new changes, then send one batch of due messages; never raises.

    How many changes had their mails written, and what became of the messages sent.
    """
    # Written and sent in batches as they come: the first mails of a burst leave while the rest of it
    # is still being written. Apart, so that mails that cannot be written never stop the others.
    try:
        written = write_pending(BATCH)
    except Exception:
        current_app.logger.exception("mail worker: could not write the mails of new changes; trying again")
        db.session.rollback()
        written = 0
    try:
        batch = deliver(limit=BATCH)
    except Exception:  # the database went away, a disk filled: keep the service alive and try again
        current_app.logger.exception("mail worker: could not read or update the outbox; trying again")
        db.session.rollback()
        batch = Counter()
    return written, batch


def idle(written: int, batch: Counter) -> bool:
    """Nothing was written or due, or the relay is struggling (retries are due later): time to wait."""
    return not written and (not batch or bool(batch["retry"]))


def run(stop: threading.Event, poll: float) -> Counter:
    """Write and send mail until `stop` is set, waiting `poll` seconds whenever nothing is due; the totals."""
    totals: Counter = Counter()
    next_purge = time.monotonic()
    while not stop.is_set():
        written, batch = step()
        totals.update(batch)
        if batch:
            current_app.logger.info("mail worker: %s", dict(batch))
        if time.monotonic() >= next_purge:
            try:
                purge_sent(utcnow() - timedelta(days=current_app.config["MAIL_SENT_RETENTION_DAYS"]))
                db.session.commit()
            except Exception:
                current_app.logger.exception("mail worker: could not delete old sent mails; trying again")
                db.session.rollback()
            next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        if idle(written, batch):
            stop.wait(poll)
    return totals
