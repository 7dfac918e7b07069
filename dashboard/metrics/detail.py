"""The rows behind a figure of the bilan (issue 13): which mises à disposition it counts.

A réservataire told it received 87 % of its droits asks « which dwellings? ». ``detail`` lists,
one row per MAD, exactly those the bilan's ``mises_a_disposition`` counts for one key of one axis
— same year, quarter, view, period and filters as ``bilan`` — so that the number of rows always
equals the figure. The rules (which MAD count, in which window, against which convention, under
which key on each axis) are read from the bilan's own models: see ``mart_detail_mad.sql``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import AXES, valider
from dashboard.metrics.libelles import LIBELLE_NON_RENSEIGNE, NON_RENSEIGNE, libelles

# The contract's columns, in order (scripts rely on it), then the others.
COLONNES_DETAIL = (
    "reference",
    "bailleur_code",
    "date_mise_a_disposition",
    "code_insee",
    "reservataire_code",
    "categorie",
    "issue",
    "date_bail",
    "convention",
)
COLONNES_DETAIL_SUPPLEMENTAIRES = (
    "bailleur_nom",
    "commune_nom",
    "epci_siren",  # empty when the commune has no known EPCI (the « non ventilé » row)
    "epci_nom",
    "departement",  # the bilan's: the convention's, or the commune's without convention
    "reservataire_nom",
    "reservataire_valeur",  # the réservataire as the bailleur's file wrote it
    "type_reservataire",
    "statut_convention",  # SIGNEE, EN_COURS, NON_SIGNEE or SANS_CONVENTION
    "convention_perimetre_type",
    "convention_perimetre_code",
    "typologie",
    "financement",
    "qpv",
    "public_prioritaire",
    "rpls",
    "annee_construction",
    "candidat_bailleur",
    "trimestre_compte",  # the quarter the MAD is counted in (of its date in the view)
)
_DATES = ("date_mise_a_disposition", "date_bail")
_BOOLEENS = ("qpv", "public_prioritaire", "candidat_bailleur")
_ENTIERS = ("annee_construction", "trimestre_compte")


def valider_detail(annee: int, trimestre: int, par: str | None, cle: str | None,
                   vue: str = "mad", periode: str = "cumul") -> None:
    """Raise ValueError (French message) for arguments outside the contract."""
    valider(annee, trimestre, par, AXES, vue, periode)
    if (par is None) != (cle is None):
        raise ValueError("un axe (par) et une clé (cle) vont ensemble : donnez les deux, ou "
                         "aucun pour toute la sélection")


def _typer(df: pd.DataFrame) -> pd.DataFrame:
    for col in _DATES:
        df[col] = pd.to_datetime(df[col])
    for col in _BOOLEENS:
        df[col] = df[col].astype("boolean")
    for col in _ENTIERS:
        df[col] = df[col].astype("Int64")
    for col in COLONNES_DETAIL + COLONNES_DETAIL_SUPPLEMENTAIRES:
        if col not in _DATES + _BOOLEENS + _ENTIERS:
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def detail(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str | None = None,
    cle: str | None = None,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The MAD counted in the bilan's ``mises_a_disposition`` for key ``cle`` of axis ``par``
    (the whole selection when both are None), one row each.

    Same arguments as ``bilan``: ``vue`` ``"mad"`` (MAD of categorie FLUX dated in the window)
    or ``"baux"`` (BAIL_SIGNE by date_bail in the window); ``periode`` ``"cumul"`` (1 January →
    end of the quarter) or ``"trimestre"`` (that quarter alone; no effect on the axis
    ``trimestre``, whose keys are ``2025-T1``…); ``filtres`` as the bilan applies them. MAD
    without convention count on every axis (``convention`` = « sans convention »). An unknown
    key gives no rows.

    Columns: ``COLONNES_DETAIL`` then ``COLONNES_DETAIL_SUPPLEMENTAIRES``; dates as datetime64
    (NaT when missing), flags as nullable booleans, missing texts None. Rows by the date the view
    counts (date of MAD, or date of the bail), then bailleur and reference.
    """
    valider_detail(annee, trimestre, par, cle, vue, periode)
    df = modeles.executer(
        con,
        "mart_detail_mad",
        parametres(annee, filtres, trimestre=int(trimestre), par=par or "",
                   cle="" if cle is None else str(cle), vue=vue, periode=periode),
        sql_final=(
            "SELECT * FROM mart_detail_mad ORDER BY "
            "CASE WHEN $vue = 'baux' THEN date_bail ELSE date_mise_a_disposition END, "
            "date_mise_a_disposition, bailleur_code, reference"
        ),
    )
    df = df[list(COLONNES_DETAIL + COLONNES_DETAIL_SUPPLEMENTAIRES)]
    df.loc[df["reservataire_code"] == NON_RENSEIGNE, "reservataire_nom"] = LIBELLE_NON_RENSEIGNE
    return _typer(df.reset_index(drop=True))


