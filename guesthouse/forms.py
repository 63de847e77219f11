"""The base form and the fields shared by several features, with messages that say what to do."""

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import HiddenInput

from .security.throttling import count_as_submission

# Line breaks and other control characters (C0, DEL, C1, and the Unicode line/paragraph separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value):
    """A one-line field holds one line, without surrounding blanks: a CR/LF smuggled into a name can
    never reach a mail header, and " nom@exemple.fr " is a valid address."""
    if isinstance(value, str):
        return _CONTROL.sub(" ", value).strip()
    return value


class BaseForm(FlaskForm):
    """Every form of the app: CSRF (from FlaskForm), and one-line fields kept to one line, trimmed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            # Not passwords: they are never shown nor sent anywhere, and must match what the CLI set.
            if issubclass(field_class, StringField) and not issubclass(
                field_class, (TextAreaField, PasswordField)
            ):
                # A new list each time: the unbound field is shared by every instance of the form.
                filters = [*unbound_field.kwargs.get("filters", ()), single_line]
                return unbound_field.bind(form=form, filters=filters, **options)
            return unbound_field.bind(form=form, **options)

        def render_field(self, field, render_kw):
            # A page may hold several forms, each with its CSRF token or a hidden copy of the same field:
            # their ids would repeat, and nothing points at a hidden input by its id.
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


class HoneypotMixin:
    """A text field hidden from people (CSS class `hp`) that robots filling every field fill too.

    Add it to a public form and render it with the `honeypot()` macro: a filled one fails validation, so
    the view answers with the form's usual 400 and stores nothing, and the POST counts toward the form's
    rate limit like a submission (see security/throttling.py). A person who somehow filled it (an
    over-eager autofill) sees the field and the message, empties it and sends again: nothing is lost.
    """

    website = StringField(
        _l("Ne remplissez pas ce champ (il sert à reconnaître les envois automatiques)"),
        validators=[Length(max=200, message=_l("200 caractères au plus."))],
    )

    def validate_website(self, field):
        if field.data:
            count_as_submission()
            raise ValidationError(_l("Laissez ce champ vide, puis renvoyez le formulaire."))


class IsoDateField(DateField):
    """A YYYY-MM-DD date whose error explains the expected format (and 2027-02-30 is an error)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            # Blank counts as missing, so that InputRequired says the field is required.
            self.data = None
            self.raw_data = []
            return
        try:
            # A calendar date: no time zone is involved.
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()  # noqa: DTZ007
        except ValueError:
            self.data = None
            raise ValueError(
                _l("Date invalide : saisissez une date réelle au format AAAA-MM-JJ (par exemple 2027-03-14).")
            ) from None


class BoundedIntegerField(IntegerField):
    """An integer that rejects text and absurdly long numbers with a readable message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            # Blank counts as missing, so that InputRequired says the field is required.
            self.data = None
            self.raw_data = []
            return
        raw = valuelist[0].strip()
        if len(raw) > 9 or not raw.lstrip("-").isdigit():
            self.data = None
            raise ValueError(_l("Saisissez un nombre entier, par exemple 2."))
        self.data = int(raw)


def choices_with_prompt(options: dict) -> list[SelectChoice]:
    """Select options led by an empty "choose" entry, so that nothing is chosen by accident."""
    return [SelectChoice("", _l("— Choisissez —"))] + [SelectChoice(k, v) for k, v in options.items()]
