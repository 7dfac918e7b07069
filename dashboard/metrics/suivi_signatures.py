"""Progress of the signature of the conventions (DOMAIN §4.6, issue 5) and of the EPCI documents.

Thin functions over the SQL models (see ``modeles``): the counts and rates are defined in
``mart_signatures`` (per axis), ``mart_seuils_bailleurs`` (bailleurs above 50 % / 75 %),
``mart_signatures_cumulees``, ``mart_non_signees``, ``int_documents_epci`` and
``mart_documents_departements``; the droits come from the droits model
(``int_droits_conventions``). The conventions are filtered by ``int_conventions_filtrees``.
Undefined values are NaN, never 0.

Grouping of the réservataire types (issue 5): the seven groups of the DREAL's follow-up —
État (``ETAT``), État agents (``ETAT_AGENTS``), Action Logement (``ACTION_LOGEMENT``), communes
(``COMMUNE``), EPCI (``EPCI``), départements (``DEPARTEMENT``), and « autres » (key ``AUTRES``):
the conseil régional (``REGION``) and the other réservataires (``AUTRE``) together. ``AUTRES`` is
a key of this grouping, not a type: to filter on it, filter on ``REGION`` and ``AUTRE``.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.metrics import modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.indicateurs import valider
from dashboard.metrics.libelles import libelles
from dashboard.metrics.typage import typer

AXES_SIGNATURES = ("type_reservataire", "departement", "bailleur")

# The 7 groups of issue 5, in reading order, and their labels.
AUTRES = "AUTRES"
GROUPES_TYPES: dict[str, str] = {
    "ETAT": vocabulaire.TYPES_RESERVATAIRE["ETAT"],
    "ETAT_AGENTS": vocabulaire.TYPES_RESERVATAIRE["ETAT_AGENTS"],
    "ACTION_LOGEMENT": vocabulaire.TYPES_RESERVATAIRE["ACTION_LOGEMENT"],
    "COMMUNE": "Communes",
    "EPCI": "EPCI",
    "DEPARTEMENT": "Conseils départementaux",
    AUTRES: "Autres (conseil régional, autres réservataires)",
}
TYPES_AUTRES = ("REGION", "AUTRE")

# The contract's columns, in order (issue 5), then the others.
COLONNES_SIGNATURES = (
    "cle",
    "libelle",
    "conventions",
    "signees",
    "taux_signature",
    "droits_annuels",
    "droits_signes",
    "taux_signature_pondere",
)
COLONNES_SIGNATURES_SUPPLEMENTAIRES = (
    "en_cours",  # conventions EN_COURS
    "non_signees",  # conventions NON_SIGNEE
    "conventions_droits_inconnus",  # conventions left out of the weighted figures
)
_ENTIERES = ("conventions", "signees", "en_cours", "non_signees", "conventions_droits_inconnus")
_DECIMALES = ("taux_signature", "droits_annuels", "droits_signes", "taux_signature_pondere")

COLONNES_REPARTITION = ("bailleur_code", "bailleur_nom", "conventions", "signees",
                        "taux_signature")
COLONNES_SEUILS = ("bailleurs", "au_dessus_50", "part_au_dessus_50", "au_dessus_75",
                   "part_au_dessus_75")
COLONNES_CUMULEES = ("annee", "date_signature", "signees_cumulees", "signees_jour",
                     "jour_relatif")
COLONNES_NON_SIGNEES = (
    "bailleur_code",
    "bailleur_nom",
    "reservataire_code",
    "reservataire_nom",
    "type_reservataire",
    "departement",
    "perimetre_type",
    "perimetre_code",
    "statut",
    "motif_non_signature",
    "annee",
    "droits_annuels",
)
COLONNES_DOCUMENTS = ("epci_siren", "epci_nom", "departement", "document", "statut",
                      "date_document")
COLONNES_DOCUMENTS_DEPARTEMENTS = ("departement", "departement_libelle", "document",
                                   "document_libelle", "nb_epci", "adoptes", "en_cours",
                                   "non_engages", "non_renseignes", "part_adoptes")


def _ordre(df: pd.DataFrame, par: str) -> pd.DataFrame:
    if par == "type_reservataire":
        rang = {c: i for i, c in enumerate(GROUPES_TYPES)}
        cles = sorted(df["cle"], key=lambda c: (rang.get(c, len(rang)), c))
    else:
        cles = sorted(df["cle"])
    return df.set_index("cle", drop=False).loc[cles].reset_index(drop=True)


def signatures(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    par: str,
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """Signature progress of the conventions of ``annee``, one row per key of ``par``:
    ``type_reservataire`` (the 7 groups of issue 5, see the module's docstring), ``departement``,
    ``bailleur`` or ``total`` (one row, ``cle`` = ``TOTAL``).

    Columns: ``COLONNES_SIGNATURES`` — ``conventions``, ``signees`` (statut SIGNEE),
    ``taux_signature`` = signees ÷ conventions, ``droits_annuels`` (Σ over the conventions whose
    droits are known, from the droits model; NaN when none is), ``droits_signes`` (Σ of the signed
    ones), ``taux_signature_pondere`` = droits_signes ÷ droits_annuels (the share of the flux
    covered by a signed convention) — then ``COLONNES_SIGNATURES_SUPPLEMENTAIRES``. Only keys with
    conventions; types in the groups' order, the other axes by code. Filters: those of
    ``droits_conventions`` (the convention's département, bailleur, type, réservataire, statut,
    EPCI).
    """
    valider(annee, None, par, AXES_SIGNATURES + ("total",))
    df = modeles.executer(con, "mart_signatures", parametres(annee, filtres, par=par))
    df = _ordre(typer(df, _ENTIERES, _DECIMALES), par)
    df["cle"] = df["cle"].astype(object)
    if par == "type_reservataire":
        noms = [GROUPES_TYPES.get(c, c) for c in df["cle"]]
    else:
        noms = libelles(con, par, list(df["cle"]))
    df.insert(1, "libelle", pd.Series(noms, index=df.index, dtype=object))
    return df[list(COLONNES_SIGNATURES + COLONNES_SIGNATURES_SUPPLEMENTAIRES)]


def repartition_bailleurs(
    con: duckdb.DuckDBPyConnection, annee: int, filtres: Filtres | None = None
) -> pd.DataFrame:
    """Per bailleur, the share of its conventions of ``annee`` that are signed:
    ``bailleur_code, bailleur_nom, conventions, signees, taux_signature`` (the ``bailleur`` rows
    of ``signatures``), most advanced first (then by code)."""
    df = signatures(con, annee, "bailleur", filtres)
    df = df.rename(columns={"cle": "bailleur_code", "libelle": "bailleur_nom"})
    df = df.sort_values(["taux_signature", "bailleur_code"], ascending=[False, True],
                        kind="stable")
    return df[list(COLONNES_REPARTITION)].reset_index(drop=True)


def seuils_bailleurs(
    con: duckdb.DuckDBPyConnection, annee: int, filtres: Filtres | None = None
) -> pd.DataFrame:
    """One row: ``bailleurs`` (having conventions of ``annee`` in the selection),
    ``au_dessus_50`` / ``au_dessus_75`` (those that signed strictly more than 50 % / 75 % of
    them) and their shares ``part_au_dessus_50`` / ``part_au_dessus_75`` (fractions; NaN
    without bailleur)."""
    valider(annee)
    df = modeles.executer(con, "mart_seuils_bailleurs", parametres(annee, filtres, par="bailleur"))
    typer(df, ("bailleurs", "au_dessus_50", "au_dessus_75"),
          ("part_au_dessus_50", "part_au_dessus_75"))
    return df[list(COLONNES_SEUILS)]


def signatures_cumulees(
    con: duckdb.DuckDBPyConnection, annees: Iterable[int], filtres: Filtres | None = None
) -> pd.DataFrame:
    """Signed conventions over time, for the "year against year" chart: for each year of
    ``annees`` and each date_signature of its conventions, ``signees_cumulees`` (signed up to that
    day), ``signees_jour`` (that day) and ``jour_relatif`` (days from 1 January of that year,
    negative before — the legal deadline for 2024 was 24/11/2023, day −38). Signed conventions
    without a date cannot be placed and are left out. Sorted by year then date.
    """
    annees = sorted({int(a) for a in annees})
    morceaux = []
    for annee in annees:
        valider(annee)
        morceaux.append(modeles.executer(con, "mart_signatures_cumulees",
                                         parametres(annee, filtres)))
    if not morceaux:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in COLONNES_CUMULEES}).assign(
            date_signature=pd.Series(dtype="datetime64[us]"))
    df = pd.concat(morceaux, ignore_index=True)
    df["date_signature"] = pd.to_datetime(df["date_signature"])
    for col in ("annee", "signees_cumulees", "signees_jour", "jour_relatif"):
        df[col] = df[col].astype("int64")
    return df[list(COLONNES_CUMULEES)]


def non_signees(
    con: duckdb.DuckDBPyConnection, annee: int, filtres: Filtres | None = None
) -> pd.DataFrame:
    """The conventions of ``annee`` not signed (EN_COURS, NON_SIGNEE), to chase:
    ``COLONNES_NON_SIGNEES`` (bailleur and réservataire codes and names, type, département,
    perimeter, statut, ``motif_non_signature`` — « Motif non renseigné » when empty —, year and
    droits annuels, NaN when unknown), sorted by motif (case and accents ignored) then bailleur.
    """
    valider(annee)
    df = modeles.executer(con, "mart_non_signees", parametres(annee, filtres))
    df["annee"] = df["annee"].astype("int64")
    df["droits_annuels"] = pd.to_numeric(df["droits_annuels"]).astype("float64")
    for col in COLONNES_NON_SIGNEES:
        if col not in ("annee", "droits_annuels"):
            df[col] = df[col].astype(object)
    return df[list(COLONNES_NON_SIGNEES)]


def documents_epci(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest statut of each EPCI × document (CIL, CIA, PPGDID, COTATION; DOMAIN §3.5):
    ``COLONNES_DOCUMENTS`` with the EPCI's name and département, by département, EPCI name,
    then document in the vocabulary's order."""
    df = modeles.executer(con, "int_documents_epci", {})
    rang = {d: i for i, d in enumerate(vocabulaire.DOCUMENTS_EPCI)}
    df["_rang"] = df["document"].map(lambda d: rang.get(d, len(rang)))
    df = df.sort_values(["departement", "epci_nom", "epci_siren", "_rang"], kind="stable",
                        na_position="last")
    df["date_document"] = pd.to_datetime(df["date_document"])
    for col in ("epci_siren", "epci_nom", "departement", "document", "statut"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_DOCUMENTS)].reset_index(drop=True)


