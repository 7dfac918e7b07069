"""The domain's codes and their French labels (shared/DOMAIN.md §2–§3), defined once.

Loaders use them to recognise values, metrics and pages to label them. Each mapping keeps the
order in which users expect to see the codes.
"""

from __future__ import annotations

TYPES_RESERVATAIRE: dict[str, str] = {
    "ETAT": "État — contingent préfectoral",
    "ETAT_AGENTS": "État — agents civils et militaires",
    "ACTION_LOGEMENT": "Action Logement Services",
    "COMMUNE": "Commune",
    "EPCI": "EPCI",
    "DEPARTEMENT": "Conseil départemental",
    "REGION": "Conseil régional",
    "AUTRE": "Autre réservataire",
}
# Type of a réservataire that no convention describes (MAD without convention, DOMAIN §4.3).
TYPE_INCONNU = "INCONNU"
LIBELLE_TYPE_INCONNU = "Type inconnu (sans convention)"

PERIMETRES: dict[str, str] = {
    "DEPARTEMENT": "Département",
    "EPCI": "EPCI",
    "COMMUNE": "Commune",
}

STATUTS_CONVENTION: dict[str, str] = {
    "SIGNEE": "Signée",
    "EN_COURS": "En cours de signature",
    "NON_SIGNEE": "Non signée",
}

METHODES: dict[str, str] = {
    "ASSIETTE": "Méthode de l'assiette",
    "DROITS_ACQUIS": "Droits acquis",
}

MODES_GESTION: dict[str, str] = {
    "DIRECTE": "Gestion directe",
    "DELEGUEE": "Gestion déléguée",
}

CATEGORIES: dict[str, str] = {
    "FLUX": "Flux réservataire",
    "NON_RESERVE": "Non réservé",
    "MUTATION": "Mutation interne",
    "RELOGEMENT": "Relogement",
    "PREMIERE_LOCATION": "Première mise en location",
    "STOCK": "Stock",
}
CATEGORIES_DANS_LE_FLUX = ("FLUX", "NON_RESERVE")
CATEGORIES_HORS_FLUX = ("MUTATION", "RELOGEMENT", "PREMIERE_LOCATION", "STOCK")

ISSUES: dict[str, str] = {
    "BAIL_SIGNE": "Bail signé",
    "REFUS_DEMANDEUR": "Refus du demandeur",
    "REFUS_CALEOL": "Refus CALEOL",
    "SANS_CANDIDAT": "Sans candidat",
    "EN_COURS": "En cours",
}
ISSUES_CHUTE = ("REFUS_DEMANDEUR", "REFUS_CALEOL", "SANS_CANDIDAT")

TYPOLOGIES: dict[str, str] = {f"T{n}": f"T{n}" for n in range(1, 6)} | {"T6": "T6 et plus"}

FINANCEMENTS: dict[str, str] = {
    "PLAI": "PLAI",
    "PLUS": "PLUS",
    "PLS": "PLS",
    "PLI": "PLI",
    "AUTRE": "Autre financement",
}

DOCUMENTS_EPCI: dict[str, str] = {
    "CIL": "Conférence intercommunale du logement (CIL)",
    "CIA": "Convention intercommunale d'attribution (CIA)",
    "PPGDID": "Plan partenarial de gestion de la demande (PPGDID)",
    "COTATION": "Système de cotation",
}

STATUTS_DOCUMENT: dict[str, str] = {
    "ADOPTE": "Adopté",
    "EN_COURS": "En cours",
    "NON_ENGAGE": "Non engagé",
}

DEPARTEMENTS: dict[str, str] = {
    "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes",
    "13": "Bouches-du-Rhône",
    "83": "Var",
    "84": "Vaucluse",
}

TYPES_DONNEES: dict[str, str] = {
    "conventions": "Conventions de gestion en flux",
    "parc": "Parc et assiette",
    "mises_a_disposition": "Mises à disposition",
    "communes": "Communes et EPCI (fichier DGCL)",
    "documents_epci": "Documents des EPCI",
}

NIVEAUX_CONTROLE: dict[str, str] = {
    "erreur": "Erreur",
    "avertissement": "Avertissement",
}

STATUTS_IMPORT: dict[str, str] = {
    "ACTIVE": "En vigueur",
    "REPLACED": "Remplacé",
    "ROLLED_BACK": "Annulé",
}


def libelle_departement(code: str | None) -> str:
    """`13 — Bouches-du-Rhône`, or the bare code for a département outside the reference."""
    if code is None:
        return ""
    nom = DEPARTEMENTS.get(code)
    return f"{code} — {nom}" if nom else code
