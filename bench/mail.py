"""How soon mail leaves: from a committed change to the SMTP server's acceptance, through the mail worker.

Two measures, each with submissions through the form (two mails each: the acknowledgement and the
service's notice):
- a quiet house, one change every few seconds: the delay of each mail, p50 and p95 (target p95 <= 3 s);
- a burst, many changes at once from several clients: how long until every one of their mails is
  accepted, after the first change and after the last answer.
The change's time is its BookingEvent's `created_at` (just before its commit: a delay measured from it
is never shorter than the real one); the acceptance's is the SMTP sink's clock (bench/server.py).
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import datetime

import sqlalchemy as sa

from bench.server import Client, Server, SmtpSink
from guesthouse.database import UTCDateTime

QUIET_P95_TARGET_S = 3.0
WAIT_FOR_MAIL_S = 120.0


def submit(client: Client, form: dict) -> None:
    answer = client.request("POST", "/requests/new", form=form)
    if answer.status != 303:
        raise SystemExit(f"a submission for the mail delay answered {answer.status}")


def submitted_since(url: str, since: datetime) -> dict[str, float]:
    """The Message-ID of each mail of the submissions made since `since`, and its change's time."""
    query = sa.text(
        "SELECT o.message_id, e.created_at FROM outbox_messages o"
        " JOIN booking_events e ON e.stay_id = o.stay_id AND e.action = 'submitted'"
        " WHERE e.created_at >= :since AND o.kind IN ('request_received', 'staff_new_request')"
    ).bindparams(sa.bindparam("since", type_=UTCDateTime()))
    query = query.columns(message_id=sa.String, created_at=UTCDateTime())
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"since": since}).all()
    finally:
        engine.dispose()
    return {message_id: created_at.timestamp() for message_id, created_at in rows}


def wait_for_mail(server: Server, smtp: SmtpSink, since: datetime, expected: int) -> dict[str, float]:
    """The changes' mails once the sink has accepted them all (or WAIT_FOR_MAIL_S has passed)."""
    deadline = time.monotonic() + WAIT_FOR_MAIL_S
    while True:
        mails = submitted_since(server.database_url, since)
        if len(mails) >= expected and all(m in smtp.accepted for m in mails):
            return mails
        if time.monotonic() > deadline:
            return mails
        time.sleep(0.2)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def quiet(server: Server, smtp: SmtpSink, form: dict, changes: int, interval: float) -> dict:
    """One change every `interval` seconds; the delay of each of their mails."""
    client = Client(server.base_url)
    form = {**form, "csrf_token": client.csrf_token("/requests/new")}
    since = datetime.now().astimezone()
    for index in range(changes):
        if index:
            time.sleep(interval)
        submit(client, form)
    mails = wait_for_mail(server, smtp, since, 2 * changes)
    delays = [smtp.accepted[m] - changed for m, changed in mails.items() if m in smtp.accepted]
    result = {
        "changes": changes,
        "interval_s": interval,
        "mails": len(mails),
        "not_accepted": len(mails) - len(delays),
        "target_p95_s": QUIET_P95_TARGET_S,
    }
    if delays:
        result |= {
            "p50_s": round(statistics.median(delays), 3),
            "p95_s": round(percentile(delays, 0.95), 3),
            "max_s": round(max(delays), 3),
        }
        result["met"] = not result["not_accepted"] and result["p95_s"] <= QUIET_P95_TARGET_S
    return result


def burst(server: Server, smtp: SmtpSink, form: dict, changes: int, clients: int) -> dict:
    """`changes` submissions at once from `clients` clients; how long until all their mails are out."""
    since = datetime.now().astimezone()
    share = [changes // clients + (i < changes % clients) for i in range(clients)]
    answered: list[float] = []

    def one_client(count: int) -> None:
        client = Client(server.base_url)
        own = {**form, "csrf_token": client.csrf_token("/requests/new")}
        for _ in range(count):
            submit(client, own)
        answered.append(time.time())

    threads = [threading.Thread(target=one_client, args=(count,)) for count in share if count]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mails = wait_for_mail(server, smtp, since, 2 * changes)
    accepted = [smtp.accepted[m] for m in mails if m in smtp.accepted]
    result = {
        "changes": changes,
        "clients": clients,
        "mails": len(mails),
        "not_accepted": len(mails) - len(accepted),
    }
    if accepted and mails:
        first_change, last_answer = min(mails.values()), max(answered)
        result |= {
            "answered_within_s": round(last_answer - first_change, 2),
            "all_accepted_after_first_change_s": round(max(accepted) - first_change, 2),
            "all_accepted_after_last_answer_s": round(max(accepted) - last_answer, 2),
        }
    return result


def measure(server: Server, smtp: SmtpSink, form: dict, smoke: bool) -> dict:
    if smoke:
        return {"quiet": quiet(server, smtp, form, 3, 1.0), "burst": burst(server, smtp, form, 10, 2)}
    return {"quiet": quiet(server, smtp, form, 20, 3.0), "burst": burst(server, smtp, form, 100, 10)}


def print_mail(mail: dict) -> None:
    print("\nmail (a committed change to the SMTP server's acceptance, through `flask mail worker`):")
    q = mail["quiet"]
    if "p50_s" in q:
        verdict = "met" if q["met"] else "MISSED"
        print(
            f"  quiet house, a change every {q['interval_s']:g} s: {q['mails']} mails, delay p50 {q['p50_s']:.2f} s, "
            f"p95 {q['p95_s']:.2f} s, max {q['max_s']:.2f} s (target p95 <= {q['target_p95_s']:g} s) {verdict}"
        )
    if q["not_accepted"] or "p50_s" not in q:
        print(
            f"  quiet house: {q['not_accepted']} of {q['mails']} mails NOT ACCEPTED within {WAIT_FOR_MAIL_S:g} s"
        )
    b = mail["burst"]
    if "all_accepted_after_first_change_s" in b:
        print(
            f"  burst of {b['changes']} changes from {b['clients']} clients: answered within "
            f"{b['answered_within_s']:.2f} s; their {b['mails']} mails all accepted "
            f"{b['all_accepted_after_first_change_s']:.2f} s after the first change, "
            f"{b['all_accepted_after_last_answer_s']:.2f} s after the last answer"
        )
    if b["not_accepted"]:
        print(f"  burst: {b['not_accepted']} of {b['mails']} mails NOT ACCEPTED within {WAIT_FOR_MAIL_S:g} s")
