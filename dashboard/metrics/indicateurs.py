"""The bilan: droits prévus against mises à disposition réelles (DOMAIN §4.1–§4.4).

Thin functions over the SQL models of ``dashboard/sql/metrics/`` (see ``modeles``): every figure
is defined once, in SQL — flux in ``int_flux_perimetres``, droits in ``int_droits_conventions``,
the bilan's figures and ratios in ``mart_bilan`` — and these functions only validate the
arguments, bind them, and label the keys. Every bilan is one call of ``mart_bilan``: on one axis
(``bilan``, ``total``, ``bilan_conventions``), crossed with a second axis (``bilan_croise``), or
with the keys beyond the largest gaps summed in one row (``bilan_top``); ``cumuls`` reads
``total`` at the end of each quarter. Beside them, the flux (``flux_annuel``, ``assiette``) and
the droits (``droits_conventions``) they start from.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from dashboard import contrat, vocabulaire
from dashboard.metrics import cache, modeles
from dashboard.metrics.filtres import Filtres, parametres
from dashboard.metrics.libelles import (
    NON_VENTILE,
    cle_trimestre,
    libelle_trimestre,
    libelles,
)
from dashboard.metrics.typage import typer

AXES = ("reservataire", "type_reservataire", "bailleur", "departement", "epci", "trimestre")
VUES = ("mad", "baux")
PERIODES = ("cumul", "trimestre")

# The columns of the bilan, in the contract's order (dashboard/contrat.py: names, kinds, French
# headings, descriptions): the first ones (issue 3), then the others, then the publics
# prioritaires (scripts rely on the order of the columns before them).
COLONNES_BILAN = contrat.noms(contrat.BILAN)
COLONNES_SUPPLEMENTAIRES = contrat.noms(contrat.BILAN_SUPPLEMENTAIRES)
COLONNES_PRIORITAIRES = contrat.noms(contrat.BILAN_PRIORITAIRES)
COLONNES_TOUTES = contrat.noms(*contrat.GROUPES_BILAN)
# The figures (every column but the key and its label): counts as Int64, the others float64.
ENTIERES_BILAN = contrat.du_genre(contrat.COMPTE, *contrat.GROUPES_BILAN)
COLONNES_FIGURES = tuple(c for c in contrat.noms(*contrat.GROUPES_BILAN)
                         if contrat.COLONNES[c].genre != contrat.TEXTE)
_DECIMALES = tuple(c for c in COLONNES_FIGURES if c not in ENTIERES_BILAN)


def valider(annee: int, trimestre: int | None = None, par: str | None = None,
            axes: tuple[str, ...] = AXES, vue: str = "mad", periode: str = "cumul") -> None:
    """Raise ValueError (French message) for an argument outside the contract."""
    if isinstance(annee, bool) or not isinstance(annee, (int, np.integer)):
        raise ValueError(f"année invalide : {annee!r} (un entier, par exemple 2025)")
    if not 1900 <= int(annee) <= 2200:
        raise ValueError(f"année invalide : {annee}")
    if trimestre is not None and (
        isinstance(trimestre, bool)
        or not isinstance(trimestre, (int, np.integer))
        or not 1 <= int(trimestre) <= 4
    ):
        raise ValueError(f"trimestre invalide : {trimestre!r} (1, 2, 3 ou 4)")
    if par is not None and par not in axes:
        raise ValueError(f"axe inconnu : {par!r} (axes : {', '.join(axes)})")
    if vue not in VUES:
        raise ValueError(f"vue inconnue : {vue!r} (mad ou baux)")
    if periode not in PERIODES:
        raise ValueError(f"période inconnue : {periode!r} (cumul ou trimestre)")


def faits(con: duckdb.DuckDBPyConnection, annee: int) -> cache.Entree | None:
    """The cached ``fct_bilan`` of ``annee`` (see ``cache``; None when the cache is disabled)."""
    return cache.entree(
        con, "fct_bilan", annee,
        lambda: modeles.executer_arrow(con, "fct_bilan", {"annee": int(annee)}),
    )


def parametres_bilan(annee, trimestre, par, vue, periode, filtres: Filtres | None,
                     par_croise: str = "", cles_autres: list[str] | None = None) -> dict:
    """The parameters of mart_bilan: a second axis ``par_croise`` ('' = none) and the keys of
    ``par`` summed in one row ``cles_autres`` (none by default)."""
    return parametres(annee, filtres, trimestre=int(trimestre), par=par, vue=vue, periode=periode,
                      par_croise=par_croise, cles_autres=list(cles_autres or ()))


def executer_sur_faits(con, entree: cache.Entree | None, nom: str, params: dict) -> pd.DataFrame:
    """Run model ``nom`` over ``fct_bilan``: the cached table of ``entree`` (see ``faits``), or,
    with the cache off, ``fct_bilan`` computed once for the query (``executer_materialise``)."""
    if entree is None:
        return modeles.executer_materialise(con, nom, params, ("fct_bilan",))
    return modeles.executer(entree.base, nom, params, presents=("fct_bilan",))


def _mart(
    con, entree, annee, trimestre, par, vue, periode, filtres: Filtres | None,
    par_croise: str = "", cles_autres: list[str] | None = None,
) -> pd.DataFrame:
    return executer_sur_faits(con, entree, "mart_bilan", parametres_bilan(
        annee, trimestre, par, vue, periode, filtres, par_croise, cles_autres))


def _types(df: pd.DataFrame) -> pd.DataFrame:
    """The bilan's columns present in ``df`` typed (counts int64, figures float64)."""
    return typer(df, ENTIERES_BILAN, _DECIMALES, ("cle", "libelle"))


