"""What the dashboard pages read besides the bilan itself: the years and default quarter, the
options of the filters, the freshness of each bailleur's data, the funnel of the MAD, the
year-to-date curve, the bilan crossed on two axes or reduced to its largest gaps, the assiette.

Thin functions over the SQL models of ``dashboard/sql/metrics/`` (see ``modeles``); the bilan's
figures are read from ``mart_bilan`` (through ``bilan``/``total`` or, for the crossed bilan, with
the two keys carried in one, see ``bilan_croise``), never derived again in pandas. Undefined
values are NaN, never 0.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from dashboard import vocabulaire
from dashboard.calendrier import fin_trimestre
from dashboard.metrics import cache, modeles
from dashboard.metrics.filtres import SANS_CONVENTION, Filtres, parametres
from dashboard.metrics.indicateurs import (
    AXES,
    COLONNES_FIGURES,
    _types,
    bilan,
    executer_sur_faits,
    faits,
    parametres_bilan,
    total,
    trier_lignes,
    valider,
)
from dashboard.metrics.libelles import (
    NON_VENTILE,
    cle_trimestre,
    libelle_trimestre,
    libelles,
)

# --- years and default period -------------------------------------------------------------------


def annees_disponibles(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years holding conventions (year of exercise) or MAD (year of their date), ascending."""
    df = modeles.executer(con, "mart_annees", {})
    return [int(a) for a in df["annee"]]


def periode_par_defaut(
    con: duckdb.DuckDBPyConnection, aujourd_hui: date | None = None
) -> tuple[int, int]:
    """The quarter a page opens on: ``(annee, trimestre)``.

    The latest calendar quarter ended on or before ``aujourd_hui`` (default: today; quarters end
    on 31/03, 30/06, 30/09 and 31/12, so that on 30/09 the third quarter counts), taken within the
    years holding data (``annees_disponibles``): when that quarter's year holds none, the last
    quarter (T4) of the latest data year before it; when no data year comes before it, T1 of the
    first data year. Without any data, that quarter itself.
    Examples: 22/11/2026 with data up to 2026 → (2026, 3); 15/01/2027 with data up to 2026 →
    (2026, 4); 22/11/2028 with data up to 2026 → (2026, 4).
    """
    jour = aujourd_hui or date.today()
    annee, trimestre = jour.year, (jour.month - 1) // 3 + 1   # the quarter holding today
    if fin_trimestre(annee, trimestre) > jour:                # not ended: the one before
        trimestre -= 1
    if trimestre == 0:
        annee, trimestre = annee - 1, 4
    annees = annees_disponibles(con)
    if not annees or annee in annees:
        return annee, trimestre
    anterieures = [a for a in annees if a < annee]
    if anterieures:
        return max(anterieures), 4
    return min(annees), 1


# --- options of the filters ---------------------------------------------------------------------

OPTIONS = ("departement", "epci", "bailleur", "type_reservataire", "reservataire", "statut")
LIBELLES_STATUT = {**vocabulaire.STATUTS_CONVENTION,
                   SANS_CONVENTION: "Sans convention (mises à disposition)"}


def options_filtres(con: duckdb.DuckDBPyConnection, annee: int) -> dict[str, pd.DataFrame]:
    """The choices of each filter of the pages for ``annee``: a DataFrame ``cle, libelle`` per
    key of ``OPTIONS`` (the fields of ``Filtres``), ready for a selectbox.

    Only codes that select something that year are offered (conventions of the year, or MAD
    counted in it). Départements by code, labelled ``13 — Bouches-du-Rhône``; EPCI by name
    (``NON_VENTILE``, « Non ventilé », last); bailleurs and réservataires by name; types in the
    vocabulary's order, ``INCONNU`` last (réservataires of MAD without convention that no
    convention describes); statuts SIGNEE, EN_COURS, NON_SIGNEE, then SANS_CONVENTION (MAD without
    convention) with their French labels.
    """
    valider(annee)
    entree = faits(con, annee)
    memo = entree.memo if entree is not None else None
    if memo is not None and "options_filtres" in memo:
        return {k: v.copy() for k, v in memo["options_filtres"].items()}
    df = executer_sur_faits(con, entree, "mart_options_filtres", {"annee": int(annee)})
    options: dict[str, pd.DataFrame] = {}
    for axe in OPTIONS:
        cles = [str(c) for c in df.loc[df["axe"] == axe, "cle"] if c is not None]
        options[axe] = _options(con, axe, cles, memo)
    if memo is not None:
        memo["options_filtres"] = {k: v.copy() for k, v in options.items()}
    return options


