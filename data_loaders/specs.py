"""What each dataset looks like (shared/DOMAIN.md §3): its columns, their types and header variants.

A `Colonne` says how to read one canonical column; a `Jeu` (dataset kind) lists them. Header
variants are compared after `cle()` folding (case, accents, spaces and punctuation ignored), so
"N° RPLS", "n_rpls" and "NUM RPLS" are one and the same variant `nrpls`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from dashboard import vocabulaire as voc


def cle(texte: object) -> str:
    """Fold a header or a value for comparison: lower case, no accent, only letters and digits.

    Must stay equal to the SQL folding in `normalisation.CLE_SQL`.
    """
    if texte is None:
        return ""
    texte = str(texte)
    # the same names and headers are folded thousands of times an import (referential,
    # correspondences, synonyms): short texts are remembered
    return _cle_memorisee(texte) if len(texte) <= 200 else _plier(texte)


def _plier(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accent = "".join(c for c in decompose if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", sans_accent.lower())


_cle_memorisee = functools.lru_cache(maxsize=16384)(_plier)


# Kinds of values; each has its parser in normalisation.py and its message in validation.py.
TEXTE = "texte"
CODE = "code"            # code: trimmed, upper case
IDENTIFIANT = "identifiant"  # the bailleur's own id: trimmed, kept as written
CODE_INSEE = "code_insee"  # 5 characters, leading zero restored when a spreadsheet dropped it
DEPARTEMENT = "departement"
SIREN = "siren"          # 9 digits, spaces removed
ENTIER = "entier"
DECIMAL = "decimal"
POURCENTAGE = "pourcentage"
DATE = "date"
BOOLEEN = "booleen"
ENUM = "enum"

# Longest text accepted per kind (characters): a name or a reason fits easily; a megabyte in a
# cell is a broken or hostile file, not data.
LONGUEUR_MAX = {TEXTE: 1000, IDENTIFIANT: 100, CODE: 50}


@dataclass(frozen=True)
class Colonne:
    nom: str
    type: str
    obligatoire: bool = False
    variantes: tuple[str, ...] = ()
    valeurs: dict[str, tuple[str, ...]] | None = None   # ENUM: code -> accepted spellings
    defaut: str | None = None                          # ENUM: code used when the cell is empty
    minimum: float | None = None
    maximum: float | None = None
    libelle: str = ""                                  # French name shown in messages

    @property
    def nom_affiche(self) -> str:
        return self.libelle or self.nom


@dataclass(frozen=True)
class Jeu:
    """A dataset kind: its columns (the scope an import replaces: data_loaders.cibles.CIBLES)."""

    nom: str
    colonnes: tuple[Colonne, ...]
    libelle: str

    def colonne(self, nom: str) -> Colonne:
        for col in self.colonnes:
            if col.nom == nom:
                return col
        raise KeyError(nom)

    @property
    def noms(self) -> tuple[str, ...]:
        return tuple(c.nom for c in self.colonnes)


def _enum(codes: dict[str, str], **extra: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Accepted spellings of each code: the code, its French label, and the extra variants."""
    return {code: (code, label, *extra.get(code, ())) for code, label in codes.items()}


BOOLEENS = {
    "true": ("o", "oui", "1", "true", "vrai", "y", "yes", "x"),
    "false": ("n", "non", "0", "false", "faux", "no"),
}

TYPES_RESERVATAIRE = _enum(
    voc.TYPES_RESERVATAIRE,
    ETAT=("Etat", "État", "Préfet", "Préfecture", "Contingent préfectoral", "Etat prioritaire",
          "Publics prioritaires"),
    ETAT_AGENTS=("Etat agents", "État agents", "Agents de l'État", "Fonctionnaires",
                 "Etat fonctionnaires", "Agents civils et militaires"),
    ACTION_LOGEMENT=("Action Logement", "ALS", "AL", "1% logement", "Employeurs Action Logement"),
    COMMUNE=("Ville", "Mairie", "Communes"),
    EPCI=("Intercommunalité", "Métropole", "Communauté d'agglomération",
          "Communauté de communes"),
    DEPARTEMENT=("Département", "Conseil départemental", "CD", "Conseil général"),
    REGION=("Région", "Conseil régional"),
    AUTRE=("Autre", "Autres", "Employeur", "Collecteur"),
)

PERIMETRES = _enum(voc.PERIMETRES, DEPARTEMENT=("Départemental", "Dept"), EPCI=("Intercommunal",),
                   COMMUNE=("Communal", "Ville"))
