"""Controls (DOMAIN §4.7): every anomaly, with its bailleur, réservataire, département and a
French sentence. The rules are in mart_controles.sql; this module words them."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.formatting import accord, est_indefini, nombre
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres
from dashboard.metrics.indicateurs import valider
from dashboard.metrics.libelles import (
    libelle_departement,
    libelle_type,
    noms_bailleurs,
    noms_epci,
    noms_reservataires,
)

# code → French title, in the order the anomalies are listed
CONTROLES: dict[str, str] = {
    "TAUX_FLUX_SUP_100": "Somme des taux de flux supérieure à 100 %",
    "ETAT_SUP_30": "Contingent de l'État (préfectoral et agents) supérieur à 30 %",
    "ETAT_AGENTS_SUP_5": "Contingent des agents de l'État supérieur à 5 %",
    "COLLECTIVITE_SUP_20": "Collectivité au-delà de 20 % du flux",
    "SIGNEE_SANS_DATE": "Convention signée sans date de signature",
    "MAD_SANS_CONVENTION": "Mises à disposition sans convention",
    "DROITS_ESTIMES": "Convention sans parc : droits estimés",
    "DROITS_INCONNUS": "Convention aux droits inconnus",
    "BAILLEUR_SANS_MAD": "Trimestre sans mise à disposition déclarée",
    "PRIORITAIRES_SOUS_25": "Moins de 25 % des baux signés aux publics prioritaires",
}
# The reservataire_nom of a PRIORITAIRES_SOUS_25 row about a bailleur's own non-reserved
# dwellings (no réservataire).
NOM_NON_RESERVE = "Logements non réservés du bailleur"
NIVEAUX = ("erreur", "avertissement")

COLONNES_CONTROLES = (
    "niveau",
    "controle",
    "annee",
    "bailleur_code",
    "bailleur_nom",
    "reservataire_code",
    "reservataire_nom",
    "departement",
    "trimestre",
    "perimetre_type",
    "perimetre_code",
    "valeur",
    "seuil",
    "nombre",
    "message",
)

_NBSP = "\u202f"


def _pct(valeur) -> str:
    return f"{nombre(valeur, 1)}{_NBSP}%"


def _nom(code, noms: dict) -> str:
    if code is None or pd.isna(code):
        return "réservataire non renseigné"
    nom = noms.get(code)
    return f"{nom} ({code})" if nom and nom != code else str(code)


def _noms_communes(con, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    cur = con.cursor()
    try:
        return dict(cur.execute(
            "SELECT code_insee, any_value(nom) FROM communes "
            "WHERE list_contains($codes, code_insee) GROUP BY code_insee",
            {"codes": codes},
        ).fetchall())
    finally:
        cur.close()


def _perimetre(ligne, epcis: dict, communes: dict) -> str:
    type_p, code = ligne["perimetre_type"], ligne["perimetre_code"]
    if type_p == "EPCI":
        return f" sur l'EPCI {_nom(code, epcis)}"
    if type_p == "COMMUNE":
        return f" sur la commune {_nom(code, communes)}"
    return ""


def _vide(valeurs) -> bool:
    """A missing list (NULL, read back as None or NaN) or an empty one."""
    return est_indefini(valeurs) or len(valeurs) == 0


def _et(noms: list[str]) -> str:
    """« 13 », « 13 et 84 », « 04, 13 et 84 »."""
    return noms[0] if len(noms) == 1 else ", ".join(noms[:-1]) + " et " + noms[-1]


def _message(ligne, annee: int, bailleurs: dict, reservataires: dict, epcis: dict,
             communes: dict) -> str:
    b = _nom(ligne["bailleur_code"], bailleurs)
    r = _nom(ligne["reservataire_code"], reservataires)
    dep = ligne["departement"]
    nom_dep = libelle_departement(dep) if dep is not None and not pd.isna(dep) else None
    if dep is None or pd.isna(dep):
        deps = ligne.get("departements")
        d = ("les départements " + _et([str(x) for x in deps])
             if not _vide(deps) and len(deps) > 1
             else "plusieurs départements")
    else:
        d = f"le département {dep} ({nom_dep})" if nom_dep != dep else f"le département {dep}"
    zone = _perimetre(ligne, epcis, communes)
    code = ligne["controle"]
    v = ligne["valeur"]
    if code == "TAUX_FLUX_SUP_100":
        return (f"La somme des taux de flux des conventions {annee} de {b} dans {d}{zone} "
                f"atteint {_pct(v)}, au-delà de 100{_NBSP}%.")
    if code == "ETAT_SUP_30":
        return (f"Les conventions {annee} de l'État (contingent préfectoral et agents) avec {b} "
                f"dans {d}{zone} totalisent {_pct(v)} du flux, au-delà du plafond de 30{_NBSP}%.")
    if code == "ETAT_AGENTS_SUP_5":
        return (f"Le contingent des agents civils et militaires de l'État chez {b} dans {d}{zone} "
                f"atteint {_pct(v)} du flux, au-delà du plafond de 5{_NBSP}%.")
    if code == "COLLECTIVITE_SUP_20":
        type_r = libelle_type(ligne.get("type_reservataire") or "")
        return (f"{r}{' — ' + type_r if type_r else ''} reçoit {_pct(v)} du flux de {b} dans "
                f"{d}{zone} ({annee}), au-delà de 20{_NBSP}% : à vérifier.")
    if code == "SIGNEE_SANS_DATE":
        return (f"La convention {annee} de {b} avec {r} dans {d}{zone} est signée mais n'a pas "
                f"de date de signature.")
    if code == "MAD_SANS_CONVENTION":
        n = int(ligne["nombre"])
        sujet = ("1 mise à disposition" if n == 1
                 else f"{nombre(n)} mises à disposition")
        verbe = "ne correspond" if n == 1 else "ne correspondent"
        exemples = f" (références : {ligne['exemples']}{'…' if n > 5 else ''})" if ligne[
            "exemples"] else ""
        leur = "sa" if n == 1 else "leur"
        return (f"{sujet} de {b} au titre de {r} dans {d} {verbe} à aucune convention {annee} "
                f"couvrant {leur} commune{exemples}.")
    if code == "DROITS_ESTIMES":
        return (f"Pas de parc {annee} de {b} pour la convention avec {r} dans {d}{zone} : les "
                f"droits annuels ({nombre(v, 1)}) sont l'estimation portée par la convention.")
    if code == "DROITS_INCONNUS":
        return (f"Droits annuels inconnus pour la convention {annee} de {b} avec {r} dans "
                f"{d}{zone} : ni parc pour les calculer, ni droits annuels dans la convention.")
    if code == "PRIORITAIRES_SOUS_25":
        baux, prio = int(ligne["nombre"]), int(ligne["nombre_prioritaires"])
        inconnus = int(ligne["nombre_inconnus"] or 0)
        ou = f" dans {d}" if d != "plusieurs départements" else ""
        if ligne["reservataire_code"] is None or pd.isna(ligne["reservataire_code"]):
            qui = f"Les logements non réservés de {b}{ou}"
        else:
            type_r = libelle_type(ligne.get("type_reservataire") or "")
            type_r = "" if type_r in r else type_r   # « Action Logement Services (ALS) »
            qui = f"Chez {b}{ou}, {r}{' — ' + type_r if type_r else ''}"
        detail = (f" ; {accord(inconnus, 'bail', 'baux')} sans l'information (public "
                  f"prioritaire non renseigné) {'compte' if inconnus < 2 else 'comptent'} parmi "
                  "les baux signés" if inconnus else "")
        return (f"{qui} : {prio} sur {accord(baux, 'bail signé', 'baux signés')} en {annee} "
                f"avec des publics prioritaires, soit {_pct(v)}, sous l'objectif de 25{_NBSP}% "
                f"(article L.441-1 du CCH){detail}.")
    if code == "BAILLEUR_SANS_MAD":
        return (f"{b} n'a déclaré aucune mise à disposition dans {d} au T{int(ligne['trimestre'])} "
                f"{annee}, alors qu'il a des conventions {annee} dans ce département.")
    return CONTROLES.get(code, code)


def controles(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int | None = None,
    filtres: Filtres | None = None,
    aujourd_hui: date | None = None,
) -> pd.DataFrame:
    """Every anomaly of ``annee`` (one row each), errors first.

    ``trimestre``: the quarters a bailleur should have reported are 1..trimestre; by default up
    to the latest quarter of ``annee`` in which any MAD is recorded; never a quarter that has not
    ended on ``aujourd_hui`` (default: today). Filters: département,
    bailleur, réservataire (a réservataire filter keeps only the rows naming one).
    Columns: ``COLONNES_CONTROLES``; ``valeur`` is a rate in percent (0–100) for the rate
    controls (PRIORITAIRES_SOUS_25: the share of baux signés to publics prioritaires) and the
    droits for DROITS_ESTIMES, ``nombre`` a count of MAD (PRIORITAIRES_SOUS_25: of baux signés).
    PRIORITAIRES_SOUS_25 applies at T4 only (quarter 4 due, see ``trimestre``); a row about a
    bailleur's own non-reserved dwellings has no réservataire code (``reservataire_nom`` says
    so), and its ``departement`` is empty when the baux span several départements.
    """
    valider(annee, trimestre)
    df = modeles.executer(
        con,
        "mart_controles",
        {
            "annee": int(annee),
            "trimestre_max": None if trimestre is None else int(trimestre),
            "aujourd_hui": aujourd_hui or date.today(),
        },
    )
    filtres = filtres or Filtres()
    if filtres.departement:
        # a row about baux in several départements is shown under each of them
        voulus = set(filtres.departement)
        df = df[df["departement"].isin(voulus) | df["departements"].map(
            lambda deps: not _vide(deps) and bool(voulus & set(deps)))]
    if filtres.bailleur:
        df = df[df["bailleur_code"].isin(filtres.bailleur)]
    if filtres.reservataire:
        df = df[df["reservataire_code"].isin(filtres.reservataire)]
    df = df.reset_index(drop=True)
    bailleurs = noms_bailleurs(con)
    reservataires = noms_reservataires(con)
    epcis = noms_epci(con)
    communes = _noms_communes(
        con, sorted(set(df.loc[df["perimetre_type"] == "COMMUNE", "perimetre_code"]))
    )
    types = _types_reservataires(con)
    df["type_reservataire"] = [types.get(c) for c in df["reservataire_code"]]
    df["annee"] = int(annee)
    df["bailleur_nom"] = [bailleurs.get(c) for c in df["bailleur_code"]]
    df["reservataire_nom"] = [
        (NOM_NON_RESERVE if controle == "PRIORITAIRES_SOUS_25" else None)
        if c is None or pd.isna(c) else reservataires.get(c)
        for c, controle in zip(df["reservataire_code"], df["controle"])
    ]
    df["message"] = [
        _message(ligne, int(annee), bailleurs, reservataires, epcis, communes)
        for ligne in df.to_dict("records")
    ]
    ordre_controles = list(CONTROLES)
    df["_n"] = df["niveau"].map(NIVEAUX.index)
    df["_c"] = df["controle"].map(ordre_controles.index)
    df = df.sort_values(
        ["_n", "_c", "bailleur_code", "departement", "reservataire_code", "trimestre",
         "perimetre_code"],
        na_position="first", kind="stable",
    )
    df["trimestre"] = df["trimestre"].astype("Int64")
    df["nombre"] = df["nombre"].astype("Int64")
    return df[list(COLONNES_CONTROLES)].reset_index(drop=True)


def _types_reservataires(con) -> dict[str, str]:
    df = modeles.executer(
        con, "int_reservataires", {},
        sql_final="SELECT reservataire_code, type_reservataire FROM int_reservataires",
    )
    return dict(zip(df["reservataire_code"], df["type_reservataire"]))

