"""Staff accounts of the Service des Relations Internationales."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified when the account does not exist, so that a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128


def hash_calendar_token(token: str) -> str:
    """What is stored of a calendar token: its SHA-256. The token is 256 random bits, so no salt or slow
    hash is needed, and the feed can look its owner up by this value."""
    return hashlib.sha256(token.encode()).hexdigest()


class Role(enum.StrEnum):
    ADMIN = "admin"
    APPROVER = "approver"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {Role.ADMIN: _l("Administrateur"), Role.APPROVER: _l("Valideur")}


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
    # Part of the session id: raising it ends every session of the account at once.
    session_version: Mapped[int] = mapped_column(default=1)
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<StaffUser {self.email}>"

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == Role.ADMIN

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    # -- account changes (never commit: the caller owns the transaction) ---------------------------
    def end_sessions(self) -> None:
        """Every session opened before now stops working at its next request."""
        self.session_version += 1

    def change_password(self, password: str) -> None:
        self.set_password(password)
        self.end_sessions()

    def deactivate(self) -> None:
        self.active = False
        self.end_sessions()

    def reactivate(self) -> None:
        self.active = True

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
        self.calendar_token_hash = hash_calendar_token(token)
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