STATUTS_CONVENTION = _enum(
    voc.STATUTS_CONVENTION,
    SIGNEE=("Signé", "Signée", "Oui", "Signature"),
    EN_COURS=("En cours", "En négociation", "A signer", "En attente de signature"),
    NON_SIGNEE=("Non signé", "Non", "Refusée", "Pas signée"),
)
METHODES = _enum(voc.METHODES, ASSIETTE=("Assiette", "Flux"), DROITS_ACQUIS=("Droits de suite",))
MODES_GESTION = _enum(voc.MODES_GESTION, DIRECTE=("Directe", "Direct"),
                      DELEGUEE=("Déléguée", "Délégué", "Delegation", "Délégation"))
CATEGORIES = _enum(
    voc.CATEGORIES,
    FLUX=("Flux", "Réservataire", "Réservé", "Contingent"),
    NON_RESERVE=("Non réservé", "Bailleur", "Hors contingent", "Part bailleur", "Libre"),
    MUTATION=("Mutation", "Mutations", "Mutation interne"),
    RELOGEMENT=("Relogement ANRU", "Relogement NPNRU", "Relogement ORCOD", "Relogement LHI", "ANRU",
                "NPNRU", "Relogements"),
    PREMIERE_LOCATION=("Première location", "Mise en service", "Livraison", "Neuf",
                       "Première mise en location"),
    STOCK=("Stock", "Réservation en stock", "Gestion en stock"),
)
ISSUES = _enum(
    voc.ISSUES,
    BAIL_SIGNE=("Bail signé", "Bail", "Attribué", "Attribution", "Signé", "Entrée dans les lieux"),
    REFUS_DEMANDEUR=("Refus demandeur", "Refus candidat", "Refus du candidat", "Refus ménage"),
    REFUS_CALEOL=("Refus CALEOL", "Refus CAL", "Refus commission", "Non attribué"),
    SANS_CANDIDAT=("Sans candidat", "Retour bailleur", "Pas de candidat", "Aucun candidat",
                   "Restitué", "Restitution"),
    EN_COURS=("En cours", "En attente", "CALEOL à venir", "Proposé"),
)
TYPOLOGIES = {
    f"T{n}": (f"T{n}", f"F{n}", str(n), f"T{n} bis", f"F{n} bis", f"Type {n}", f"{n} pièces")
    for n in range(1, 7)
}
TYPOLOGIES["T1"] += ("Studio", "Chambre", "T1 bis", "T1'", "1 pièce", "T0", "T0 bis")
TYPOLOGIES["T6"] += tuple(f"{p}{n}" for n in range(7, 11) for p in ("T", "F", "")) + (
    "T6 et plus", "T6+", "6 pièces et plus")
FINANCEMENTS = _enum(voc.FINANCEMENTS, PLAI=("PLA-I", "PLA I", "PLAI adapté", "PLA-I adapté"),
                     PLUS=("PLUS CD", "PLUS-CD", "PLA", "HLM/O", "HLMO"), PLS=("PLS",),
                     PLI=("PLI",), AUTRE=("Autre", "Autres", "PCL", "ILN", "Non conventionné"))
DOCUMENTS = _enum(voc.DOCUMENTS_EPCI, CIL=("Conférence intercommunale du logement",),
                  CIA=("Convention intercommunale d'attribution",),
                  PPGDID=("PPGD", "Plan partenarial", "PPGDLSID"), COTATION=("Cotation",))
STATUTS_DOCUMENT = _enum(voc.STATUTS_DOCUMENT, ADOPTE=("Adopté", "Adoptée", "Signé", "Oui",
                                                       "Approuvé", "Installée", "Installé"),
                         EN_COURS=("En cours", "En préparation", "Engagé"),
                         NON_ENGAGE=("Non engagé", "Non", "Pas engagé", "Non démarré"))

_BAILLEUR = Colonne("bailleur_code", CODE, True, (
    "bailleur", "code bailleur", "code_bailleur", "id bailleur", "code organisme", "organisme",
    "siren bailleur", "code ols", "ols", "bailleur code"), libelle="code bailleur")
_INSEE = Colonne("code_insee", CODE_INSEE, True, (
    "code insee", "insee", "code commune", "commune insee", "commune (code insee)", "cog",
    "code commune insee", "depcom", "code_commune", "commune"), libelle="code INSEE")
_ANNEE = Colonne("annee", ENTIER, True, ("année", "annee", "exercice", "année d'exercice",
                                          "millésime", "annee exercice"),
                 minimum=2000, maximum=2100, libelle="année")

