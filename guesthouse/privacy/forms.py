"""Forms of the staff privacy page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField
from wtforms.validators import DataRequired, Email, Length

from ..forms import BaseForm

EMAIL_VALIDATORS = [
    DataRequired(_l("Indiquez l'adresse e-mail de la personne.")),
    Length(max=254, message=_l("254 caractères au plus.")),
    Email(_l("Adresse e-mail invalide : vérifiez-la (par exemple nom@exemple.fr).")),
]


class LookupForm(BaseForm):
    email = EmailField(_l("Adresse e-mail de la personne"), validators=EMAIL_VALIDATORS)


class ExportForm(BaseForm):
    email = HiddenField(validators=EMAIL_VALIDATORS)


class EraseForm(BaseForm):
    email = HiddenField(validators=EMAIL_VALIDATORS)
    confirm = BooleanField(
        _l(
            "Je confirme l'effacement demandé par la personne : ses demandes en cours seront annulées "
            "et leurs données personnelles effacées définitivement."
        ),
        validators=[DataRequired(_l("Cochez la case pour confirmer l'effacement."))],
    )
