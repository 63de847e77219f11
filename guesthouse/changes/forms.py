"""Forms to ask for, make, accept and refuse changes of an approved stay."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..bookings.forms import StayDetailsForm
from ..forms import BaseForm, BoundedIntegerField, IsoDateField
from ..staff.forms import ApproveForm

MESSAGE_LENGTH = Length(max=4000, message=_l("4000 caractères au plus."))
REQUIRED = _l("Ce champ est obligatoire.")


class ChangeRequestForm(StayDetailsForm):
    """What the requester would like instead; checked against the house rules like a new request."""

    message = TextAreaField(_l("Explication pour le service"), validators=[Optional(), MESSAGE_LENGTH])

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        self.stay = stay

    def validate_arrival(self, field):
        if field.data == self.stay.arrival:
            return  # the approved arrival stands: the rules for new requests do not apply to it again
        super().validate_arrival(field)

    def validate_departure(self, field):
        arrival = self.arrival.data
        if (
            field.data
            and arrival
            and field.data > arrival
            and (field.data - arrival).days <= self.stay.nights
        ):
            return  # no longer than the approved stay: the house's maximum does not apply again
        super().validate_departure(field)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        stay = self.stay
        asked = (
            self.arrival.data,
            self.departure.data,
            self.guests.data,
            (self.travellers.data or "").strip(),
        )
        if asked == (stay.arrival, stay.departure, stay.guests, stay.travellers.strip()):
            self.arrival.errors.append(
                _l("Rien n'a changé : modifiez les dates, le nombre ou les noms des voyageurs.")
            )
            return False
        return True


class StayEditForm(ApproveForm):
    """Staff move an approved stay: dates, rooms and travellers (no house-rule limits for staff)."""

    arrival = IsoDateField(_l("Arrivée"), validators=[InputRequired(REQUIRED)])
    departure = IsoDateField(_l("Départ"), validators=[InputRequired(REQUIRED)])
    guests_count = BoundedIntegerField(_l("Nombre de voyageurs"), validators=[InputRequired(REQUIRED)])
    travellers = TextAreaField(
        _l("Noms des voyageurs (un par ligne)"), validators=[Optional(), MESSAGE_LENGTH]
    )

    def validate_departure(self, field):
        if field.data and self.arrival.data:
            if field.data <= self.arrival.data:
                raise ValidationError(
                    _l("Le départ doit être après l'arrivée : choisissez une date ultérieure.")
                )
            if (field.data - self.arrival.data).days > 366:
                raise ValidationError(_l("Un séjour compte au plus un an : raccourcissez-le."))

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
            MESSAGE_LENGTH,
        ],
    )