CONVENTIONS = Jeu(
    "conventions",
    (
        _BAILLEUR,
        Colonne("bailleur_nom", TEXTE, False, ("nom bailleur", "raison sociale", "nom du bailleur",
                                                "bailleur nom", "libellé bailleur"),
                libelle="nom du bailleur"),
        Colonne("reservataire_code", TEXTE, True, (
            "code réservataire", "réservataire", "reservataire", "contingent", "code contingent",
            "id réservataire", "réservataire code"), libelle="code réservataire"),
        Colonne("reservataire_nom", TEXTE, False, ("nom réservataire", "nom du réservataire",
                                                    "libellé réservataire", "réservataire nom"),
                libelle="nom du réservataire"),
        Colonne("type_reservataire", ENUM, True, ("type de réservataire", "type réservataire",
                                                  "type", "catégorie de réservataire",
                                                  "type contingent"),
                valeurs=TYPES_RESERVATAIRE, libelle="type de réservataire"),
        Colonne("departement", DEPARTEMENT, True, ("département", "dept", "dep", "code département",
                                                   "num département"), libelle="département"),
        Colonne("perimetre_type", ENUM, False, ("type de périmètre", "périmètre", "échelle",
                                                "niveau", "type périmètre"),
                valeurs=PERIMETRES, defaut="DEPARTEMENT", libelle="type de périmètre"),
        Colonne("perimetre_code", CODE, False, ("code périmètre", "code du périmètre",
                                                "périmètre code", "code territoire"),
                libelle="code du périmètre"),
        _ANNEE,
        Colonne("statut", ENUM, True, ("statut", "statut convention", "état", "signature",
                                       "statut de la convention"),
                valeurs=STATUTS_CONVENTION, libelle="statut"),
        Colonne("date_signature", DATE, False, ("date de signature", "date signature", "signée le",
                                                "date signature convention"),
                libelle="date de signature"),
        Colonne("motif_non_signature", TEXTE, False, ("motif de non-signature", "motif",
                                                      "raison", "motif non signature",
                                                      "raison non signature", "commentaire"),
                libelle="motif de non-signature"),
        Colonne("methode", ENUM, False, ("méthode", "méthode de calcul", "mode de calcul"),
                valeurs=METHODES, defaut="ASSIETTE", libelle="méthode"),
        Colonne("taux_flux", POURCENTAGE, False, ("taux", "taux (%)", "taux flux", "% du flux",
                                                  "pourcentage", "part du flux", "taux de réservation",
                                                  "quote-part"),
                minimum=0, maximum=100, libelle="taux du flux"),
        Colonne("droits_annuels", DECIMAL, False, ("droits annuels", "droits", "nombre de droits",
                                                   "droits uniques", "objectif annuel",
                                                   "droits estimés"),
                minimum=0, maximum=1_000_000, libelle="droits annuels"),
        Colonne("mode_gestion", ENUM, False, ("mode de gestion", "gestion", "mode gestion"),
                valeurs=MODES_GESTION, libelle="mode de gestion"),
    ),
    "conventions de gestion en flux",
)

PARC = Jeu(
    "parc",
    (
        _BAILLEUR,
        _INSEE,
        _ANNEE,
        Colonne("parc_total", ENTIER, True, ("parc total", "parc", "nombre de logements",
                                             "logements", "patrimoine", "nb logements",
                                             "logements familiaux"),
                minimum=0, maximum=1_000_000, libelle="parc total"),
        Colonne("logements_exclus", ENTIER, False, ("logements exclus", "exclus", "exclusions",
                                                    "hors assiette", "logements hors assiette"),
                minimum=0, maximum=1_000_000, libelle="logements exclus"),
        Colonne("liberations", ENTIER, False, ("libérations", "liberations", "logements libérés",
                                               "nombre de libérations", "libérations n-1"),
                minimum=0, maximum=1_000_000, libelle="libérations"),
        Colonne("taux_rotation", POURCENTAGE, False, ("taux de rotation", "rotation",
                                                      "taux rotation", "taux de mobilité"),
                minimum=0, maximum=100, libelle="taux de rotation"),
        Colonne("mutations_prevues", ENTIER, False, ("mutations prévues", "mutations",
                                                     "mutations internes"),
                minimum=0, maximum=1_000_000, libelle="mutations prévues"),
        Colonne("relogements_prevus", ENTIER, False, ("relogements prévus", "relogements",
                                                      "relogements anru"),
                minimum=0, maximum=1_000_000, libelle="relogements prévus"),
    ),
    "parc et assiette",
)