def libelle_cle(con: duckdb.DuckDBPyConnection, par: str, cle: str) -> str:
    """The label of key ``cle`` of axis ``par``, as the bilan's rows name it (``Préfet des
    Bouches-du-Rhône``, ``Non ventilé``, ``T2 2025``…; the code when nothing names it)."""
    return libelles(con, par, [cle])[0]


# --- for people (the CLI's table, the page, its downloads) ---------------------------------------

# The columns people read, in the page's order, with their French headings.
EN_TETES_DETAIL = {
    "date_mise_a_disposition": "Date de mise à disposition",
    "bailleur": "Bailleur",
    "reference": "Référence",
    "commune": "Commune",
    "epci": "EPCI",
    "reservataire": "Réservataire",
    "reservataire_valeur": "Réservataire (tel qu'écrit)",
    "categorie": "Catégorie",
    "issue": "Issue",
    "date_bail": "Date du bail",
    "typologie": "Typologie",
    "financement": "Financement",
    "qpv": "QPV",
    "public_prioritaire": "Public prioritaire",
    "convention": "Convention",
}


def _oui_non(valeur) -> str | None:
    if valeur is None or valeur is pd.NA or (isinstance(valeur, float) and valeur != valeur):
        return None
    return "Oui" if bool(valeur) else "Non"


def _nom_et_code(nom, code) -> str | None:
    if code is None:
        return None
    return f"{nom} ({code})" if nom and nom != code else str(code)


