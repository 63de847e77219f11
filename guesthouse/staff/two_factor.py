"""Two-factor sign-in: time-based codes (TOTP, RFC 6238, pyotp), the enrolment QR code (segno), and
using a code or a recovery code exactly once."""

from __future__ import annotations

from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup

from ..extensions import db
from .models import RecoveryCode, StaffUser, secret_matches

# The codes of the step before and after the current one are accepted too: a phone's clock a little off,
# or a code typed as it changed.
CLOCK_DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: StaffUser, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str, title: str) -> Markup:
    """The QR code of `uri` as inline SVG: drawn here, never by an outside service that would see the
    secret, and inline because the Content-Security-Policy refuses data: images."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=title)
    # segno escapes the title and writes only paths: nothing in it comes from a visitor unescaped.
    return Markup(svg)  # noqa: S704  # nosec B704


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is, within the allowed drift; None if it is no such code."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    for drift in range(-CLOCK_DRIFT_STEPS, CLOCK_DRIFT_STEPS + 1):
        moment = now.timestamp() + drift * totp.interval
        if totp.verify(code, for_time=moment):
            return totp.timecode(datetime.fromtimestamp(moment, now.tzinfo))
    return None


def use_code(user: StaffUser, code: str, now: datetime) -> bool:
    """Accept a code from the member's app once: its step must come after the last one accepted.

    The check and the write are one UPDATE, so two requests racing with the same code cannot both
    win. The caller commits.
    """
    step = matching_step(user.totp_secret or "", code, now) if user.totp_secret else None
    if step is None:
        return False
    taken = db.session.execute(
        sa.update(StaffUser)
        .where(
            StaffUser.id == user.id,
            sa.or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def use_recovery_code(user: StaffUser, typed: str) -> bool:
    """Accept one of the member's recovery codes and delete it, so that it never works again (one
    DELETE: two requests racing with it cannot both win). The caller commits."""
    code = RecoveryCode.normalise(typed)
    for recovery in user.recovery_codes:
        if secret_matches(recovery.code_hash, code):
            deleted = db.session.execute(
                sa.delete(RecoveryCode)
                .where(RecoveryCode.id == recovery.id)
                .execution_options(synchronize_session=False)
            )
            return deleted.rowcount == 1
    return False