def documents_par_departement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per département and document, where the EPCI stand: ``nb_epci`` (EPCI followed — with a
    statut for at least one document), ``adoptes``, ``en_cours``, ``non_engages``,
    ``non_renseignes`` (followed, no statut for that document), ``part_adoptes`` = adoptes ÷
    nb_epci; with the département's and the document's labels. By département, then document in
    the vocabulary's order."""
    df = modeles.executer(con, "mart_documents_departements", {})
    rang = {d: i for i, d in enumerate(vocabulaire.DOCUMENTS_EPCI)}
    df["_rang"] = df["document"].map(lambda d: rang.get(d, len(rang)))
    df = df.sort_values(["departement", "_rang"], kind="stable", na_position="last")
    df["departement_libelle"] = [
        None if d is None or pd.isna(d) else vocabulaire.libelle_departement(d)
        for d in df["departement"]]
    df["document_libelle"] = [vocabulaire.DOCUMENTS_EPCI.get(d, d) for d in df["document"]]
    for col in ("nb_epci", "adoptes", "en_cours", "non_engages", "non_renseignes"):
        df[col] = df[col].astype("int64")
    df["part_adoptes"] = pd.to_numeric(df["part_adoptes"]).astype("float64")
    for col in ("departement", "departement_libelle", "document", "document_libelle"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_DOCUMENTS_DEPARTEMENTS)].reset_index(drop=True)