def _cle_tri(texte) -> str:
    """Accents and case ignored: « État » sorts with the E."""
    decompose = unicodedata.normalize("NFKD", str(texte))
    return "".join(c for c in decompose if not unicodedata.combining(c)).casefold()


def _options(con, axe: str, cles: list[str], memo) -> pd.DataFrame:
    if axe == "departement":
        noms = [vocabulaire.libelle_departement(c) for c in cles]
        tri = list(cles)
    elif axe == "statut":
        ordre = list(LIBELLES_STATUT)
        noms = [LIBELLES_STATUT.get(c, c) for c in cles]
        tri = [(ordre.index(c) if c in ordre else len(ordre), c) for c in cles]
    elif axe == "type_reservataire":  # the bilan's order: the vocabulary's, INCONNU last
        noms = libelles(con, axe, cles)
        df = pd.DataFrame({"cle": cles, "libelle": noms}, dtype=object)
        return trier_lignes(df, axe).reset_index(drop=True)
    else:  # epci, bailleur, reservataire: by name
        noms = libelles(con, axe, cles, memo)
        tri = [(c == NON_VENTILE, _cle_tri(n), c) for c, n in zip(cles, noms)]
    ordre_lignes = sorted(range(len(cles)), key=tri.__getitem__)
    return pd.DataFrame({"cle": [cles[i] for i in ordre_lignes],
                         "libelle": [noms[i] for i in ordre_lignes]}, dtype=object)


# --- freshness ----------------------------------------------------------------------------------

COLONNES_FRAICHEUR = (
    "bailleur_code",
    "bailleur_nom",
    "dernier_import",
    "derniere_mad",
    "mad_annee",
    "trimestres_sans_mad",
)


def fraicheur(
    con: duckdb.DuckDBPyConnection, annee: int, aujourd_hui: date | None = None
) -> pd.DataFrame:
    """How fresh each bailleur's mises à disposition of ``annee`` are (see mart_fraicheur.sql).

    One row per bailleur having conventions, parc or MAD that year, stalest first:
    ``dernier_import`` (timestamp of its latest import in force bringing MAD of that year, NaT
    when none), ``derniere_mad`` (its latest MAD date of the year, NaT when none), ``mad_annee``
    (its MAD of the year, every categorie), ``trimestres_sans_mad`` (the quarters ended on
    ``aujourd_hui`` — default today — that the controls flag for it, as in ``controles``:
    ``"T3"``, or ``"T2 (84), T3"`` when only some of its départements lack MAD; ``""`` when none;
    missing (NA) when it has no convention that year, the control then not applying).
    """
    valider(annee)
    df = modeles.executer(
        con, "mart_fraicheur",
        {"annee": int(annee), "trimestre_max": None, "aujourd_hui": aujourd_hui or date.today()},
    )
    df["derniere_mad"] = pd.to_datetime(df["derniere_mad"])
    df["dernier_import"] = pd.to_datetime(df["dernier_import"])
    df["mad_annee"] = df["mad_annee"].astype("int64")
    for col in ("bailleur_code", "bailleur_nom", "trimestres_sans_mad"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_FRAICHEUR)].reset_index(drop=True)


# --- funnel -------------------------------------------------------------------------------------

ETAPES: dict[str, str] = {"MISES_A_DISPOSITION": "Mises à disposition"} | vocabulaire.ISSUES
COLONNES_ENTONNOIR = ("etape", "libelle", "nombre", "part")


