"""The base form and the fields shared by several features, with messages that say what to do."""

import re
import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import HiddenInput

from .security.throttling import count_as_submission

# Line breaks and other control characters (C0, DEL, C1, and the Unicode line/paragraph separators).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


# Bidirectional embeddings, overrides and isolates reorder the text shown around them: a name holding
# one can read as something else on a staff page or in a mail. Nobody types them on a keyboard.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# Characters that show nothing on their own: control and format characters (zero-width spaces and
# joiners, word joiner, byte-order mark, soft hyphen…), spaces, and the few letters and marks drawn
# blank (Hangul fillers, the braille blank, variation selectors, the combining grapheme joiner).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_DRAWN_BLANK = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def _shows_nothing(text: str) -> bool:
    return all(char in _DRAWN_BLANK or unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in text)


def visible_text(form, field):
    """Text shows what it holds: no bidirectional controls, and no line made only of invisible characters.

    A zero-width joiner inside a name (emoji, Indic scripts) is fine: only lines with nothing to see
    are refused, since they would show as a blank name on the staff pages.
    """
    value = field.data
    if not isinstance(value, str) or not value.strip():
        return  # DataRequired or Optional says what an empty field needs
    if _BIDI_CONTROLS.search(value):
        raise ValidationError(
            _l(
                "Ce texte contient des caractères invisibles qui changent le sens de l'écriture : "
                "retapez-le au clavier au lieu de le coller."
            )
        )
    if _shows_nothing(value.strip()):
        raise ValidationError(
            _l(
                "Ce texte ne contient que des caractères invisibles : retapez-le au clavier au lieu de le coller."
            )
        )
    if any(line.strip() and _shows_nothing(line.strip()) for line in value.splitlines()):
        raise ValidationError(
            _l(
                "Une ligne de ce texte ne contient que des caractères invisibles : "
                "effacez-la, ou retapez-la au clavier au lieu de la coller."
            )
        )


def single_line(value):
    """A one-line field holds one line, without surrounding blanks: a CR/LF smuggled into a name can
    never reach a mail header, and " nom@exemple.fr " is a valid address."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub(" ", value).strip()
    return value


class BaseForm(FlaskForm):
    """Every form of the app: CSRF (from FlaskForm); text fields whose text shows what it holds
    (`visible_text`), and one-line fields kept to one line, trimmed."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            # Not passwords: they are never shown nor sent anywhere, and must match what the CLI set.
            if not issubclass(field_class, StringField) or issubclass(field_class, PasswordField):
                return unbound_field.bind(form=form, **options)
            # New lists each time: the unbound field is shared by every instance of the form.
            extra = {"validators": [*unbound_field.kwargs.get("validators", ()), visible_text]}
            if not issubclass(field_class, TextAreaField):
                extra["filters"] = [*unbound_field.kwargs.get("filters", ()), single_line]
            return unbound_field.bind(form=form, **extra, **options)

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
                _l("Date invalide : saisissez une date réelle au format AAAA-MM-JJ (par exemple 2027-03-14).")
            ) from None


# Python's int() also reads other scripts' digits ("٣", "３"): a number is written with 0 to 9 only, as
# every page, mail and export shows it.
_ASCII_INTEGER = re.compile(r"-?[0-9]+")


class BoundedIntegerField(IntegerField):
    """An integer in the digits 0 to 9 that rejects text and absurdly long numbers with a readable message."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return  # not sent at all (a link prefilling other fields): the default stands
        if not valuelist[0].strip():
            # Blank counts as missing, so that InputRequired says the field is required.
            self.data = None
            self.raw_data = []
            return
        raw = valuelist[0].strip()
        if not _ASCII_INTEGER.fullmatch(raw) or len(raw) > 9:
            self.data = None
            if raw.lstrip("-").isdigit() and len(raw) <= 9:
                raise ValueError(_l("Écrivez le nombre avec les chiffres 0 à 9, par exemple 2."))
            raise ValueError(_l("Saisissez un nombre entier, par exemple 2."))
        self.data = int(raw)


def choices_with_prompt(options: dict) -> list[SelectChoice]:
    """Select options led by an empty "choose" entry, so that nothing is chosen by accident."""
    return [SelectChoice("", _l("— Choisissez —"))] + [SelectChoice(k, v) for k, v in options.items()]
