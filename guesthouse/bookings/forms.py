"""The requester's forms: the stay request and its corrections, a change of an approved stay, withdrawal
and cancellation."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from ..closing.operations import DatesRefused, dates_refusal
from ..database import today
from ..forms import BaseForm, BoundedIntegerField, HoneypotMixin, IsoDateField, choices_with_prompt
from ..house.models import house_settings
from ..i18n import format_day
from .choices import ANGERS_BASED, COOPERATION_AXES, ORGANISATION_TYPES

REQUIRED = _l("Ce champ est obligatoire.")


def contact_email_field(label) -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=_l("254 caractères au plus.")),
            # No accented letters before the @: such addresses need SMTPUTF8, which mails here do not use.
            Email(
                _l("Adresse e-mail invalide : vérifiez-la (par exemple nom@exemple.fr)."),
                allow_smtputf8=False,
            ),
        ],
    )


class StayDatesForm(BaseForm):
    """Arrival, departure and number of travellers, checked against the house: nights to come, at most the
    house's maximum, and no more travellers than beds. Requests, change requests and waiting lists."""

    arrival = IsoDateField(_l("Arrivée"), validators=[InputRequired(REQUIRED)])
    departure = IsoDateField(_l("Départ"), validators=[InputRequired(REQUIRED)])
    guests = BoundedIntegerField(_l("Nombre de voyageurs"), validators=[InputRequired(REQUIRED)], default=1)

    def __init__(self, *args, capacity: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity

    def validate_arrival(self, field):
        if field.data and field.data <= today():
            raise ValidationError(
                _l("L'arrivée doit être dans le futur : choisissez une date à partir de demain.")
            )

    def validate_departure(self, field):
        arrival = self.arrival.data
        if not (field.data and arrival):
            return
        if field.data <= arrival:
            raise ValidationError(_l("Le départ doit être après l'arrivée : choisissez une date ultérieure."))
        max_nights = house_settings().max_nights
        if (field.data - arrival).days > max_nights:
            raise ValidationError(
                ngettext(
                    "Un séjour compte au plus %(num)s nuit : raccourcissez-le ou faites deux demandes.",
                    "Un séjour compte au plus %(num)s nuits : raccourcissez-le ou faites deux demandes.",
                    max_nights,
                )
            )

    def validate_guests(self, field):
        if field.data is None:
            return
        if field.data < 1:
            raise ValidationError(_l("Indiquez au moins un voyageur."))
        if field.data > self.capacity:
            raise ValidationError(
                ngettext(
                    "La maison accueille au plus %(num)s personne : "
                    "réduisez le nombre de voyageurs ou contactez le service.",
                    "La maison accueille au plus %(num)s personnes : "
                    "réduisez le nombre de voyageurs ou contactez le service.",
                    self.capacity,
                )
            )


class StayDetailsForm(StayDatesForm):
    """Dates and travellers of a stay, also within the house's notice and advance; shared by requests and
    change requests."""

    travellers = TextAreaField(
        _l("Noms des voyageurs (un par ligne)"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )

    def asks_the_same_as(self, stay) -> bool:
        """Whether the dates and travellers asked are the stay's own (a correction or change of nothing)."""
        asked = (
            self.arrival.data,
            self.departure.data,
            self.guests.data,
            (self.travellers.data or "").strip(),
        )
        return asked == (stay.arrival, stay.departure, stay.guests, stay.travellers.strip())

    def validate_arrival(self, field):
        if not field.data:
            return
        super().validate_arrival(field)
        settings = house_settings()
        earliest = today() + timedelta(days=settings.min_notice_days)
        latest = today() + timedelta(days=settings.max_advance_days)
        if field.data < earliest:
            raise ValidationError(
                ngettext(
                    "Les demandes se font au moins %(num)s jour avant l'arrivée : "
                    "choisissez une date à partir du %(date)s.",
                    "Les demandes se font au moins %(num)s jours avant l'arrivée : "
                    "choisissez une date à partir du %(date)s.",
                    settings.min_notice_days,
                    date=format_day(earliest, "long"),
                )
            )
        if field.data > latest:
            raise ValidationError(
                ngettext(
                    "Les demandes s'ouvrent %(num)s jour à l'avance : choisissez une arrivée "
                    "au plus tard le %(date)s, ou revenez plus tard.",
                    "Les demandes s'ouvrent %(num)s jours à l'avance : choisissez une arrivée "
                    "au plus tard le %(date)s, ou revenez plus tard.",
                    settings.max_advance_days,
                    date=format_day(latest, "long"),
                )
            )

    def validate_travellers(self, field):
        names = [line for line in (field.data or "").splitlines() if line.strip()]
        if self.guests.data and len(names) > self.guests.data:
            raise ValidationError(
                _l("Vous avez indiqué plus de noms que de voyageurs : corrigez la liste ou le nombre.")
            )


def yes_or_no(value):
    """ "yes" and "no" as the form sends them, True and False as the model stores them; else None."""
    if isinstance(value, bool) or value is None:
        return value
    return {"yes": True, "no": False}.get(value)


class YesNoField(RadioField):
    """A required yes-or-no question whose answer is a boolean (None until answered)."""

    def __init__(self, label, message, **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice(value, label) for value, label in ANGERS_BASED.items()],
            coerce=yes_or_no,
            validators=[InputRequired(message)],
            validate_choice=False,
            **kwargs,
        )
        self.message = message

    def pre_validate(self, form):
        if self.raw_data and self.data is None:
            raise ValidationError(self.message)


def purpose_field() -> TextAreaField:
    return TextAreaField(
        _l("Objet de la mission"),
        validators=[DataRequired(REQUIRED), Length(max=4000, message=_l("4000 caractères au plus."))],
    )


class StayRequestForm(HoneypotMixin, StayDetailsForm):
    contact_name = StringField(
        _l("Nom et prénom de la personne à contacter"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))],
    )
    contact_email = contact_email_field(_l("Adresse e-mail"))
    contact_phone = StringField(
        _l("Téléphone"),
        validators=[Optional(), Length(max=40, message=_l("40 caractères au plus."))],
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))],
    )
    organisation_type = SelectField(
        _l("Type d'organisation"),
        choices=choices_with_prompt(ORGANISATION_TYPES),
        validators=[DataRequired(_l("Choisissez le type de votre organisation."))],
        validate_choice=False,
    )
    cooperation_axis = SelectField(
        _l("Axe de coopération"),
        choices=choices_with_prompt(COOPERATION_AXES),
        validators=[DataRequired(_l("Choisissez l'axe de coopération de votre mission."))],
        validate_choice=False,
    )
    angers_based = YesNoField(
        _l("Votre structure est-elle basée à Angers ou dans Angers Loire Métropole ?"),
        _l("Répondez oui ou non : la maison accueille d'abord les acteurs angevins."),
    )
    purpose = purpose_field()
    notes = TextAreaField(
        _l("Remarques"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )
    accept_rules = BooleanField(
        _l("J'ai lu le règlement de la maison et je l'accepte au nom des voyageurs."),
        validators=[DataRequired(_l("Cochez cette case pour accepter le règlement de la maison."))],
    )

    # Why the nights asked for cannot be had (the house closed, or full), with the waiting list to offer.
    refusal: DatesRefused | None = None

    def check_dates(self) -> DatesRefused | None:
        """Whether the dates given (valid ones) fall in a closure of the house or on full nights."""
        arrival, departure = self.arrival.data, self.departure.data
        if (
            arrival
            and departure
            and departure > arrival
            and not (self.arrival.errors or self.departure.errors)
        ):
            guests = self.guests.data if self.guests.data and self.guests.data > 0 else 1
            self.refusal = dates_refusal(arrival, departure, guests)
        return self.refusal

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.check_dates() is not None:
            self.arrival.errors.append(self.refusal.message)
            return False
        return valid

    def validate_organisation_type(self, field):
        if field.data not in ORGANISATION_TYPES:
            raise ValidationError(_l("Choisissez un type d'organisation dans la liste."))

    def validate_cooperation_axis(self, field):
        if field.data not in COOPERATION_AXES:
            raise ValidationError(_l("Choisissez un axe de coopération dans la liste."))


class CorrectionForm(StayDetailsForm):
    """What the requester corrects in a pending request: dates, travellers and purpose."""

    purpose = purpose_field()

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        self.stay = stay

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if (
            self.asks_the_same_as(self.stay)
            and (self.purpose.data or "").strip() == self.stay.purpose.strip()
        ):
            self.arrival.errors.append(
                _l("Rien n'a changé : corrigez les dates, les voyageurs ou l'objet de la mission.")
            )
            return False
        return True


class ChangeRequestForm(StayDetailsForm):
    """What the requester would like instead; checked against the house rules like a new request."""

    message = TextAreaField(
        _l("Explication pour le service"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )

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
        if self.asks_the_same_as(self.stay):
            self.arrival.errors.append(
                _l("Rien n'a changé : modifiez les dates, le nombre ou les noms des voyageurs.")
            )
            return False
        return True


class RequesterReasonForm(BaseForm):
    """The requester withdraws or cancels; the reason helps the service, and is optional to withdraw."""

    reason = TextAreaField(
        _l("Motif (communiqué au service)"),
        validators=[Optional(), Length(max=4000, message=_l("4000 caractères au plus."))],
    )


class RequesterCancelForm(BaseForm):
    reason = TextAreaField(
        _l("Motif de l'annulation (communiqué au service)"),
        validators=[
            DataRequired(_l("Indiquez le motif de l'annulation : le service en a besoin pour s'organiser.")),
            Length(max=4000, message=_l("4000 caractères au plus.")),
        ],
    )


class LostLinkForm(HoneypotMixin, BaseForm):
    contact_email = contact_email_field(_l("Adresse e-mail utilisée pour la demande"))
