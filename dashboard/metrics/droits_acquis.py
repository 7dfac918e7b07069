"""Conversion of droits acquis into droits uniques per year (DOMAIN §4.2, Action Logement).

A réservataire that financed programmes holds "droits de suite" there: a number of dwellings it
used to reserve in stock. En flux, they become droits uniques per year:

    droits_uniques(programme) = droits_de_suite(programme) × taux_rotation
    droits_annuels            = Σ droits_uniques over the programmes

where ``taux_rotation`` is the bailleur's departmental rotation rate, a fraction, as the engine
computes it (``int_flux_perimetres``, DOMAIN §4.1: base ÷ parc éligible of the département's parc
rows of that year). Figures are kept with their decimals (no rounding: the convention states the
figure agreed; the pages show one decimal).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import duckdb
import pandas as pd

from dashboard.formatting import est_indefini
from dashboard.metrics.filtres import Filtres
from dashboard.metrics.indicateurs import droits_conventions, flux_annuel

COLONNES_CONVERSION = ("programme", "droits_de_suite", "taux_rotation", "droits_uniques")
# A line "name number" without ";" nor tab: the whole trailing number, French thousands groups
# (separated by a space, a no-break space or a narrow no-break space) included.
_NOM_PUIS_NOMBRE = re.compile(
    r"^(.*?)\s+(\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*$")


def taux_rotation_departemental(con: duckdb.DuckDBPyConnection, bailleur: str, departement: str,
                                annee: int) -> float | None:
    """The bailleur's rotation rate in the département for ``annee`` (a fraction; None when its
    parc there is unknown or empty)."""
    df = flux_annuel(con, annee, "DEPARTEMENT",
                     Filtres(bailleur=(bailleur,), departement=(departement,)))
    df = df[df["perimetre_code"] == departement]
    if df.empty or est_indefini(df.iloc[0]["taux_rotation"]):
        return None
    return float(df.iloc[0]["taux_rotation"])


def conventions_droits_acquis(con: duckdb.DuckDBPyConnection, bailleur: str,
                              annee: int) -> pd.DataFrame:
    """The bailleur's conventions of ``annee`` under the droits acquis method, with the droits
    annuels they state (to compare with a conversion)."""
    df = droits_conventions(con, annee, Filtres(bailleur=(bailleur,)))
    return df[df["methode"] == "DROITS_ACQUIS"].reset_index(drop=True)


def _nombre(texte) -> float | None:
    """A number from a cell: int/float, or text with a decimal comma or point; None if empty."""
    if est_indefini(texte):
        return None
    if isinstance(texte, bool):
        raise ValueError
    if isinstance(texte, (int, float)):
        return float(texte)
    brut = str(texte).strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not brut:
        return None
    return float(brut.replace(",", "."))


def lire_pourcentage(texte) -> float:
    """A rate typed in percent (``6,8`` or ``6.8``, an optional ``%``) as a fraction (0.068);
    ValueError (French) when it is not a number between 0 and 100."""
    brut = "" if est_indefini(texte) else str(texte).replace("%", "").strip()
    try:
        valeur = _nombre(brut)
    except ValueError:
        valeur = None
    if valeur is None or math.isnan(valeur) or not 0 <= valeur <= 100:
        raise ValueError(f"taux de rotation invalide : « {texte} » (attendu : un pourcentage "
                         "entre 0 et 100, par exemple 8 ou 6,8)")
    return valeur / 100


def convertir(programmes: pd.DataFrame | Iterable[Mapping], taux_rotation) -> pd.DataFrame:
    """Droits uniques per year of each programme (``programme``, ``droits_de_suite``), at
    ``taux_rotation`` (a fraction between 0 and 1).

    Returns ``COLONNES_CONVERSION``, one row per programme (rows with neither a name nor droits
    are skipped). Raises ValueError with a French message naming the line (a row's ``ligne``
    when given, as ``lire_programmes`` does, else 1 = the first programme), the column, the value
    and what was expected.
    """
    try:
        taux = _nombre(taux_rotation)
    except ValueError:
        taux = math.nan
    if taux is None or math.isnan(taux) or not 0 <= taux <= 1:
        raise ValueError(f"taux de rotation invalide : « {taux_rotation} » (attendu : une "
                         "fraction entre 0 et 1, par exemple 0,08 pour 8 %)")
    lignes = (programmes.to_dict("records") if isinstance(programmes, pd.DataFrame)
              else [dict(p) for p in programmes])
    sortie = []
    erreurs = []
    for i, ligne in enumerate(lignes, start=1):
        i = int(ligne.get("ligne") or i)  # the text's own line number (lire_programmes)
        nom = ligne.get("programme")
        nom = "" if est_indefini(nom) else str(nom).strip()
        brut = ligne.get("droits_de_suite")
        try:
            droits = _nombre(brut)
            if droits is not None and (math.isnan(droits) or droits < 0):
                raise ValueError
        except ValueError:
            erreurs.append(f"ligne {i}, colonne « droits de suite », valeur « {brut} » : "
                           "un nombre positif ou nul est attendu")
            continue
        if droits is None:
            if nom:
                erreurs.append(f"ligne {i}, colonne « droits de suite », valeur vide : le "
                               f"nombre de droits de suite du programme « {nom} » est attendu")
            continue
        sortie.append({"programme": nom or f"Programme {i}", "droits_de_suite": droits,
                       "taux_rotation": taux, "droits_uniques": droits * taux})
    if erreurs:
        raise ValueError("droits de suite invalides : " + " ; ".join(erreurs))
    df = pd.DataFrame(sortie, columns=list(COLONNES_CONVERSION))
    for col in ("droits_de_suite", "taux_rotation", "droits_uniques"):
        df[col] = df[col].astype("float64")
    df["programme"] = df["programme"].astype(object)
    return df


def lire_programmes(texte: str) -> list[dict]:
    """Programmes typed or pasted as text, one per line: ``name ; droits de suite`` (``;``, tab —
    a paste from a spreadsheet — or a space separates them; decimal comma accepted).
    Blank lines are skipped.

    Without ``;`` nor tab, the droits are the whole number ending the line, written the French
    way: groups of exactly three digits after a space (regular, no-break or narrow no-break)
    following one to three digits are thousands groups. So « Les Oliviers 1 200 » is the
    programme « Les Oliviers » with 1 200 droits (not « Les Oliviers 1 » with 200), while
    « Résidence A 45 » is « Résidence A » with 45 and « Bâtiment 12 3 » is « Bâtiment 12 » with
    3; a programme whose name ends with a number is written with « ; » (« Les Oliviers 1 ;
    200 »). Raises ValueError (French, naming the line, the column and the
    value) for a line without a number; the numbers themselves are checked by ``convertir``."""
    programmes = []
    erreurs = []
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        if not ligne.strip():
            continue
        for separateur in (";", "\t"):
            if separateur in ligne:
                nom, _, valeur = ligne.rpartition(separateur)
                break
        else:
            trouve = _NOM_PUIS_NOMBRE.match(ligne.strip())
            if trouve:
                nom, valeur = trouve.groups()
            else:       # no trailing number: the last word, for the error message
                nom, _, valeur = ligne.strip().rpartition(" ")
        nom, valeur = nom.strip(), valeur.strip()
        try:
            _nombre(valeur)
        except ValueError:
            erreurs.append(f"ligne {numero}, colonne « droits de suite », valeur « {valeur} » : "
                           "un nombre est attendu après le nom du programme (ex. « Les "
                           "Oliviers ; 40 »)")
            continue
        programmes.append({"programme": nom, "droits_de_suite": valeur, "ligne": numero})
    if erreurs:
        raise ValueError("programmes illisibles : " + " ; ".join(erreurs))
    return programmes