def _ordre_types(cle: str) -> tuple:
    codes = list(vocabulaire.TYPES_RESERVATAIRE)
    if cle in codes:
        return (0, codes.index(cle), cle)
    if cle == vocabulaire.TYPE_INCONNU:
        return (2, 0, cle)
    return (1, 0, cle)


def trier_lignes(df: pd.DataFrame, par: str) -> pd.DataFrame:
    """Rows in reading order: quarters in time, types in the vocabulary's order (INCONNU last),
    EPCI by name (NON_VENTILE last), the other axes by key."""
    if df.empty:
        return df
    cles = [str(c) for c in df["cle"]]
    if par == "type_reservataire":
        tri = [_ordre_types(c) for c in cles]
    elif par == "epci":
        tri = [(c == NON_VENTILE, str(lib).casefold(), c) for c, lib in zip(cles, df["libelle"])]
    else:
        tri = cles
    ordre = sorted(range(len(cles)), key=tri.__getitem__)
    return df.iloc[ordre].reset_index(drop=True)


def _trimestres_manquants(df: pd.DataFrame, annee: int, trimestre: int,
                          vides: dict[str, object]) -> pd.DataFrame:
    """Axis 'trimestre': a row for every quarter 1..trimestre once ``df`` has any row, with the
    figures ``vides`` for the quarters it lacks."""
    if df.empty:
        return df
    presentes = set(df["cle"])
    lignes = [{"cle": cle, **vides} for cle in
              (cle_trimestre(annee, q) for q in range(1, int(trimestre) + 1))
              if cle not in presentes]
    if lignes:
        df = pd.concat([df, pd.DataFrame(lignes)], ignore_index=True)
    return df


def lignes_axe(con, df: pd.DataFrame, annee: int, trimestre: int, par: str,
               colonnes: tuple[str, ...], entieres: tuple[str, ...], zeros: tuple[str, ...] = (),
               memo: dict | None = None) -> pd.DataFrame:
    """A mart's rows on the axis ``par`` (``cle`` then the figures) as the metrics return them.

    On the axis 'trimestre', a row for every quarter 1..``trimestre`` once there is any: counts
    (``entieres``) and ``zeros`` at 0 in the quarters the mart lacks, the other figures NaN. Then
    the label of each key after it, the ``colonnes`` typed (counts int64, other figures float64)
    and the rows in reading order (``trier_lignes``).
    """
    decimaux = tuple(c for c in colonnes if c not in ("cle", "libelle") and c not in entieres)
    if par == "trimestre":
        vides = {c: 0 for c in entieres} | {c: 0.0 if c in zeros else np.nan for c in decimaux}
        df = _trimestres_manquants(df, annee, trimestre, vides)
    df.insert(1, "libelle", libelles(con, par, list(df["cle"]), memo))
    df = typer(df, entieres, decimaux, ("cle", "libelle"))[list(colonnes)]
    return trier_lignes(df, par)


