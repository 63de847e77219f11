"""The access log's filters."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from ..forms import BaseForm
from ..staff.models import StaffUser


class AccessFilterForm(BaseForm):
    """By member and by request; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    member = SelectField(_l("Membre du service"), validators=[Optional()], validate_choice=False)
    reference = StringField(
        _l("Référence de la demande"),
        validators=[Optional(), Length(max=40, message=_l("40 caractères au plus."))],
    )

    def __init__(self, *args, members: list[StaffUser] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.member.choices = [SelectChoice("", _l("Tous"))] + [
            SelectChoice(str(member.id), member.name) for member in members
        ]
        self._member_ids = {str(member.id) for member in members}

    def validate_member(self, field):
        if field.data and field.data not in self._member_ids:
            raise ValidationError(_l("Choisissez un membre dans la liste."))

    @property
    def member_id(self) -> int | None:
        # Blank (spaces included, which Optional() lets through unvalidated) means every member.
        chosen = (self.member.data or "").strip()
        return int(chosen) if chosen in self._member_ids else None

    @property
    def clean_reference(self) -> str:
        return (self.reference.data or "").strip().upper()
