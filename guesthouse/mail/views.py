"""The admins' page of failed mails, and the development page of the mails kept by the console backend."""

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..staff.access import admin_required, staff_required
from . import bp
from .models import OutboxMessage, OutboxStatus
from .operations import failed_count, failed_messages, queue_state, requeue_failed


@bp.route("/")
@admin_required
def failed():
    """Messages given up on, with a button to send each again; and the state of the queue."""
    limit = current_app.config["DASHBOARD_PAGE_SIZE"]
    return render_template(
        "mail/failed.html", messages=failed_messages(limit), count=failed_count(), queue=queue_state()
    )


@bp.post("/<int:message_id>/resend")
@admin_required
def resend(message_id: int):
    """Put a failed message back in the queue: the mail worker sends it on its next look."""
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status != OutboxStatus.FAILED:
        flash(_("Ce message n'est plus en échec : il a déjà été renvoyé. Rechargez la liste."), "info")
        return redirect(url_for(".failed"), code=303)
    if not message.can_be_resent:
        flash(
            _(
                "Cet e-mail n'a jamais pu être rédigé : il n'y a rien à renvoyer. Prévenez la personne "
                "qui maintient l'application (l'erreur est dans la liste), et écrivez au demandeur si besoin."
            ),
            "error",
        )
        return redirect(url_for(".failed"), code=303)
    message.requeue()
    db.session.commit()
    flash(
        _(
            "Message remis en file d'attente : il part maintenant, ou au prochain passage de l'envoi "
            "s'il échoue encore. S'il revient dans cette liste, vérifiez l'adresse du destinataire."
        ),
        "success",
    )
    return redirect(url_for(".failed"), code=303)


@bp.post("/resend-all")
@admin_required
def resend_all():
    """Put every failed message back in the queue at once, after an outage of the mail server."""
    count = requeue_failed()
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)s e-mail remis en file d'attente : il part dans la minute. "
                "S'il revient dans cette liste, vérifiez l'adresse du destinataire et l'erreur affichée.",
                "%(num)s e-mails remis en file d'attente : ils partent dans la minute. "
                "Ceux qui reviennent dans cette liste sont à vérifier : adresse du destinataire, "
                "erreur affichée.",
                count,
            ),
            "success",
        )
    elif failed_count():
        flash(
            _(
                "Aucun e-mail à renvoyer : ceux de la liste n'ont jamais pu être rédigés. Prévenez "
                "la personne qui maintient l'application, et écrivez au demandeur si besoin."
            ),
            "info",
        )
    else:
        flash(_("Aucun e-mail en échec : ils ont déjà été renvoyés. Rechargez la liste."), "info")
    return redirect(url_for(".failed"), code=303)


# -- development: the mails the console backend kept ------------------------------------------------
KEPT_NAME = re.compile(r"\d{8}-\d{6}-\d{6}-[a-z_]+\.eml")
KEPT_LIMIT = 100


def kept_dir() -> Path:
    """The folder of kept mails; 404 unless the console backend is on (it never is in production)."""
    if current_app.config["MAIL_BACKEND"] != "console":
        abort(404)
    return Path(current_app.config["MAIL_CONSOLE_DIR"])


def read_kept(name: str) -> EmailMessage:
    directory = kept_dir()
    path = directory / name
    if not KEPT_NAME.fullmatch(name) or not path.is_file():
        abort(404)
    with path.open("rb") as file:
        return BytesParser(policy=policy.default).parse(file)


def part(message: EmailMessage, content_type: str) -> str | None:
    for piece in message.walk():
        if piece.get_content_type() == content_type and not piece.is_attachment():
            return piece.get_content()
    return None


@bp.route("/dev")
@staff_required
def kept():
    """Development: the mails the app would have sent, newest first."""
    directory = kept_dir()
    names = sorted(
        (p.name for p in directory.glob("*.eml") if KEPT_NAME.fullmatch(p.name))
        if directory.is_dir()
        else [],
        reverse=True,
    )[:KEPT_LIMIT]
    mails = []
    for name in names:
        with (directory / name).open("rb") as file:
            headers = BytesParser(policy=policy.default).parse(file, headersonly=True)
        mails.append((name, headers))
    return render_template("mail/kept.html", mails=mails, directory=directory)


@bp.route("/dev/<name>")
@staff_required
def kept_mail(name: str):
    """Development: one kept mail, its headers, text and calendar part."""
    message = read_kept(name)
    return render_template(
        "mail/kept_mail.html",
        name=name,
        message=message,
        text=part(message, "text/plain"),
        has_html=part(message, "text/html") is not None,
        calendar=part(message, "text/calendar"),
    )


@bp.route("/dev/<name>/html")
@staff_required
def kept_html(name: str):
    """Development: the HTML part on its own, sandboxed like an untrusted document."""
    html = part(read_kept(name), "text/html")
    if html is None:
        abort(404)
    response = current_app.response_class(html, mimetype="text/html")
    # Sandboxed and scriptless; its inline styles are allowed, so that it looks as in a mail program.
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response


@bp.route("/dev/<name>/raw")
@staff_required
def kept_raw(name: str):
    """Development: the .eml file as sent, to open in a mail program."""
    read_kept(name)
    return current_app.response_class(
        (kept_dir() / name).read_bytes(),
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
