"""Staff accounts of the Service des Relations Internationales."""

from __future__ import annotations

import enum
import hashlib
import ipaddress
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified when the account does not exist, so that a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128

# A session unused this long is over: the user loader ignores it and `flask privacy purge` deletes it, so a
# browser forgotten on a shared computer does not stay signed in for ever, nor its address prefix kept.
SESSION_IDLE_DAYS = 30
BROWSER_MAX_LENGTH = 200

RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code copied from paper is read back without doubt. 10 of these 31 are 49 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10


def hash_secret(secret: str) -> str:
    """What is stored of a password or a recovery code: its argon2id hash."""
    return _hasher.hash(secret)


def secret_matches(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """What is stored of a calendar token or a session secret: its SHA-256. Either is 256 random bits, so
    no salt or slow hash is needed, and its owner can be looked up by this value."""
    return hashlib.sha256(token.encode()).hexdigest()


def address_prefix(address: str | None) -> str | None:
    """The network an address belongs to, enough to tell "the office" from "abroad": the /24 of an IPv4
    address, the /48 of an IPv6 one; the address itself is not kept."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network((ip.packed, 24 if ip.version == 4 else 48), strict=False))


def browser_description(user_agent: str) -> str:
    """The browser's own description (its User-Agent), printable characters only and cut short."""
    return "".join(c for c in user_agent if c.isprintable())[:BROWSER_MAX_LENGTH]


class Role(enum.StrEnum):
    ADMIN = "admin"
    APPROVER = "approver"
    # The people running the house in Bamako: the daily sheet, arrivals and departures, the travellers'
    # details; no decision on a request, and none of the office's tools.
    CARETAKER = "caretaker"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrateur"),
    Role.APPROVER: _l("Valideur"),
    Role.CARETAKER: _l("Intendance"),
}


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.APPROVER,
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sessions: Mapped[list[StaffSession]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="StaffSession.last_seen_at.desc()"
    )
    # Two-factor sign-in (guesthouse/staff/two_factor.py). The TOTP secret must be readable to check a
    # code, so it is stored as is; the last accepted time step makes each code good once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    two_factor_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_factor_reset_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    two_factor_reset_by: Mapped[StaffUser | None] = relationship(remote_side=[id])
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    # The key of the session this request runs in, "<account id>:<secret>", as the session cookie holds
    # it: set at login and by the user loader, never stored (staff_sessions keeps the secret's hash).
    session_key = None

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def get_id(self) -> str:
        """Flask-Login's id, kept in the signed session cookie: the key of this browser's session."""
        if self.session_key is None:
            raise RuntimeError("open_session() first: a login without a server-side session cannot end")
        return self.session_key

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        """The service in Angers (admins and approvers): they decide on requests and use the office's
        tools. Caretakers are house staff, not this."""
        return self.active and self.role in (Role.ADMIN, Role.APPROVER)

    @property
    def is_house_staff(self) -> bool:
        """Anyone with an active account, caretakers included: the daily sheet, the stays' pages."""
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == Role.ADMIN

    @property
    def has_two_factor(self) -> bool:
        return self.two_factor_since is not None

    def must_enrol(self, required_roles) -> bool:
        """True for a member of a role that needs two-factor sign-in who has not set it up yet."""
        return not self.has_two_factor and self.role.value in required_roles

    def set_password(self, password: str) -> None:
        self.password_hash = hash_secret(password)

    def check_password(self, password: str) -> bool:
        if not secret_matches(self.password_hash, password):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    # -- account changes (never commit: the caller owns the transaction) ---------------------------
    def open_session(self, user_agent: str, remote_addr: str | None) -> None:
        """A new server-side session for this browser; its key is then what `get_id` gives Flask-Login."""
        secret = secrets.token_urlsafe(32)
        self.sessions.append(
            StaffSession(
                secret_hash=hash_token(secret),
                browser=browser_description(user_agent),
                place=address_prefix(remote_addr),
            )
        )
        self.session_key = f"{self.id}:{secret}"

    @property
    def current_session(self) -> StaffSession | None:
        """This browser's row among the account's sessions (None outside a signed-in request)."""
        if self.session_key is None:
            return None
        wanted = hash_token(self.session_key.partition(":")[2])
        return next((s for s in self.sessions if s.secret_hash == wanted), None)

    def end_session(self) -> None:
        """End this browser's session (logout): the member's other devices stay signed in."""
        if (current := self.current_session) is not None:
            self.sessions.remove(current)
        self.session_key = None

    def end_other_sessions(self) -> None:
        """Every session of the account but this browser's ends ("sign out everywhere else")."""
        current = self.current_session
        self.sessions = [s for s in self.sessions if s is current]

    def end_sessions(self) -> None:
        """Every session of the account stops working at its next request (its rows are deleted)."""
        self.sessions.clear()
        self.session_key = None

    def change_password(self, password: str) -> None:
        self.set_password(password)
        self.end_sessions()

    def deactivate(self) -> None:
        self.active = False
        self.end_sessions()

    def reactivate(self) -> None:
        self.active = True

    def enable_two_factor(self, secret: str, step: int) -> list[str]:
        """Turn two-factor sign-in on with a secret whose code of `step` was just typed; returns the new
        recovery codes, which only this caller ever sees."""
        self.totp_secret = secret
        self.totp_last_step = step
        self.two_factor_since = utcnow()
        return self.new_recovery_codes()

    def new_recovery_codes(self) -> list[str]:
        """Ten new recovery codes in place of the old ones; only their hashes are kept."""
        codes = [RecoveryCode.generate() for _ in range(RECOVERY_CODES)]
        self.recovery_codes = [RecoveryCode(code_hash=hash_secret(code)) for code in codes]
        return codes

    def reset_two_factor(self, by: StaffUser) -> None:
        """An admin turns a member's two-factor off (a lost phone): their sessions end, and they set it
        up again at their next sign-in if their role requires it."""
        self.totp_secret = self.two_factor_since = self.totp_last_step = None
        self.recovery_codes = []
        self.two_factor_reset_at = utcnow()
        self.two_factor_reset_by = by
        self.end_sessions()

    def can_manage(self, other: StaffUser) -> bool:
        """Admins manage other accounts; nobody demotes or deactivates themselves, so that the house
        always keeps the admin who is acting."""
        return self.is_admin and other.id != self.id

    @staticmethod
    def generate_password() -> str:
        # 20 URL-safe characters from 15 random bytes: 120 bits, shown once to the admin.
        return secrets.token_urlsafe(15)

    def new_calendar_token(self) -> str:
        """Replace the private calendar feed's token; the previous feed address stops working at once.

        Only the hash is kept, so the returned token (and the feed address) can be shown only now.
        """
        token = secrets.token_urlsafe(32)
        self.calendar_token_hash = hash_token(token)
        return token

    def revoke_calendar_token(self) -> None:
        self.calendar_token_hash = None

    @staticmethod
    def spend_verification_time(password: str) -> None:
        """Hash work for an unknown account, so that timing does not reveal which accounts exist."""
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass


