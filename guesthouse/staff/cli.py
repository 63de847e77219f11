"""`flask staff ...` commands."""

import click
import sqlalchemy as sa

from ..extensions import db
from . import bp
from .models import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, Role, StaffUser

bp.cli.short_help = "Manage staff accounts."


@bp.cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown in the history.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.APPROVER.value)
@click.password_option(help="Prompted twice when omitted; may be piped on standard input.")
def create_staff(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account (the password is asked twice)."""
    email = StaffUser.normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise click.BadParameter(
            f"the password needs {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters",
            param_hint="password",
        )
    if db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email)):
        raise click.ClickException(f"an account for {email} already exists")
    user = StaffUser(email=email, name=name, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Staff account {email} created ({role}).")
