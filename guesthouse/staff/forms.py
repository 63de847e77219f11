"""Staff forms: login and its code, decisions on requests and on their changes, stays staff enter, their notes."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..bookings.choices import ORGANISATION_TYPES, StayStatus
from ..bookings.forms import StayRequestForm
from ..bookings.notes import NOTE_MAX_LENGTH
from ..database import today
from ..forms import BaseForm, BoundedIntegerField, IsoDateField

REQUIRED = _l("Ce champ est obligatoire.")
MAX_PLANNING_WEEKS = 12
MIN_PLANNING_YEAR, MAX_PLANNING_YEAR = 2000, 2100


def rooms_field(required: bool) -> SelectMultipleField:
    return SelectMultipleField(
        _l("Chambres attribuées"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,  # check_rooms says which room is wrong, and why
        validators=[DataRequired(_l("Cochez au moins une chambre."))] if required else [Optional()],
    )


def check_rooms(room_ids: list[int], beds: dict[int, int], guests: int) -> None:
    """The rooms ticked exist, are open, and hold the travellers; else a message saying what to do."""
    if any(room_id not in beds for room_id in room_ids):
        raise ValidationError(_l("Chambre inconnue ou fermée : rechargez la page et choisissez à nouveau."))
    total = sum(beds[room_id] for room_id in room_ids)
    if total < guests:
        raise ValidationError(
            _(
                "Ces chambres comptent %(beds)s pour %(guests)s : ajoutez une chambre.",
                beds=ngettext("%(num)s lit", "%(num)s lits", total),
                guests=ngettext("%(num)s voyageur", "%(num)s voyageurs", guests),
            )
        )


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=_l("254 caractères au plus."))],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(REQUIRED), Length(max=1024, message=_l("1024 caractères au plus."))],
    )


def is_app_code(code: str) -> bool:
    """Six digits: a code from the authenticator app; anything else is tried as a recovery code."""
    code = code.strip().replace(" ", "")
    return len(code) == 6 and code.isascii() and code.isdigit()


class CodeForm(BaseForm):
    """A code from the authenticator app (six digits) or, at login, a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(REQUIRED), Length(max=40, message=_l("40 caractères au plus."))],
    )


