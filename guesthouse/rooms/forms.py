"""Forms to manage rooms and closures."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BaseForm, BoundedIntegerField, IsoDateField

REQUIRED = _l("Ce champ est obligatoire.")


class RoomForm(BaseForm):
    name = StringField(
        _l("Nom"), validators=[DataRequired(REQUIRED), Length(max=80, message=_l("80 caractères au plus."))]
    )
    beds = BoundedIntegerField(
        _l("Nombre de lits"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=50, message=_l("Indiquez un nombre de lits entre 1 et 50.")),
        ],
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=500, message=_l("500 caractères au plus."))]
    )
    active = BooleanField(_l("Ouverte à la réservation"), default=True)


class ClosureForm(BaseForm):
    room_id = SelectField(_l("Fermeture de"), coerce=str, validate_choice=False)
    start_date = IsoDateField(_l("Première nuit fermée"), validators=[InputRequired(REQUIRED)])
    end_date = IsoDateField(
        _l("Réouverture le (première nuit à nouveau réservable)"), validators=[InputRequired(REQUIRED)]
    )
    reason = StringField(
        _l("Motif"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=_l("500 caractères au plus."))],
    )

    # Set by the confirmation step when the closure falls on approved stays.
    confirm = HiddenField(default="", validators=[Length(max=2000)])

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.room_id.choices = [SelectChoice("", _l("Toute la maison"))] + [
            SelectChoice(str(r.id), r.name) for r in rooms
        ]

    def validate_room_id(self, field):
        if field.data not in {choice.value for choice in self.room_id.choices}:
            raise ValidationError(_l("Choisissez une chambre de la liste, ou toute la maison."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError(
                _l("La réouverture doit suivre la première nuit fermée : choisissez une date ultérieure.")
            )

    @property
    def room_id_value(self) -> int | None:
        return int(self.room_id.data) if self.room_id.data else None
