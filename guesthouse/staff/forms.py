"""Staff forms: login and the decisions on a request."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm

REQUIRED = _l("Ce champ est obligatoire.")


class LoginForm(BaseForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[DataRequired(REQUIRED), Length(max=254, message=_l("254 caractères au plus."))],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(REQUIRED), Length(max=1024, message=_l("1024 caractères au plus."))],
    )


class ApproveForm(BaseForm):
    rooms = SelectMultipleField(
        _l("Chambres attribuées"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,  # validate_rooms says which room is wrong, and why
        validators=[DataRequired(_l("Cochez au moins une chambre."))],
    )
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
        unknown = [room_id for room_id in field.data or [] if room_id not in self._beds]
        if unknown:
            raise ValidationError(
                _l("Chambre inconnue ou fermée : rechargez la page et choisissez à nouveau.")
            )
        beds = sum(self._beds[room_id] for room_id in field.data or [])
        if beds < self.guests:
            raise ValidationError(
                _l(
                    "Ces chambres comptent %(beds)s lits pour %(guests)s voyageurs : ajoutez une chambre.",
                    beds=beds,
                    guests=self.guests,
                )
            )


class ReasonForm(BaseForm):
    reason = TextAreaField(
        _l("Motif (envoyé au demandeur)"),
        validators=[
            DataRequired(_l("Indiquez le motif : il sera communiqué au demandeur.")),
            Length(max=4000, message=_l("4000 caractères au plus.")),
        ],
    )