def bilan(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The bilan of ``annee`` as of the end of quarter ``trimestre``, one row per key of ``par``.

    ``par``: one of ``AXES`` (or ``"total"``: one row, ``cle`` = ``TOTAL``).
    ``vue``: ``"mad"`` (MAD by date_mise_a_disposition) or ``"baux"`` (BAIL_SIGNE by date_bail).
    ``periode``: ``"cumul"`` (1 January → end of the quarter) or ``"trimestre"`` (that quarter
    alone). On the axis ``trimestre`` each row is one quarter 1..``trimestre`` with its own figures
    (``periode`` has no effect there).
    Columns: ``COLONNES_TOUTES`` (the contract's groups of the bilan, in order). Undefined
    values are NaN.
    """
    valider(annee, trimestre, par, AXES + ("total",), vue, periode)
    entree = faits(con, annee)
    df = _mart(con, entree, annee, trimestre, par, vue, periode, filtres)
    # A quarter is missing only when the selection holds no convention (droits are repeated on
    # every quarter) and no MAD that quarter: its figures are then 0 MAD against 0 droits.
    return lignes_axe(con, df, annee, trimestre, par,
                      COLONNES_TOUTES,
                      ENTIERES_BILAN, zeros=("droits_annuels", "droits_prevus", "ecart"),
                      memo=entree.memo if entree is not None else None)


def total(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The bilan of the whole selection in one row (``cle`` = ``TOTAL``); empty when no data."""
    return bilan(con, annee, trimestre, "total", vue, periode, filtres)


COLONNES_CONVENTION = (
    "bailleur_code",
    "bailleur_nom",
    "reservataire_code",
    "reservataire_nom",
    "type_reservataire",
    "departement",
    "perimetre_type",
    "perimetre_code",
    "statut",
    "methode",
    "taux_flux",
    "flux_annuel_perimetre",
    "source",
)


def bilan_conventions(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The bilan at the convention grain: one row per convention of ``annee``, plus one row per
    bailleur × réservataire × département of MAD that match no convention (``statut`` and
    ``perimetre_type`` empty, ``source`` = ``sans_convention``).

    Columns: ``COLONNES_CONVENTION``, then the bilan's figures (``COLONNES_BILAN`` without
    ``cle``/``libelle``), ``COLONNES_SUPPLEMENTAIRES`` and ``COLONNES_PRIORITAIRES``.
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    figures = _mart(con, faits(con, annee), annee, trimestre, "convention", vue, periode, filtres)
    figures = _types(figures)
    conventions = droits_conventions(con, annee)
    conventions["cle"] = conventions["conv_id"].astype(str)
    conventions = conventions.rename(columns={"flux_annuel": "flux_annuel_perimetre"})
    conventions = conventions[["cle", *COLONNES_CONVENTION]]
    avec = figures.merge(conventions, on="cle", how="inner")
    sans = figures[figures["cle"].str.startswith("SANS_CONVENTION|")].copy()
    if not sans.empty:
        parts = sans["cle"].str.split("|", expand=True)
        sans["bailleur_code"] = parts[1]
        sans["reservataire_code"] = parts[2]
        sans["departement"] = parts[3]
        sans["source"] = "sans_convention"
        types = fait_types_reservataires(con, list(sans["reservataire_code"]))
        sans["type_reservataire"] = [
            types.get(c, vocabulaire.TYPE_INCONNU) for c in sans["reservataire_code"]
        ]
        noms_r = libelles(con, "reservataire", list(sans["reservataire_code"]))
        noms_b = libelles(con, "bailleur", list(sans["bailleur_code"]))
        sans["reservataire_nom"] = noms_r
        sans["bailleur_nom"] = noms_b
    df = pd.concat([avec, sans], ignore_index=True) if not sans.empty else avec
    colonnes = list(COLONNES_CONVENTION + COLONNES_FIGURES)
    for col in colonnes:
        if col not in df.columns:
            df[col] = None
    df = df.sort_values(
        ["bailleur_code", "departement", "reservataire_code", "perimetre_type", "perimetre_code"],
        na_position="last",
        kind="stable",
    )
    return _types(df[colonnes].reset_index(drop=True))


def fait_types_reservataires(con: duckdb.DuckDBPyConnection, codes: list[str]) -> dict[str, str]:
    """The type of each réservataire as the conventions of any year give it."""
    if not codes:
        return {}
    df = modeles.executer(
        con,
        "int_reservataires",
        {"cles": list(codes)},
        sql_final=(
            "SELECT reservataire_code, type_reservataire FROM int_reservataires "
            "WHERE list_contains($cles, reservataire_code)"
        ),
    )
    return dict(zip(df["reservataire_code"], df["type_reservataire"]))


def droits_conventions(
    con: duckdb.DuckDBPyConnection, annee: int, filtres: Filtres | None = None
) -> pd.DataFrame:
    """The droits annuels of every convention of ``annee`` with their source (DOMAIN §4.2).

    One row per convention: its key and attributes, the flux of its perimeter (``parc_eligible``,
    ``taux_rotation`` as a fraction, ``flux_annuel``; empty when the parc is unknown),
    ``droits_annuels`` (NaN when unknown) and ``source``: ``assiette``, ``convention`` (the
    convention's own figure: DROITS_ACQUIS, or the estimate of an ASSIETTE convention without
    parc) or ``manquant``. Filters: département, bailleur, type, réservataire, statut, and EPCI
    (the EPCI- and commune-wide conventions of that EPCI, the département-wide ones with parc
    there).
    """
    valider(annee)
    return modeles.executer(
        con,
        "int_conventions_filtrees",  # int_droits_conventions kept by the filters
        parametres(annee, filtres),
        sql_final="""
        SELECT conv_id, bailleur_code, bailleur_nom, reservataire_code, reservataire_nom,
               type_reservataire, departement, perimetre_type, perimetre_code, annee, statut,
               date_signature, motif_non_signature, methode, taux_flux, droits_annuels_convention,
               mode_gestion, parc_eligible, taux_rotation, flux_annuel, droits_annuels, source
        FROM int_conventions_filtrees
        ORDER BY bailleur_code, departement, reservataire_code, perimetre_type, perimetre_code
        """,
    )


def flux_annuel(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    perimetre_type: str | None = None,
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The flux annuel of every perimeter of every bailleur in ``annee`` (DOMAIN §4.1).

    One row per bailleur × perimeter (``DEPARTEMENT``, ``EPCI``, ``COMMUNE``; only
    ``perimetre_type`` if given) where the bailleur has parc: ``parc_eligible``, ``base``,
    ``taux_rotation`` (a fraction, shown only), ``mutations_prevues``, ``relogements_prevus``,
    ``flux_annuel`` (never negative). Filters: bailleur, département (of the perimeter), EPCI
    (EPCI perimeters and communes of those EPCI).
    """
    valider(annee)
    if perimetre_type is not None and perimetre_type not in vocabulaire.PERIMETRES:
        raise ValueError(f"type de périmètre inconnu : {perimetre_type!r}")
    return modeles.executer(con, "mart_flux_perimetres",
                            parametres(annee, filtres, perimetre_type=perimetre_type or ""))


# --- year to date -------------------------------------------------------------------------------

COLONNES_CUMULS = ("cle", "libelle", "droits_prevus", "mises_a_disposition", "baux_signes")


def cumuls(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The year-to-date figures at the end of each quarter 1..``trimestre``: one row per quarter
    (``cle`` ``2025-T1``, ``libelle`` ``T1 2025``) with ``droits_prevus``,
    ``mises_a_disposition``, ``baux_signes`` — each row is ``total(annee, q, vue, "cumul")``.

    A quarter where the selection has nothing yet (no convention, no MAD) reads 0 against 0
    droits; no row at all when the selection has nothing in the year.
    """
    valider(annee, trimestre, None, AXES, vue)
    lignes, vides = [], 0
    for q in range(1, int(trimestre) + 1):
        cle = cle_trimestre(annee, q)
        t = total(con, annee, q, vue, "cumul", filtres)
        if t.empty:
            vides += 1
            figures = {"droits_prevus": 0.0, "mises_a_disposition": 0, "baux_signes": 0}
        else:
            figures = {c: t.iloc[0][c] for c in COLONNES_CUMULS[2:]}
        lignes.append({"cle": cle, "libelle": libelle_trimestre(cle)} | figures)
    if vides == len(lignes):
        lignes = []
    return _types(pd.DataFrame(lignes, columns=list(COLONNES_CUMULS)))


# --- the bilan on two axes ----------------------------------------------------------------------

COLONNES_CROISE = ("cle_ligne", "libelle_ligne", "cle_colonne", "libelle_colonne",
                   *COLONNES_FIGURES)


def _rangs(con, par: str, cles: list[str], memo) -> tuple[dict[str, int], dict[str, str]]:
    uniques = list(dict.fromkeys(cles))
    noms = libelles(con, par, uniques, memo)
    ordre = trier_lignes(pd.DataFrame({"cle": uniques, "libelle": noms}, dtype=object), par)
    return {c: i for i, c in enumerate(ordre["cle"])}, dict(zip(uniques, noms))


def bilan_croise(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    lignes: str = "bailleur",
    colonnes: str = "type_reservataire",
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The bilan on two axes, in long form: one row per ``lignes`` key × ``colonnes`` key that
    has something, with ``cle_ligne, libelle_ligne, cle_colonne, libelle_colonne`` then the
    bilan's figures (``COLONNES_BILAN`` without cle/libelle, then ``COLONNES_SUPPLEMENTAIRES``
    and ``COLONNES_PRIORITAIRES``).

    Computed by mart_bilan on fct_bilan (the convention grain) grouped on both keys (``par`` and
    ``par_croise``): ratios of sums, the same window, filters and rules as ``bilan``. With
    ``epci`` on either axis, droits are apportioned to the EPCI. With ``trimestre`` on either
    axis each quarter 1..trimestre has its own figures (``periode`` then has no effect, as on
    ``bilan``'s axis ``trimestre``).
    Summing a ligne's cells over the colonnes gives ``bilan(par=lignes)``'s additive figures
    (droits_prevus, mises_a_disposition, ecart, baux_signes, mad_*; droits_annuels too unless
    the colonnes are quarters; nb_conventions unless a convention is apportioned to several EPCI).
    Rows in each axis' reading order (as ``bilan``), lignes first.
    """
    valider(annee, trimestre, lignes, AXES, vue, periode)
    valider(annee, trimestre, colonnes, AXES, vue, periode)
    if lignes == colonnes:
        raise ValueError(f"lignes et colonnes sur le même axe : {lignes!r}")
    entree = faits(con, annee)
    memo = entree.memo if entree is not None else None
    df = _mart(con, entree, annee, trimestre, lignes, vue, periode, filtres, par_croise=colonnes)
    df = df.rename(columns={"cle": "cle_ligne", "cle_croisee": "cle_colonne"})
    # keys as Python objects first: iterating an Arrow-backed string column is slow
    df["cle_ligne"] = df["cle_ligne"].astype(object)
    df["cle_colonne"] = df["cle_colonne"].astype(object)
    rangs_l, noms_l = _rangs(con, lignes, list(df["cle_ligne"]), memo)
    rangs_c, noms_c = _rangs(con, colonnes, list(df["cle_colonne"]), memo)
    df["libelle_ligne"] = df["cle_ligne"].map(noms_l).astype(object)
    df["libelle_colonne"] = df["cle_colonne"].map(noms_c).astype(object)
    df = df.iloc[np.lexsort((df["cle_colonne"].map(rangs_c).to_numpy(),
                             df["cle_ligne"].map(rangs_l).to_numpy()))]
    return _types(df[list(COLONNES_CROISE)].reset_index(drop=True))


# --- the largest gaps ---------------------------------------------------------------------------

AUTRES = "AUTRES"


def bilan_top(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    par: str,
    n: int = 10,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """The ``n`` rows of ``bilan(par)`` with the largest |ecart| (ties by cle; an undefined ecart
    counts as the smallest), sorted by ecart ascending (most behind first, undefined last), then
    one row ``cle = "AUTRES"``, ``libelle = "Autres (k)"`` for the k other rows — their total,
    computed by mart_bilan from their sums (``cles_autres``: ratios of their sums, as ``total``
    filtered on their codes would give). No AUTRES row when nothing remains. Same columns as
    ``bilan``. ``par``: any axis but ``trimestre`` (a quarter is not a code that filters).
    """
    valider(annee, trimestre, par, tuple(a for a in AXES if a != "trimestre"), vue, periode)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"nombre de lignes invalide : {n!r} (un entier positif ou nul)")
    df = bilan(con, annee, trimestre, par, vue, periode, filtres)
    ecart_abs = df["ecart"].abs()
    rang = df.assign(_abs=ecart_abs.fillna(-1.0), _cle=df["cle"].astype(str)).sort_values(
        ["_abs", "_cle"], ascending=[False, True], kind="stable")
    gardes = rang.index[: int(n)]
    reste = [str(c) for c in df.loc[rang.index[int(n):], "cle"]]
    haut = df.loc[gardes]
    haut = haut.assign(_nan=haut["ecart"].isna(), _cle=haut["cle"].astype(str)).sort_values(
        ["_nan", "ecart", "_cle"], kind="stable").drop(columns=["_nan", "_cle"])
    if not reste:
        return haut.reset_index(drop=True)
    brut = _mart(con, faits(con, annee), annee, trimestre, par, vue, periode, filtres,
                 cles_autres=reste)
    autres = _types(brut[brut["est_autres"].astype(bool)].copy())
    autres["cle"] = AUTRES
    autres.insert(1, "libelle", f"Autres ({len(reste)})")
    return pd.concat([haut, autres[list(df.columns)]], ignore_index=True)


# --- assiette -----------------------------------------------------------------------------------

COLONNES_ASSIETTE = (
    "bailleur_code",
    "bailleur_nom",
    "departement",
    "parc_total",
    "logements_exclus",
    "parc_eligible",
    "base",
    "mutations_prevues",
    "relogements_prevus",
    "flux_annuel",
    "taux_rotation",
)


def assiette(
    con: duckdb.DuckDBPyConnection, annee: int, filtres: Filtres | None = None
) -> pd.DataFrame:
    """The assiette and flux annuel of each bailleur in each département in ``annee`` (DOMAIN
    §4.1), from the flux model (int_flux_perimetres, département perimeters): ``COLONNES_ASSIETTE``
    with ``taux_rotation`` a fraction (shown only). One row per bailleur × département where it
    has parc, by bailleur then département. Filters: bailleur and département (the flux is a
    figure of the département: the other filters do not apply).
    """
    valider(annee)
    df = modeles.executer(con, "mart_assiette", parametres(annee, filtres))
    for col in ("parc_total", "logements_exclus", "parc_eligible", "mutations_prevues",
                "relogements_prevus"):
        df[col] = df[col].astype("int64")
    for col in ("base", "flux_annuel", "taux_rotation"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in ("bailleur_code", "bailleur_nom", "departement"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_ASSIETTE)]
