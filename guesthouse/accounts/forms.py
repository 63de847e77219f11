"""Forms of the account pages: password change, account creation, role."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import BaseForm
from ..staff.models import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, ROLE_LABELS, Role

REQUIRED = _l("Ce champ est obligatoire.")
PASSWORD_LENGTH = Length(
    min=PASSWORD_MIN_LENGTH,
    max=PASSWORD_MAX_LENGTH,
    message=_l(
        "Le mot de passe doit compter de %(min)s à %(max)s caractères : une phrase de plusieurs mots convient bien.",
        min=PASSWORD_MIN_LENGTH,
        max=PASSWORD_MAX_LENGTH,
    ),
)
TOO_LONG = _l("1024 caractères au plus.")
CONFIRM_MESSAGE = _l("Les deux saisies diffèrent : retapez le même mot de passe.")


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[DataRequired(REQUIRED), Length(max=1024, message=TOO_LONG)],
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(REQUIRED), PASSWORD_LENGTH]
    )
    confirm = PasswordField(
        _l("Nouveau mot de passe, une seconde fois"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=1024, message=TOO_LONG),
            EqualTo("new_password", message=CONFIRM_MESSAGE),
        ],
    )

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choisissez un mot de passe différent de l'actuel."))


class RoleForm(BaseForm):
    # Approver by default: the wider rights are given on purpose.
    role = SelectField(_l("Rôle"), choices=role_choices(), default=Role.APPROVER.value, validate_choice=False)

    def validate_role(self, field):
        if field.data not in {role.value for role in Role}:
            raise ValidationError(_l("Choisissez un rôle dans la liste."))


class AccountForm(RoleForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=254, message=_l("254 caractères au plus.")),
            Email(_l("Adresse e-mail invalide : vérifiez-la (par exemple nom@angers.fr).")),
        ],
    )
    name = StringField(
        _l("Nom et prénom"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=_l("200 caractères au plus."))],
    )
    password_mode = RadioField(
        _l("Mot de passe"),
        choices=[
            SelectChoice("generate", _l("En générer un, affiché une seule fois")),
            SelectChoice("set", _l("Le saisir moi-même")),
        ],
        default="generate",
        validate_choice=False,
    )
    password = PasswordField(_l("Mot de passe choisi"), validators=[Length(max=1024, message=TOO_LONG)])
    confirm = PasswordField(
        _l("Mot de passe choisi, une seconde fois"), validators=[Length(max=1024, message=TOO_LONG)]
    )

    def validate_password_mode(self, field):
        if field.data not in ("generate", "set"):
            raise ValidationError(_l("Choisissez comment le mot de passe est créé."))

    def validate_password(self, field):
        if self.password_mode.data != "set":
            return
        if not field.data:
            raise ValidationError(_l("Saisissez le mot de passe, ou choisissez d'en générer un."))
        PASSWORD_LENGTH(self, field)

    def validate_confirm(self, field):
        if self.password_mode.data == "set" and field.data != self.password.data:
            raise ValidationError(CONFIRM_MESSAGE)
