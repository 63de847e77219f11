"""The travellers' details form: one block of fields per traveller, on one page."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, FieldList, FormField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from ..bookings.travellers import FLIGHT_MAX_LENGTH, Traveller, tidy_phone
from ..forms import BaseForm

YES_NO = "yes", "no"


def international_phone(form, field):
    """A phone in international form, tidied (`+223 70 12 34 56`); empty is allowed (not known yet)."""
    if not field.data:
        return
    tidy = tidy_phone(field.data)
    if tidy is None:
        raise ValidationError(
            _l(
                "Numéro invalide : écrivez-le au format international, avec l'indicatif du pays, "
                "par exemple +223 70 12 34 56 ou +33 6 12 34 56 78."
            )
        )
    field.data = tidy


class BamakoDateTimeField(DateTimeLocalField):
    """A date and time typed in Bamako's local time (UTC+0 all year), kept as an aware UTC datetime."""

    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=self.FORMATS[0], **kwargs)

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            self.data = None
            return
        for pattern in self.FORMATS:
            try:
                # Bamako is on UTC all year: the time typed is the UTC time.
                self.data = datetime.strptime(text, pattern).replace(tzinfo=UTC)  # noqa: DTZ007
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(
            _l(
                "Date et heure invalides : saisissez-les au format AAAA-MM-JJ HH:MM (par exemple 2027-03-14 18:45)."
            )
        )


class TravellerForm(BaseForm):
    """One traveller; every field but the name may wait until it is known."""

    class Meta:
        csrf = False  # a part of TravellersForm, which carries the token

    full_name = StringField(
        _l("Nom complet"),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))],
    )
    phone = StringField(
        _l("Téléphone joignable au Mali"),
        validators=[Optional(), Length(max=40, message=_l("40 caractères au plus.")), international_phone],
    )
    emergency_name = StringField(
        _l("Personne à prévenir en cas d'urgence"),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))],
    )
    emergency_phone = StringField(
        _l("Téléphone de cette personne"),
        validators=[Optional(), Length(max=40, message=_l("40 caractères au plus.")), international_phone],
    )
    ariane_registered = RadioField(
        _l("Inscription sur Ariane (ministère des Affaires étrangères)"),
        choices=[SelectChoice("yes", _l("Faite")), SelectChoice("no", _l("Pas encore"))],
        default="no",
        validate_choice=False,
    )
    arrival_flight = StringField(
        _l("Vol d'arrivée"),
        validators=[Optional(), Length(max=FLIGHT_MAX_LENGTH, message=_l("20 caractères au plus."))],
    )
    arrival_at = BamakoDateTimeField(
        _l("Atterrissage à Bamako (heure de Bamako, UTC+0)"), validators=[Optional()]
    )
    departure_flight = StringField(
        _l("Vol de départ"),
        validators=[Optional(), Length(max=FLIGHT_MAX_LENGTH, message=_l("20 caractères au plus."))],
    )
    departure_at = BamakoDateTimeField(
        _l("Décollage de Bamako (heure de Bamako, UTC+0)"), validators=[Optional()]
    )
    pickup_wanted = RadioField(
        _l("Accueil à l'aéroport souhaité"),
        choices=[SelectChoice("yes", _l("Oui")), SelectChoice("no", _l("Non"))],
        validate_choice=False,
    )

    def validate_ariane_registered(self, field):
        if field.data not in YES_NO:
            raise ValidationError(_l("Choisissez « Faite » ou « Pas encore »."))

    def validate_pickup_wanted(self, field):
        if field.data not in (*YES_NO, None, "None", ""):
            raise ValidationError(_l("Choisissez « Oui » ou « Non »."))

    def validate_departure_at(self, field):
        if field.data and self.arrival_at.data and field.data <= self.arrival_at.data:
            raise ValidationError(_l("Le départ doit suivre l'arrivée : vérifiez la date et l'heure."))

    @property
    def is_blank(self) -> bool:
        """Nothing typed in: a row left for a traveller whose name is not known yet."""
        texts = (self.full_name, self.phone, self.emergency_name, self.emergency_phone)
        flights = (self.arrival_flight, self.departure_flight, self.arrival_at, self.departure_at)
        return (
            not any(f.data for f in (*texts, *flights))
            and self.ariane_registered.data != "yes"
            and self.pickup_wanted.data not in YES_NO
        )

    def values(self) -> dict:
        """The record's columns as typed."""
        texts = (
            "full_name",
            "phone",
            "emergency_name",
            "emergency_phone",
            "arrival_flight",
            "departure_flight",
        )
        return {
            **{name: getattr(self, name).data or "" for name in texts},
            "arrival_at": self.arrival_at.data,
            "departure_at": self.departure_at.data,
            "ariane_registered": self.ariane_registered.data == "yes",
            "pickup_wanted": {"yes": True, "no": False}.get(self.pickup_wanted.data),
        }

    @staticmethod
    def data_of(traveller: Traveller) -> dict:
        """The record as the form's initial data."""
        return {
            "full_name": traveller.full_name,
            "phone": traveller.phone,
            "emergency_name": traveller.emergency_name,
            "emergency_phone": traveller.emergency_phone,
            "ariane_registered": "yes" if traveller.ariane_registered else "no",
            "arrival_flight": traveller.arrival_flight,
            "arrival_at": traveller.arrival_at,
            "departure_flight": traveller.departure_flight,
            "departure_at": traveller.departure_at,
            "pickup_wanted": {True: "yes", False: "no"}.get(traveller.pickup_wanted),
        }


class TravellersForm(BaseForm):
    """Every traveller of a stay: the known ones first, then empty rows up to the number of travellers."""

    travellers = FieldList(FormField(TravellerForm))

    def __init__(self, *args, known: int = 0, rows: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = known  # the first `known` rows are existing records: their name stays required
        self.rows = rows

    def validate_travellers(self, field):
        if len(field.entries) > self.rows:
            raise ValidationError(_l("Trop de voyageurs pour ce séjour : rechargez la page."))
        unnamed = False
        for index, entry in enumerate(field.entries):
            if entry.form.full_name.data or (index >= self.known and entry.form.is_blank):
                continue
            unnamed = True
            entry.form.full_name.errors = [
                *entry.form.full_name.errors,
                _l("Indiquez le nom complet de ce voyageur.")
                if index < self.known
                else _l("Indiquez le nom complet de ce voyageur, ou videz les champs de cette ligne."),
            ]
        if unnamed:
            raise ValidationError(_l("Un nom de voyageur manque."))