def entonnoir(
    con: duckdb.DuckDBPyConnection,
    annee: int,
    trimestre: int,
    vue: str = "mad",
    periode: str = "cumul",
    filtres: Filtres | None = None,
) -> pd.DataFrame:
    """What became of the MAD (categorie FLUX) of the window, one row per step of ``ETAPES``:
    ``etape, libelle, nombre, part`` (``part`` = nombre ÷ mises à disposition, NaN when none).

    Steps: MISES_A_DISPOSITION, BAIL_SIGNE, REFUS_DEMANDEUR, REFUS_CALEOL, SANS_CANDIDAT,
    EN_COURS — for the same arguments, the bilan's ``mises_a_disposition``, ``baux_signes``,
    ``mad_chutees`` (the three refusals) and ``mad_en_cours``. In the ``mad`` view the five issues
    add up to the MAD; in the ``baux`` view the first two count baux by date_bail and the others
    stay on the MAD dated in the window, as in the bilan (see mart_entonnoir.sql).
    """
    valider(annee, trimestre, None, AXES, vue, periode)
    params = parametres(annee, filtres, trimestre=int(trimestre), vue=vue, periode=periode)
    entree = cache.entree(
        con, "int_mad_attribuees", annee,
        lambda: modeles.executer_arrow(con, "int_mad_attribuees", {"annee": int(annee)}),
    )
    if entree is None:
        df = modeles.executer(con, "mart_entonnoir", params)
    else:
        df = modeles.executer(entree.base, "mart_entonnoir", params,
                              presents=("int_mad_attribuees",))
    df.insert(1, "libelle", [ETAPES[e] for e in df["etape"]])
    df["nombre"] = df["nombre"].astype("int64")
    df["part"] = pd.to_numeric(df["part"]).astype("float64")
    df["etape"] = df["etape"].astype(object)
    df["libelle"] = df["libelle"].astype(object)
    return df[list(COLONNES_ENTONNOIR)]


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

# fct_bilan's column holding the key of each axis (mart_bilan's CASE $par)
_COLONNE_AXE = {
    "reservataire": "reservataire_code",
    "type_reservataire": "type_reservataire",
    "bailleur": "bailleur_code",
    "departement": "departement",
    "epci": "epci_cle",
}
_SEP = "\x1f"  # unit separator: never inside a code
_RIEN = "\x00"  # a filter value that matches nothing
COLONNES_CROISE = ("cle_ligne", "libelle_ligne", "cle_colonne", "libelle_colonne",
                   *COLONNES_FIGURES)


def _mart_sur_vue(con, entree, params: dict, colonne: str, expression: str,
                  codes: list[str] | None = None, reecrire_filtre=None) -> pd.DataFrame:
    """mart_bilan over the rows of fct_bilan with the key column ``colonne`` replaced by
    ``expression`` (SQL over a row of fct_bilan, e.g. a composite key).

    mart_bilan reads the table ``fct_bilan`` by name: a temporary view of that name, on the
    query's own cursor, shadows it (the cached table, or a temporary one computed from the
    store when the cache is off). mart_bilan then aggregates on the new keys with its own window,
    filters and figures — nothing of the bilan is written again. ``codes`` (bound, never
    formatted into the SQL) fills a temporary table ``codes_vue(code)`` the expression may read.
    ``reecrire_filtre(cur, codes)`` maps the filter on ``params["par"]``'s axis to the new keys.
    """
    cur = (entree.base if entree is not None else con).cursor()
    try:
        if entree is None:
            sql = modeles.composer("fct_bilan")
            cur.execute(f"CREATE TEMPORARY TABLE fct_bilan_source AS {sql}",
                        {k: params[k] for k in modeles.parametres_utilises(sql)})
            source = "temp.main.fct_bilan_source"
        else:
            base = cur.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
            source = f'"{base}".main.fct_bilan'
        if codes is not None:
            cur.execute("CREATE TEMPORARY TABLE codes_vue AS "
                        "SELECT DISTINCT unnest($codes::VARCHAR[]) AS code", {"codes": codes})
        cur.execute(f"CREATE TEMPORARY VIEW fct_bilan AS "
                    f"SELECT * REPLACE ({expression} AS {colonne}) FROM {source}")
        champ = f"f_{params['par']}"
        if params.get(champ) and reecrire_filtre is not None:
            params = {**params, champ: reecrire_filtre(cur, params[champ]) or [_RIEN]}
        sql = modeles.composer("mart_bilan", presents=("fct_bilan",))
        return cur.execute(sql, {k: params[k] for k in modeles.parametres_utilises(sql)}).df()
    finally:
        cur.close()