class StaffSession(db.Model):
    """A browser where a staff member is signed in. Its cookie holds a random secret, of which only the
    SHA-256 is stored; deleting the row ends the session at that browser's next request.

    The browser and the address prefix let a member recognise their sessions ("the office", "my phone");
    they are personal data, deleted with the session (logout, password change, deactivation) or after
    SESSION_IDLE_DAYS without use.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    browser: Mapped[str] = mapped_column(sa.String(BROWSER_MAX_LENGTH), default="")
    place: Mapped[str | None] = mapped_column(sa.String(50))

    def __repr__(self) -> str:
        return f"<StaffSession {self.id} of {self.user_id}>"

    @staticmethod
    def idle_cutoff(now: datetime) -> datetime:
        """Sessions last seen before this are over."""
        return now - timedelta(days=SESSION_IDLE_DAYS)


class RecoveryCode(db.Model):
    """One of a member's recovery codes, for a sign-in without the phone: argon2id-hashed like a
    password, and deleted once used."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def generate() -> str:
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        return f"{code[:5]}-{code[5:]}"

    @staticmethod
    def normalise(typed: str) -> str:
        """A code as typed (any case, spaces or dashes anywhere) in the form it was generated in."""
        code = "".join(c for c in typed.lower() if c.isalnum())
        return f"{code[:5]}-{code[5:]}"
