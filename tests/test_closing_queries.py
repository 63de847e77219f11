"""No N+1 on the closing pages: their SQL statements do not grow with the rows they list."""

from datetime import timedelta

from guesthouse.closing.models import WaitlistEntry
from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.rooms.models import Closure

from .test_query_counts import counting_statements


def test_the_closing_pages_do_not_grow_with_their_rows(client, auth, make_room, make_stay, approve):
    room = make_room(beds=50)
    auth.login_admin()
    batches = iter(range(10))

    def fill(size: int) -> None:
        batch = next(batches)
        for i in range(size):
            start = today() + timedelta(days=10 + 3 * i + 40 * batch)
            approve(make_stay(start=start, nights=2, contact_email=f"s{batch}-{i}@example.org"), room)
            make_stay(start=start, nights=2, contact_email=f"p{batch}-{i}@example.org")
            db.session.add_all(
                [
                    WaitlistEntry(
                        kind="dates",
                        email=f"w{batch}-{i}@example.org",
                        arrival=start,
                        departure=start + timedelta(days=2),
                        guests=1,
                    ),
                    WaitlistEntry(kind="reopening", email=f"r{batch}-{i}@example.org", told_at=utcnow()),
                    Closure(
                        start_date=start + timedelta(days=100),
                        end_date=start + timedelta(days=101),
                        reason="Suspendue",
                        public_reason_fr="Suspendue",
                        public_reason_en="Suspended",
                    ),
                ]
            )
        db.session.commit()

    def count() -> dict[str, int]:
        pages = {
            "waiting lists": "/staff/waitlist",
            "stays concerned": f"/staff/stays/notify?start={today().isoformat()}",
            "suspensions": "/staff/suspension",
        }
        counts = {}
        for name, url in pages.items():
            with counting_statements() as statements:
                assert client.get(url).status_code == 200, name
            counts[name] = len(statements)
        return counts

    fill(2)
    small = count()
    fill(10)
    assert count() == small