def lisible(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``detail`` for people: the columns of ``EN_TETES_DETAIL`` (still under their
    codes; ``formatting.formater_tableau`` writes the dates), codes as their French labels and
    names with their codes (``Marseille (13055)``, ``Préfet des Bouches-du-Rhône (ETAT-13)``),
    flags as Oui / Non (None when not given), the EPCI of a commune without one « Non ventilé »."""
    from dashboard import vocabulaire as voc
    from dashboard.metrics.libelles import LIBELLE_NON_VENTILE

    sortie = pd.DataFrame(index=df.index)
    sortie["date_mise_a_disposition"] = df["date_mise_a_disposition"]
    sortie["bailleur"] = [_nom_et_code(n, c) for n, c in zip(df["bailleur_nom"],
                                                             df["bailleur_code"])]
    sortie["reference"] = df["reference"]
    sortie["commune"] = [_nom_et_code(n, c) for n, c in zip(df["commune_nom"], df["code_insee"])]
    sortie["epci"] = [n if n else (s if s else LIBELLE_NON_VENTILE)
                      for n, s in zip(df["epci_nom"], df["epci_siren"])]
    sortie["reservataire"] = [_nom_et_code(n, c) for n, c in zip(df["reservataire_nom"],
                                                                 df["reservataire_code"])]
    sortie["reservataire_valeur"] = df["reservataire_valeur"]
    sortie["categorie"] = [voc.CATEGORIES.get(c, c) for c in df["categorie"]]
    sortie["issue"] = [voc.ISSUES.get(c, c) for c in df["issue"]]
    sortie["date_bail"] = df["date_bail"]
    sortie["typologie"] = [None if c is None else voc.TYPOLOGIES.get(c, c)
                           for c in df["typologie"]]
    sortie["financement"] = [None if c is None else voc.FINANCEMENTS.get(c, c)
                             for c in df["financement"]]
    sortie["qpv"] = [_oui_non(v) for v in df["qpv"]]
    sortie["public_prioritaire"] = [_oui_non(v) for v in df["public_prioritaire"]]
    sortie["convention"] = df["convention"]
    for col in sortie.columns:
        if col not in _DATES:
            sortie[col] = sortie[col].astype(object)
    return sortie.reset_index(drop=True)


NOMS_AXES_DETAIL = {
    "reservataire": "Réservataire",
    "type_reservataire": "Type de réservataire",
    "bailleur": "Bailleur",
    "departement": "Département",
    "epci": "EPCI",
    "trimestre": "Trimestre",
}


def intitule(par: str | None, cle: str | None, libelle: str | None = None) -> str:
    """Which figure, in French: ``Réservataire Préfet des Bouches-du-Rhône (ETAT-13)``,
    ``EPCI Non ventilé``, ``Trimestre T2 2025``, ``Toute la sélection`` without an axis."""
    if par is None:
        return "Toute la sélection"
    from dashboard.metrics.libelles import NON_VENTILE

    nom = libelle if libelle is not None else cle
    avec_code = (nom != cle and cle not in (NON_VENTILE, NON_RENSEIGNE)
                 and par in ("reservataire", "bailleur", "departement", "epci"))
    texte = f"{nom} ({cle})" if avec_code else str(nom)
    return f"{NOMS_AXES_DETAIL[par]} {texte}"


def fenetre(annee: int, trimestre: int, periode: str = "cumul", par: str | None = None,
            cle: str | None = None) -> str:
    """The window the figure counts: ``au 30/06/2025`` (year-to-date), ``T2 2025 (du 01/04/2025
    au 30/06/2025)``; on the axis 'trimestre', the dates of the key's own quarter."""
    from dashboard.calendrier import debut_trimestre, fin_trimestre
    from dashboard.formatting import date_fr

    if par == "trimestre" and cle:
        # the heading already names the quarter (« Trimestre T1 2025 »): its dates only
        _, _, q = str(cle).partition("-T")
        if q in ("1", "2", "3", "4"):
            return (f"du {date_fr(debut_trimestre(annee, int(q)))} au "
                    f"{date_fr(fin_trimestre(annee, int(q)))}")
    if periode == "trimestre":
        return (f"T{trimestre} {annee} (du {date_fr(debut_trimestre(annee, trimestre))} au "
                f"{date_fr(fin_trimestre(annee, trimestre))})")
    return f"au {date_fr(fin_trimestre(annee, trimestre))}"


def decompte(nombre_lignes: int, vue: str = "mad") -> str:
    """``1 234 mises à disposition``, or in the view 'baux' ``12 baux signés (par date de
    bail)``."""
    from dashboard.formatting import accord

    if vue == "baux":
        return accord(nombre_lignes, "bail signé", "baux signés") + " (par date de bail)"
    return accord(nombre_lignes, "mise à disposition", "mises à disposition")


def titre_detail(par: str | None, cle: str | None, libelle: str | None, annee: int,
                 trimestre: int, nombre_lignes: int, vue: str = "mad",
                 periode: str = "cumul") -> str:
    """« Réservataire Préfet des Bouches-du-Rhône (ETAT-13) — au 30/06/2025 — 1 234 mises à
    disposition »: the heading of the rows behind a figure (page and command line)."""
    return " — ".join([intitule(par, cle, libelle), fenetre(annee, trimestre, periode, par, cle),
                       decompte(nombre_lignes, vue)])