def _mart_deux_cles(con, entree, annee, trimestre, porteur, autre, vue, periode,
                    filtres: Filtres) -> pd.DataFrame:
    """mart_bilan on the axis ``porteur`` whose key carries the ``autre`` key too:
    ``porteur_key || SEP || autre_key``; the filter on the porteur's axis becomes the composite
    keys whose first part it names."""
    colonne_p, colonne_a = _COLONNE_AXE[porteur], _COLONNE_AXE[autre]
    params = parametres_bilan(annee, trimestre, porteur, vue, periode, filtres)

    def composites(cur, codes: list[str]) -> list[str]:
        return [r[0] for r in cur.execute(
            f"SELECT DISTINCT {colonne_p} FROM fct_bilan "
            f"WHERE list_contains($codes, split_part({colonne_p}, chr(31), 1))",
            {"codes": codes}).fetchall()]

    return _mart_sur_vue(
        con, entree, params, colonne_p,
        f"{colonne_p} || chr(31) || coalesce({colonne_a}, '')", reecrire_filtre=composites)


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
    bilan's figures (``COLONNES_BILAN`` without cle/libelle, then ``COLONNES_SUPPLEMENTAIRES``).

    Computed by mart_bilan on fct_bilan (the convention grain) grouped on both keys: ratios of
    sums, the same window, filters and rules as ``bilan``. With ``epci`` on either axis, droits
    are apportioned to the EPCI. With ``trimestre`` on either axis each quarter 1..trimestre has
    its own figures (``periode`` then has no effect, as on ``bilan``'s axis ``trimestre``).
    Summing a ligne's cells over the colonnes gives ``bilan(par=lignes)``'s additive figures
    (droits_prevus, mises_a_disposition, ecart, baux_signes, mad_*; droits_annuels too unless
    the colonnes are quarters; nb_conventions unless a convention is apportioned to several EPCI).
    Rows in each axis' reading order (as ``bilan``), lignes first.
    """
    valider(annee, trimestre, lignes, AXES, vue, periode)
    valider(annee, trimestre, colonnes, AXES, vue, periode)
    if lignes == colonnes:
        raise ValueError(f"lignes et colonnes sur le même axe : {lignes!r}")
    filtres = filtres or Filtres()
    entree = faits(con, annee)
    memo = entree.memo if entree is not None else None
    if "trimestre" in (lignes, colonnes):
        autre = colonnes if lignes == "trimestre" else lignes
        morceaux = []
        for q in range(1, int(trimestre) + 1):
            df_q = bilan(con, annee, q, autre, vue, "trimestre", filtres)
            df_q = df_q.drop(columns=["libelle"]).rename(columns={"cle": "_autre"})
            df_q["_trimestre"] = cle_trimestre(annee, q)
            morceaux.append(df_q)
        df = pd.concat(morceaux, ignore_index=True)
        if lignes == "trimestre":
            df = df.rename(columns={"_trimestre": "cle_ligne", "_autre": "cle_colonne"})
        else:
            df = df.rename(columns={"_autre": "cle_ligne", "_trimestre": "cle_colonne"})
    else:
        porteur = "epci" if "epci" in (lignes, colonnes) else lignes
        autre = colonnes if porteur == lignes else lignes
        df = _types(_mart_deux_cles(con, entree, annee, trimestre, porteur, autre, vue, periode,
                                    filtres))
        premiere, seconde = ("cle_ligne", "cle_colonne") if porteur == lignes else (
            "cle_colonne", "cle_ligne")
        cles = [str(c).split(_SEP, 1) for c in df["cle"]]
        df[premiere] = pd.Series([c[0] for c in cles], index=df.index, dtype=object)
        df[seconde] = pd.Series([c[1] for c in cles], index=df.index, dtype=object)
    rangs_l, noms_l = _rangs(con, lignes, list(df["cle_ligne"]), memo)
    rangs_c, noms_c = _rangs(con, colonnes, list(df["cle_colonne"]), memo)
    df["libelle_ligne"] = [noms_l[c] for c in df["cle_ligne"]]
    df["libelle_colonne"] = [noms_c[c] for c in df["cle_colonne"]]
    df["_rl"] = [rangs_l[c] for c in df["cle_ligne"]]
    df["_rc"] = [rangs_c[c] for c in df["cle_colonne"]]
    df = df.sort_values(["_rl", "_rc"], kind="stable")
    df = _types(df[list(COLONNES_CROISE)].reset_index(drop=True))
    for col in COLONNES_CROISE[:4]:
        df[col] = df[col].astype(object)
    return df


# --- the largest gaps ---------------------------------------------------------------------------

AUTRES = "AUTRES"
_CLE_AUTRES = _SEP + AUTRES  # the others' key inside the query (chr(31) || 'AUTRES'): no code
#                              can equal it


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
    computed by mart_bilan with their keys made one (ratios of their sums, as ``total``
    filtered on their codes would give, without a filter list of thousands of codes). No
    AUTRES row when nothing remains. Same columns as ``bilan``. ``par``: any axis but
    ``trimestre`` (a quarter is not a code that filters).
    """
    valider(annee, trimestre, par, tuple(a for a in AXES if a != "trimestre"), vue, periode)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"nombre de lignes invalide : {n!r} (un entier positif ou nul)")
    filtres = filtres or Filtres()
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
    # the other keys become one key, AUTRES, and mart_bilan sums them (ratios of their sums)
    colonne = _COLONNE_AXE[par]
    params = parametres_bilan(annee, trimestre, par, vue, periode, filtres)
    entree = faits(con, annee)
    brut = _mart_sur_vue(
        con, entree, params, colonne,
        f"CASE WHEN {colonne} IN (SELECT code FROM temp.main.codes_vue) THEN chr(31) || 'AUTRES' "
        f"ELSE {colonne} END",
        codes=reste, reecrire_filtre=lambda cur, codes: [*codes, _CLE_AUTRES])
    autres = _types(brut[brut["cle"] == _CLE_AUTRES].copy())
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
    filtres = filtres or Filtres()
    df = modeles.executer(con, "mart_assiette", {
        "annee": int(annee), "f_bailleur": list(filtres.bailleur),
        "f_departement": list(filtres.departement)})
    for col in ("parc_total", "logements_exclus", "parc_eligible", "mutations_prevues",
                "relogements_prevus"):
        df[col] = df[col].astype("int64")
    for col in ("base", "flux_annuel", "taux_rotation"):
        df[col] = pd.to_numeric(df[col]).astype("float64")
    for col in ("bailleur_code", "bailleur_nom", "departement"):
        df[col] = df[col].astype(object)
    return df[list(COLONNES_ASSIETTE)]


__all__ = [
    "AUTRES",
    "COLONNES_ASSIETTE",
    "COLONNES_CROISE",
    "COLONNES_CUMULS",
    "COLONNES_ENTONNOIR",
    "COLONNES_FRAICHEUR",
    "ETAPES",
    "OPTIONS",
    "annees_disponibles",
    "assiette",
    "bilan_croise",
    "bilan_top",
    "cumuls",
    "entonnoir",
    "fraicheur",
    "options_filtres",
    "periode_par_defaut",
]
