"""The admin form for the house rules."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..forms import BaseForm, BoundedIntegerField

REQUIRED = _l("Ce champ est obligatoire.")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def time_of_day(form, field):
    if not TIME.match(field.data or ""):
        raise ValidationError(_l("Heure invalide : utilisez le format HH:MM, par exemple 14:00."))


class HouseSettingsForm(BaseForm):
    max_nights = BoundedIntegerField(
        _l("Nombre maximal de nuits par séjour"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 365, _l("Entre 1 et 365 nuits."))],
    )
    min_notice_days = BoundedIntegerField(
        _l("Délai minimal avant l'arrivée (jours)"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 365, _l("Entre 1 et 365 jours."))],
    )
    max_advance_days = BoundedIntegerField(
        _l("Réservation possible jusqu'à (jours à l'avance)"),
        validators=[InputRequired(REQUIRED), NumberRange(7, 1095, _l("Entre 7 et 1095 jours."))],
    )
    check_in_time = StringField(
        _l("Heure d'arrivée (à partir de)"),
        validators=[DataRequired(REQUIRED), Length(max=5, message=_l("5 caractères au plus.")), time_of_day],
    )
    check_out_time = StringField(
        _l("Heure de départ (au plus tard)"),
        validators=[DataRequired(REQUIRED), Length(max=5, message=_l("5 caractères au plus.")), time_of_day],
    )
    rules_fr = TextAreaField(
        _l("Règlement de la maison (français)"),
        validators=[DataRequired(REQUIRED), Length(max=8000, message=_l("8000 caractères au plus."))],
    )
    rules_en = TextAreaField(
        _l("Règlement de la maison (anglais)"),
        validators=[DataRequired(REQUIRED), Length(max=8000, message=_l("8000 caractères au plus."))],
    )
    practical_fr = TextAreaField(
        _l("Informations pratiques envoyées à la confirmation (français)"),
        validators=[DataRequired(REQUIRED), Length(max=8000, message=_l("8000 caractères au plus."))],
    )
    practical_en = TextAreaField(
        _l("Informations pratiques envoyées à la confirmation (anglais)"),
        validators=[DataRequired(REQUIRED), Length(max=8000, message=_l("8000 caractères au plus."))],
    )

    def validate_max_advance_days(self, field):
        if field.data is not None and self.min_notice_days.data and field.data <= self.min_notice_days.data:
            raise ValidationError(_l("Doit dépasser le délai minimal avant l'arrivée."))