class ApproveForm(BaseForm):
    rooms = rooms_field(required=True)
    message = TextAreaField(
        _l("Message au demandeur (facultatif)"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )

    def __init__(self, *args, rooms=(), guests: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms.choices = [SelectChoice(room.id, room.name) for room in rooms]
        self._beds = {room.id: room.beds for room in rooms}
        self.guests = guests

    def validate_rooms(self, field):
        check_rooms(field.data or [], self._beds, self.guests)


class StaffStayForm(StayRequestForm):
    """A stay staff enter for someone who did not use the public form: the same fields, the address
    optional (without it no mail is sent), and rooms to tick to approve it in the same step."""

    website = None  # no honeypot: only signed-in staff reach this form
    contact_email = EmailField(
        _l("Adresse e-mail (facultative)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("254 caractères au plus.")),
            Email(
                _l("Adresse e-mail invalide : vérifiez-la (par exemple nom@exemple.fr)."),
                allow_smtputf8=False,
            ),
        ],
    )
    accept_rules = BooleanField(
        _l("Le règlement de la maison a été transmis aux voyageurs, qui l'acceptent."),
        validators=[DataRequired(_l("Cochez cette case une fois le règlement transmis aux voyageurs."))],
    )
    rooms = rooms_field(required=False)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rooms.choices = [SelectChoice(room.id, room.name) for room in rooms]
        self._beds = {room.id: room.beds for room in rooms}

    def check_dates(self):
        # Closed or full nights are the requesters' refusal (with the waiting list): staff enter any
        # dates, and the rooms they tick are checked under the write lock (409 when taken).
        return None

    def validate_arrival(self, field):
        # The notice and advance rules are for requesters: staff enter a delegation arriving tonight.
        if field.data and field.data < today():
            raise ValidationError(_l("L'arrivée est passée : choisissez aujourd'hui ou une date ultérieure."))

    def validate_rooms(self, field):
        if field.data and self.guests.data:
            check_rooms(field.data, self._beds, self.guests.data)


class NoteForm(BaseForm):
    body = TextAreaField(
        _l("Note pour le service (jamais montrée au demandeur)"),
        validators=[
            DataRequired(_l("Écrivez la note avant de l'enregistrer.")),
            Length(max=NOTE_MAX_LENGTH, message=_l("4000 caractères au plus.")),
        ],
    )


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Motif (envoyé au demandeur)"),
        validators=[
            DataRequired(_l("Indiquez le motif : il sera communiqué au demandeur.")),
            Length(max=4000, message=_l("4000 caractères au plus.")),
        ],
    )


class StayEditForm(ApproveForm):
    """Staff move an approved stay: dates, rooms and travellers (no house-rule limits for staff)."""

    arrival = IsoDateField(_l("Arrivée"), validators=[InputRequired(REQUIRED)])
    departure = IsoDateField(_l("Départ"), validators=[InputRequired(REQUIRED)])
    guests_count = BoundedIntegerField(_l("Nombre de voyageurs"), validators=[InputRequired(REQUIRED)])
    travellers = TextAreaField(
        _l("Noms des voyageurs (un par ligne)"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )

    def validate_departure(self, field):
        if field.data and self.arrival.data:
            if field.data <= self.arrival.data:
                raise ValidationError(
                    _l("Le départ doit être après l'arrivée : choisissez une date ultérieure.")
                )
            if (field.data - self.arrival.data).days > 366:
                raise ValidationError(_l("Un séjour compte au plus un an : raccourcissez-le."))

    def validate_rooms(self, field):
        self.guests = self.guests_count.data or 0  # the beds are checked against the new number
        super().validate_rooms(field)

    def validate_guests_count(self, field):
        if field.data is not None and field.data < 1:
            raise ValidationError(_l("Indiquez au moins un voyageur."))


class RefuseChangeForm(BaseForm):
    message = TextAreaField(
        _l("Réponse au demandeur"),
        validators=[
            DataRequired(_l("Expliquez au demandeur pourquoi la modification est refusée.")),
            Length(max=4000, message=_l("4000 caractères au plus.")),
        ],
    )


class RequestFilterForm(BaseForm):
    """Search and filters of the request list; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Référence, organisation ou contact"), validators=[Optional(), Length(max=200)])
    # No Optional() on the lists: it takes a blank such as "\r" for empty and skips the checks below,
    # and the search would then read "\r" as a state.
    status = SelectField(_l("État"), validate_choice=False)
    organisation_type = SelectField(_l("Type d'organisation"), validate_choice=False)
    start = IsoDateField(_l("Séjours à partir du"), validators=[Optional()])
    end = IsoDateField(_l("jusqu'au"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("Tous"))] + [
            SelectChoice(s.value, s.label) for s in StayStatus
        ]
        self.organisation_type.choices = [SelectChoice("", _l("Tous"))] + [
            SelectChoice(key, label) for key, label in ORGANISATION_TYPES.items()
        ]

    def validate_status(self, field):
        if field.data and field.data not in {s.value for s in StayStatus}:
            raise ValidationError(_l("Choisissez un état dans la liste."))

    def validate_organisation_type(self, field):
        if field.data and field.data not in ORGANISATION_TYPES:
            raise ValidationError(_l("Choisissez un type d'organisation dans la liste."))

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("La fin de la période doit suivre son début."))


class PlanningForm(BaseForm):
    """The planning board's period, from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = IsoDateField(_l("À partir du"), validators=[Optional()])
    weeks = BoundedIntegerField(_l("Semaines"), validators=[Optional()])

    def validate_start(self, field):
        # Far enough from the ends of the calendar that twelve weeks either way stay real dates.
        if field.data and not MIN_PLANNING_YEAR <= field.data.year <= MAX_PLANNING_YEAR:
            raise ValidationError(
                _l(
                    "Choisissez une date entre %(min)s et %(max)s.",
                    min=MIN_PLANNING_YEAR,
                    max=MAX_PLANNING_YEAR,
                )
            )

    def validate_weeks(self, field):
        if field.data is not None and not 1 <= field.data <= MAX_PLANNING_WEEKS:
            raise ValidationError(
                _l(
                    "Le planning montre de 1 à %(max)s semaines : choisissez un nombre dans cet intervalle.",
                    max=MAX_PLANNING_WEEKS,
                )
            )
