"""The fixed vocabularies of a stay request: organisation types, cooperation axes, states."""

import enum

from flask_babel import lazy_gettext as _l


class StayStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    StayStatus.PENDING: _l("En attente"),
    StayStatus.APPROVED: _l("Confirmé"),
    StayStatus.REJECTED: _l("Refusé"),
    StayStatus.CANCELLED: _l("Annulé"),
    StayStatus.WITHDRAWN: _l("Retiré"),
}

ORGANISATION_TYPES = {
    "association": _l("Association"),
    "university": _l("Université / école"),
    "company": _l("Entreprise"),
    "arts": _l("Compagnie artistique / culturelle"),
    "local_authority": _l("Collectivité"),
    "health": _l("Établissement de santé"),
    "other_french_actor": _l("Autre acteur français de coopération"),
}
# Whether an organisation is an Angers actor is asked on the form (`angers_based`), not read from its type.
ANGERS_BASED = {"yes": _l("Oui"), "no": _l("Non")}

COOPERATION_AXES = {
    "public_health": _l("Santé publique"),
    "waste": _l("Gestion des déchets"),
    "education": _l("Éducation et petite enfance"),
    "sport": _l("Sport"),
    "culture": _l("Culture"),
    "other": _l("Autre"),
}