MISES_A_DISPOSITION = Jeu(
    "mises_a_disposition",
    (
        _BAILLEUR,
        Colonne("reference", IDENTIFIANT, True, ("référence", "n° de référence", "id", "identifiant",
                                          "num mad", "n° mad", "référence mad", "id mad",
                                          "numéro", "ref"), libelle="référence"),
        Colonne("date_mise_a_disposition", DATE, True, (
            "date mad", "date de mise à disposition", "date mise à disposition", "date",
            "date de mise a disposition", "mise à disposition le", "date orientation"),
            libelle="date de mise à disposition"),
        _INSEE,
        Colonne("categorie", ENUM, True, ("catégorie", "categorie", "type", "type de mad",
                                          "nature", "type mise à disposition"),
                valeurs=CATEGORIES, libelle="catégorie"),
        Colonne("reservataire_code", TEXTE, False, ("contingent", "réservataire",
                                                   "code réservataire", "code contingent",
                                                   "réservataire code"),
                libelle="réservataire"),
        Colonne("rpls", CODE, False, ("n° rpls", "num rpls", "rpls", "numéro rpls",
                                      "identifiant rpls", "code rpls"), libelle="numéro RPLS"),
        Colonne("qpv", BOOLEEN, False, ("qpv", "en qpv", "quartier prioritaire"), libelle="QPV"),
        Colonne("typologie", ENUM, False, ("typologie", "type de logement", "type logement",
                                           "nombre de pièces", "taille"),
                valeurs=TYPOLOGIES, libelle="typologie"),
        Colonne("financement", ENUM, False, ("financement", "type de financement",
                                             "financement initial", "produit"),
                valeurs=FINANCEMENTS, libelle="financement"),
        Colonne("annee_construction", ENTIER, False, ("année de construction",
                                                      "année construction",
                                                      "date de construction",
                                                      "année de mise en service"),
                minimum=1800, maximum=2100, libelle="année de construction"),
        Colonne("issue", ENUM, False, ("issue", "résultat", "suite donnée", "statut", "décision",
                                       "issue de la mad"),
                valeurs=ISSUES, defaut="EN_COURS", libelle="issue"),
        Colonne("date_bail", DATE, False, ("date du bail", "date de bail", "date bail",
                                           "date signature bail", "date d'effet du bail",
                                           "date entrée"), libelle="date du bail"),
        Colonne("candidat_bailleur", BOOLEEN, False, ("candidat bailleur",
                                                      "candidat trouvé par le bailleur"),
                libelle="candidat bailleur"),
        Colonne("public_prioritaire", BOOLEEN, False, ("public prioritaire", "prioritaire",
                                                       "dalo", "ménage prioritaire"),
                libelle="public prioritaire"),
    ),
    "mises à disposition",
)

DOCUMENTS_EPCI = Jeu(
    "documents_epci",
    (
        Colonne("epci_siren", SIREN, True, ("siren epci", "siren", "epci", "code epci",
                                            "epci siren"), libelle="SIREN de l'EPCI"),
        Colonne("document", ENUM, True, ("document", "type de document", "outil"),
                valeurs=DOCUMENTS, libelle="document"),
        Colonne("statut", ENUM, True, ("statut", "état", "avancement"),
                valeurs=STATUTS_DOCUMENT, libelle="statut"),
        Colonne("date_document", DATE, False, ("date", "date du document", "date d'adoption",
                                               "date statut", "date de délibération"),
                libelle="date"),
    ),
    "documents des EPCI",
)

# The official DGCL file "composition communale des EPCI à fiscalité propre".
COMMUNES = Jeu(
    "communes",
    (
        Colonne("epci_siren", SIREN, True, ("siren", "siren epci", "siren_epci", "epci"),
                libelle="SIREN de l'EPCI"),
        Colonne("epci_nom", TEXTE, True, ("raison sociale", "raison_sociale", "nom", "nom epci",
                                          "nom_epci", "libellé epci"), libelle="nom de l'EPCI"),
        Colonne("epci_nature", TEXTE, False, ("nature", "nature juridique", "nature_juridique",
                                              "nature epci"), libelle="nature de l'EPCI"),
        Colonne("code_insee", CODE_INSEE, True, ("insee", "code insee", "code commune",
                                                 "code_insee", "insee commune", "depcom"),
                libelle="code INSEE"),
        Colonne("nom_commune", TEXTE, True, ("nom_com", "nom commune", "nom membre", "nom_membre",
                                             "commune", "libellé commune"),
                libelle="nom de la commune"),
        Colonne("departement", DEPARTEMENT, False, ("dep_com", "département commune",
                                                    "dept commune", "département"),
                libelle="département"),
        Colonne("population", ENTIER, False, ("population", "pmun", "ptot", "pop", "pmun_2024",
                                              "ptot_2024", "pmun_2025", "ptot_2025", "pmun_2026",
                                              "ptot_2026", "population municipale"),
                minimum=0, maximum=10_000_000, libelle="population"),
    ),
    "communes et EPCI (fichier DGCL)",
)

JEUX: dict[str, Jeu] = {
    jeu.nom: jeu for jeu in (CONVENTIONS, PARC, MISES_A_DISPOSITION, COMMUNES, DOCUMENTS_EPCI)
}
