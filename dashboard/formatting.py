"""How figures are written: French for people (tables, pages), plain for machines (CSV, JSON).

For people (``nombre``, ``pourcentage``, ``date_fr``, ``formater_tableau``, ``table_texte``):
decimal comma; thousands separated by a NARROW NO-BREAK SPACE (U+202F), which is also the space
before ``%`` — the French typographic rule, and what CLDR's ``fr`` locale uses — so that a number
never breaks across lines; an undefined value (None, NaN, NaT) is an em dash ``—``, never ``nan``
nor 0.

For machines (``vers_machine``, ``vers_csv``, ``vers_json``): dot decimals, no thousands
separator; ratios as fractions rounded to 4 decimals; droits and other decimal figures rounded to
2 decimals; counts as integers; an undefined value left empty in CSV and ``null`` in JSON — never
0 and never NaN.

The kind of a column is known by its name (``FRACTIONS``, ``POURCENTS``, ``ENTIERS``; years and
quarters, ``ANNEES``, without thousands separator); any other
float column is a decimal figure, any other integer column a count.
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from dashboard import contrat

ESPACE_FINE = "\u202f"  # narrow no-break space: thousands separator and before '%'
VIDE = "—"  # em dash: an undefined value

# Ratios stored as fractions (0.123 = 12,3 %).
FRACTIONS = frozenset({
    *contrat.du_genre(contrat.FRACTION),
    "taux_rotation",
    "taux_signature",
    "taux_signature_pondere",
    "part",
    "part_au_dessus_50",
    "part_au_dessus_75",
    "part_adoptes",
    "retard_relatif",
    "part_flux",
    "taux_projete",
    "cible_prioritaires",
})
# Rates stored as percentages 0–100 (the conventions' taux_flux).
POURCENTS = frozenset({"taux_flux", "taux_effectif"})
# Whole counts.
ENTIERS = frozenset({
    *contrat.du_genre(contrat.COMPTE),
    "parc_eligible",
    "mutations_prevues",
    "relogements_prevus",
    "nombre",
    "trimestre",
    "annee",
})
# Whole numbers that name a year or a quarter: never a thousands separator ("2025", not
# "2 025"), for people as in the workbooks (Excel format "0").
ANNEES = frozenset({"annee", "trimestre", "annee_construction"})

# French column headings for people.
EN_TETES: dict[str, str] = {
    **contrat.libelles(),   # the bilan's and the hors flux's columns (dashboard/contrat.py)
    "cible_prioritaires": "Objectif publics prioritaires",
    "objectif": "Objectif",
    "libelle_type": "Type",
    "contingent": "Contingent",
    "libelle_contingent": "Baux signés de",
    "niveau": "Niveau",
    "controle": "Contrôle",
    "bailleur_code": "Bailleur",
    "bailleur_nom": "Nom du bailleur",
    "reservataire_code": "Réservataire",
    "reservataire_nom": "Nom du réservataire",
    "departement": "Département",
    "trimestre": "Trimestre",
    "message": "Anomalie",
    "date_signature": "Date de signature",
    "parc_total": "Parc total",
    "logements_exclus": "Logements exclus",
    "parc_eligible": "Parc éligible",
    "base": "Base (libérations)",
    "mutations_prevues": "Mutations prévues",
    "relogements_prevus": "Relogements prévus",
    "taux_rotation": "Taux de rotation",
    "conventions": "Conventions",
    "signees": "Signées",
    "taux_signature": "Taux de signature",
    "droits_signes": "Droits signés",
    "taux_signature_pondere": "Taux de signature pondéré",
    "motif_non_signature": "Motif de non-signature",
    "statut": "Statut",
    "type_reservataire": "Type de réservataire",
    "epci": "EPCI",
    "nombre": "Nombre",
    "part": "Part",
    "etape": "Étape",
    "dernier_import": "Dernier import",
    "derniere_mad": "Dernière mise à disposition",
    "trimestres_sans_mad": "Trimestres sans MAD",
    "annee": "Année",
    # the yearly bilan owed to each réservataire
    "proposes": "Logements proposés",
    "attribues": "Logements attribués",
    "baux_signes_date_bail": "Baux signés dans l'année (date du bail)",
    "modalite": "Code",
    # orientation of a freed dwelling, projection to 31/12, droits acquis
    "rang": "Rang",
    "retard": "Retard",
    "retard_relatif": "Retard relatif",
    "motif": "Motif",
    "part_flux": "Part du flux",
    "reste_a_mettre_a_disposition": "Reste à mettre à disposition",
    "projection_31_12": "Projection au 31/12",
    "ecart_projete": "Écart projeté",
    "taux_projete": "Taux projeté",
    "perimetre_type": "Type de périmètre",
    "perimetre_code": "Code du périmètre",
    "source": "Source des droits",
    "programme": "Programme",
    "droits_de_suite": "Droits de suite",
    "droits_uniques": "Droits uniques par an",
    # conventions: method and rate (DOMAIN §3.1)
    "methode": "Méthode",
    "taux_flux": "Taux de flux",
    "mode_gestion": "Mode de gestion",
    # freshness of each bailleur's data (Accueil)
    "mad_annee": "MAD de l'année",
    # signatures over time, EPCI documents (Signatures des conventions)
    "signees_cumulees": "Signées (cumul)",
    "signees_jour": "Signées ce jour",
    "jour_relatif": "Jours depuis le 1er janvier",
    "departement_libelle": "Département",
    "document": "Document",
    "nb_epci": "Nombre d'EPCI",
    "adoptes": "Adoptés",
    "en_cours": "En cours",
    "non_engages": "Non engagés",
    "part_adoptes": "Part adoptée",
    "epci_nom": "EPCI",
    "documents_manquants": "Documents manquants",
    # the columns of the imported datasets (DOMAIN §3), as the import's preview shows them
    "ligne": "Ligne",
    "reference": "Référence",
    "date_mise_a_disposition": "Date de mise à disposition",
    "code_insee": "Code INSEE",
    "commune": "Commune",
    "categorie": "Catégorie",
    "rpls": "Numéro RPLS",
    "qpv": "QPV",
    "typologie": "Typologie",
    "financement": "Financement",
    "annee_construction": "Année de construction",
    "issue": "Issue",
    "date_bail": "Date du bail",
    "candidat_bailleur": "Candidat bailleur",
    "public_prioritaire": "Public prioritaire",
    "reservataire_valeur": "Réservataire (tel qu'écrit)",
    "liberations": "Libérations",
    "epci_siren": "SIREN de l'EPCI",
    "epci_nature": "Nature de l'EPCI",
    "nom_commune": "Commune",
    "population": "Population",
    "date_document": "Date du document",
    "nom": "Nom",
}


def en_tete(colonne: str) -> str:
    """The French heading of a column. A column not listed keeps its name, underscores as
    spaces and only its first letter raised (``QPV / hors QPV`` stays so, never
    ``Qpv / hors qpv``)."""
    titre = EN_TETES.get(colonne)
    if titre:
        return titre
    texte = str(colonne).replace("_", " ")
    return texte[:1].upper() + texte[1:]


def est_indefini(valeur) -> bool:
    """None, NaN, pd.NA, NaT."""
    if valeur is None or valeur is pd.NA or valeur is pd.NaT:
        return True
    if isinstance(valeur, float) and math.isnan(valeur):
        return True
    try:
        return bool(pd.isna(valeur))
    except (TypeError, ValueError):
        return False


def nombre(valeur, decimales: int = 0, vide: str = VIDE) -> str:
    """``nombre(1234.5, decimales=1)`` → ``"1 234,5"`` (U+202F between thousands)."""
    if est_indefini(valeur):
        return vide
    texte = f"{float(valeur):,.{decimales}f}"
    if texte.lstrip("-").strip("0.,") == "":  # no "-0,0"
        texte = texte.lstrip("-")
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


def accord(valeur, singulier: str, pluriel: str | None = None, decimales: int = 0) -> str:
    """The number in French followed by its noun, agreed the French way: singular below 2 as
    written (``0 jour``, ``1 jour``, ``1,6 droit prévu``), plural from 2 (``2,0 logements``).

    ``pluriel`` defaults to ``singulier`` + ``s``; an undefined value is ``— `` + the plural."""
    pluriel = pluriel or singulier + "s"
    if est_indefini(valeur):
        return f"{VIDE} {pluriel}"
    nom = pluriel if abs(round(float(valeur), decimales)) >= 2 else singulier
    return f"{nombre(valeur, decimales)} {nom}"


def pourcentage(fraction, decimales: int = 1, vide: str = VIDE) -> str:
    """``pourcentage(0.123)`` → ``"12,3 %"`` (a fraction in, U+202F before the sign)."""
    if est_indefini(fraction):
        return vide
    return f"{nombre(float(fraction) * 100, decimales)}{ESPACE_FINE}%"


def date_fr(valeur, vide: str = VIDE) -> str:
    """``date_fr(date(2025, 6, 30))`` → ``"30/06/2025"`` (also accepts ISO text)."""
    if est_indefini(valeur):
        return vide
    if isinstance(valeur, str):
        valeur = date.fromisoformat(valeur[:10])
    if isinstance(valeur, (datetime, pd.Timestamp)):
        valeur = valeur.date()
    if isinstance(valeur, np.datetime64):
        valeur = pd.Timestamp(valeur).date()
    return valeur.strftime("%d/%m/%Y")


_GENRES_DTYPE = {"b": "texte", "i": "entier", "u": "entier", "f": "decimal", "M": "date"}


def genre(colonne: str, serie: pd.Series) -> str:
    """``fraction``, ``pourcent``, ``entier``, ``decimal``, ``date`` or ``texte``."""
    if colonne in FRACTIONS:
        return "fraction"
    if colonne in POURCENTS:
        return "pourcent"
    if colonne in ENTIERS:
        return "entier"
    # by the dtype's kind (numpy and pandas' nullable dtypes alike): b bool, i/u integers,
    # f floats, M datetimes (naive or not); the others are text unless they hold dates
    genre_dtype = _GENRES_DTYPE.get(getattr(serie.dtype, "kind", "O"))
    if genre_dtype:
        return genre_dtype
    if serie.dtype == object:
        # the first 20 defined values (a plain loop: dropna costs more on the small tables of
        # the exports, written by the hundred)
        premiers = []
        for v in serie.tolist():
            if not est_indefini(v):
                premiers.append(v)
                if len(premiers) == 20:
                    break
        if premiers and all(isinstance(v, date) for v in premiers):
            return "date"
    return "texte"


def oui_non(valeur) -> str:
    """``True`` → ``"Oui"``, ``False`` → ``"Non"`` (never the English ``True``)."""
    return "Oui" if valeur else "Non"


def formater_tableau(df: pd.DataFrame, decimales: int = 1, en_tetes: bool = False) -> pd.DataFrame:
    """A copy of ``df`` with every cell as French text for display.

    Fractions as percentages, taux 0–100 as percentages, decimal figures with ``decimales``
    decimals, counts without decimals, dates ``dd/mm/yyyy``, booleans ``Oui`` / ``Non``;
    undefined cells as ``—``. With
    ``en_tetes``, columns are renamed to their French headings (``EN_TETES``).
    """
    sortie = pd.DataFrame(index=df.index)
    for col in df.columns:
        serie = df[col]
        g = genre(col, serie)
        if g == "fraction":
            valeurs = [pourcentage(v) for v in serie]
        elif g == "pourcent":
            valeurs = [pourcentage(None if est_indefini(v) else float(v) / 100) for v in serie]
        elif g == "entier" and col in ANNEES:
            valeurs = [VIDE if est_indefini(v) else str(int(v)) for v in serie]
        elif g == "entier":
            valeurs = [nombre(v, 0) for v in serie]
        elif g == "decimal":
            valeurs = [nombre(v, decimales) for v in serie]
        elif g == "date":
            valeurs = [date_fr(v) for v in serie]
        else:
            valeurs = [VIDE if est_indefini(v) else oui_non(v) if isinstance(v, (bool, np.bool_))
                       else str(v) for v in serie]
        sortie[col] = pd.Series(valeurs, index=df.index, dtype=object)
    if en_tetes:
        sortie = sortie.rename(columns=en_tete)
    return sortie


def table_texte(df: pd.DataFrame, decimales: int = 1, total: pd.DataFrame | None = None) -> str:
    """A plain-text table for the terminal: French headings and figures, numbers right-aligned.

    ``total``: optional rows (same columns) printed under a rule at the bottom.
    """
    corps = formater_tableau(df, decimales)
    pied = formater_tableau(total, decimales) if total is not None and len(total) else None
    colonnes = list(df.columns)
    a_droite = {c: genre(c, df[c]) not in ("texte", "date") for c in colonnes}
    en_tetes = [EN_TETES.get(c, c) for c in colonnes]
    lignes = corps.values.tolist() + (pied.values.tolist() if pied is not None else [])
    largeurs = [
        max([len(en_tetes[i])] + [len(str(ligne[i])) for ligne in lignes])
        for i in range(len(colonnes))
    ]

    def rendre(cellules) -> str:
        parts = []
        for i, cellule in enumerate(cellules):
            texte = str(cellule)
            parts.append(
                texte.rjust(largeurs[i]) if a_droite[colonnes[i]] else texte.ljust(largeurs[i])
            )
        return "  ".join(parts).rstrip()

    sortie = [rendre(en_tetes), "  ".join("-" * w for w in largeurs)]
    sortie += [rendre(ligne) for ligne in corps.values.tolist()]
    if pied is not None:
        sortie.append("  ".join("-" * w for w in largeurs))
        sortie += [rendre(ligne) for ligne in pied.values.tolist()]
    return "\n".join(sortie)


# --- machines --------------------------------------------------------------------------------


def _arrondi(valeur, decimales: int):
    if est_indefini(valeur):
        return None
    # DuckDB sums floating-point values in parallel, in no fixed order: the last bits of a sum
    # can differ from one run to the next. Rounding first to 9 decimals wipes that noise, so
    # that a value on a rounding edge (1185.275) always prints the same.
    arrondi = round(round(float(valeur), 9), decimales)
    return arrondi + 0.0  # no -0.0


def vers_machine(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` ready for CSV/JSON: fractions rounded to 4 decimals, other decimal figures
    to 2, counts as nullable integers, dates as ISO text, undefined values as None/NA."""
    sortie = pd.DataFrame(index=df.index)
    for col in df.columns:
        serie = df[col]
        g = genre(col, serie)
        if g == "fraction":
            sortie[col] = pd.Series([_arrondi(v, 4) for v in serie], index=df.index, dtype=object)
        elif g in ("decimal", "pourcent"):
            sortie[col] = pd.Series([_arrondi(v, 2) for v in serie], index=df.index, dtype=object)
        elif g == "entier":
            sortie[col] = pd.Series(
                [None if est_indefini(v) else int(v) for v in serie], index=df.index, dtype=object
            )
        elif g == "date":
            sortie[col] = pd.Series(
                [None if est_indefini(v) else pd.Timestamp(v).date().isoformat() for v in serie],
                index=df.index, dtype=object,
            )
        else:
            sortie[col] = pd.Series(
                [None if est_indefini(v) else (bool(v) if isinstance(v, (bool, np.bool_))
                                               else str(v)) for v in serie],
                index=df.index, dtype=object,
            )
    return sortie


def _texte_csv(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, float):
        texte = repr(valeur)
        if "e" in texte or "E" in texte:  # never scientific notation
            texte = f"{valeur:.6f}".rstrip("0").rstrip(".")
        return texte
    return str(valeur)


def vers_csv(df: pd.DataFrame) -> str:
    """CSV (comma-separated, header row, ``\\n`` line ends) with the machine rules."""
    machine = vers_machine(df)
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    ecrivain.writerow(list(machine.columns))
    for ligne in machine.itertuples(index=False, name=None):
        ecrivain.writerow([_texte_csv(v) for v in ligne])
    return tampon.getvalue()


def vers_json(df: pd.DataFrame) -> str:
    """A JSON array of objects (one per row, keys in column order) with the machine rules."""
    machine = vers_machine(df)
    lignes = [dict(zip(machine.columns, ligne)) for ligne in machine.itertuples(index=False,
                                                                              name=None)]
    return json.dumps(lignes, ensure_ascii=False, indent=2)