def motifs_non_signature(con: duckdb.DuckDBPyConnection, annee: int,
                         filtres: Filtres | None = None) -> pd.DataFrame:
    """The unsigned conventions grouped by reason: ``motif_non_signature, conventions,
    droits_annuels`` (droits of those with known droits), most frequent reason first."""
    liste = non_signees(con, annee, filtres)
    if liste.empty:
        return pd.DataFrame(columns=["motif_non_signature", "conventions", "droits_annuels"])
    groupes = (liste.groupby("motif_non_signature", dropna=False)
               .agg(conventions=("bailleur_code", "size"),
                    droits_annuels=("droits_annuels", lambda s: s.sum(min_count=1)))
               .reset_index())
    return groupes.sort_values(["conventions", "motif_non_signature"],
                               ascending=[False, True]).reset_index(drop=True)


def epci_documents_manquants(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The EPCI that have not adopted every governance document (CIL, CIA, PPGDID, cotation):
    ``epci_siren, epci_nom, departement, documents_manquants`` (French labels, comma-separated),
    by département then name. A document with no statut counts as missing."""
    documents = documents_epci(con)
    attendus = list(vocabulaire.DOCUMENTS_EPCI)
    lignes = []
    for (siren, nom, dep), groupe in documents.groupby(
            ["epci_siren", "epci_nom", "departement"], dropna=False, sort=False):
        adoptes = set(groupe.loc[groupe["statut"] == "ADOPTE", "document"])
        manquants = [d for d in attendus if d not in adoptes]
        if manquants:
            lignes.append({"epci_siren": siren, "epci_nom": nom, "departement": dep,
                           "documents_manquants": ", ".join(
                               "cotation" if d == "COTATION" else d for d in manquants)})
    return pd.DataFrame(lignes, columns=["epci_siren", "epci_nom", "departement",
                                         "documents_manquants"])
