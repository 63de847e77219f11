"""Forms of the notice, the suspension, the message to every stay, and the waiting lists."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..bookings.forms import StayDatesForm, contact_email_field
from ..database import today
from ..forms import BaseForm, HoneypotMixin, IsoDateField
from .models import NoticeLevel

REQUIRED = _l("Ce champ est obligatoire.")
AT_MOST_500 = _l("500 caractères au plus.")


class NoticeForm(BaseForm):
    text_fr = TextAreaField(
        _l("Avis en français"),
        validators=[DataRequired(REQUIRED), Length(max=1000, message=_l("1000 caractères au plus."))],
    )
    text_en = TextAreaField(
        _l("Avis en anglais"),
        validators=[DataRequired(REQUIRED), Length(max=1000, message=_l("1000 caractères au plus."))],
    )
    level = RadioField(
        _l("Niveau"),
        choices=[
            SelectChoice(NoticeLevel.INFO.value, _l("Information")),
            SelectChoice(NoticeLevel.ALERT.value, _l("Alerte")),
        ],
        default=NoticeLevel.INFO.value,
        validate_choice=False,
    )
    ends_on = IsoDateField(_l("Dernier jour affiché (facultatif)"), validators=[Optional()])
    in_mails = BooleanField(_l("L'ajouter aussi en tête des e-mails aux demandeurs"))

    def validate_level(self, field):
        if field.data not in {level.value for level in NoticeLevel}:
            raise ValidationError(_l("Choisissez le niveau de l'avis : information ou alerte."))

    def validate_ends_on(self, field):
        if field.data and field.data < today():
            raise ValidationError(_l("Ce jour est passé : choisissez aujourd'hui ou une date ultérieure."))


class SuspensionForm(BaseForm):
    start_date = IsoDateField(_l("Première nuit fermée"), validators=[InputRequired(REQUIRED)])
    end_date = IsoDateField(_l("Réouverture le (vide : jusqu'à nouvel ordre)"), validators=[Optional()])
    reason_fr = StringField(
        _l("Motif affiché au public (français)"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=AT_MOST_500)],
    )
    reason_en = StringField(
        _l("Motif affiché au public (anglais)"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=AT_MOST_500)],
    )

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError(
                _l("La réouverture doit suivre la première nuit fermée : choisissez une date ultérieure.")
            )


class ReopenForm(BaseForm):
    reopen_on = IsoDateField(
        _l("Rouvrir à partir du (première nuit à nouveau réservable)"), validators=[InputRequired(REQUIRED)]
    )

    def validate_reopen_on(self, field):
        if field.data and field.data < today():
            raise ValidationError(_l("Ce jour est passé : choisissez aujourd'hui ou une date ultérieure."))


ACTIONS = {"notify": _l("Prévenir seulement"), "cancel": _l("Prévenir et annuler tous ces séjours")}


class StaysWindowForm(BaseForm):
    """The dates that choose the stays concerned (read from the query string: a page to bookmark)."""

    class Meta:
        csrf = False

    start = IsoDateField(_l("À partir du"), validators=[InputRequired(REQUIRED)])
    end = IsoDateField(_l("Jusqu'au (facultatif, exclu)"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data <= self.start.data:
            raise ValidationError(_l("La fin doit suivre le début : choisissez une date ultérieure."))


class NotifyForm(BaseForm):
    start = HiddenField(validators=[Length(max=10)])
    end = HiddenField(validators=[Length(max=10)])
    message_fr = TextAreaField(
        _l("Message en français"),
        validators=[DataRequired(REQUIRED), Length(max=4000, message=_l("4000 caractères au plus."))],
    )
    message_en = TextAreaField(
        _l("Message en anglais"),
        validators=[DataRequired(REQUIRED), Length(max=4000, message=_l("4000 caractères au plus."))],
    )
    action = RadioField(
        _l("Que faire"),
        choices=[SelectChoice(value, label) for value, label in ACTIONS.items()],
        default="notify",
        validate_choice=False,
    )
    # What the preview showed, sent back by its confirmation button (see notify.confirmation_of).
    confirm = HiddenField(default="", validators=[Length(max=100)])

    def validate_action(self, field):
        if field.data not in ACTIONS:
            raise ValidationError(_l("Choisissez de prévenir seulement, ou de prévenir et d'annuler."))


LANGUAGES = {"fr": "Français", "en": "English"}


class WaitlistForm(HoneypotMixin, BaseForm):
    """Join a waiting list: the same honeypot and rate limits as the request form."""

    contact_name = StringField(
        _l("Nom et prénom"),
        validators=[Optional(), Length(max=200, message=_l("200 caractères au plus."))],
    )
    email = contact_email_field(_l("Adresse e-mail"))
    locale = SelectField(
        _l("Langue des e-mails"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        validate_choice=False,
    )

    def validate_locale(self, field):
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choisissez le français ou l'anglais."))


class DatesWaitlistForm(StayDatesForm, WaitlistForm):
    """Wait for beds on full nights: the nights and travellers checked as a request's are."""
