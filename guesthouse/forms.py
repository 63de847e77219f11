"""Form fields shared by several features, with messages that say what to do."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField
from wtforms.fields.choices import SelectChoice


class IsoDateField(DateField):
    """A YYYY-MM-DD date whose error explains the expected format (and 2027-02-30 is an error)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
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
            self.data = None
            return
        raw = valuelist[0].strip()
        if len(raw) > 9 or not raw.lstrip("-").isdigit():
            self.data = None
            raise ValueError(_l("Saisissez un nombre entier, par exemple 2."))
        self.data = int(raw)


def choices_with_prompt(options: dict) -> list[SelectChoice]:
    """Select options led by an empty "choose" entry, so that nothing is chosen by accident."""
    return [SelectChoice("", _l("— Choisissez —"))] + [SelectChoice(k, v) for k, v in options.items()]
