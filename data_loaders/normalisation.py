"""Turning the text cells of a file into typed, canonical values — in SQL, set-based.

`normaliser` creates, from the table of text cells written by `reading.lire`, a temporary table
with, for each canonical column ``x`` of the dataset, ``b_x`` (the trimmed text as read, NULL when
empty) and ``x`` (the typed, canonical value, NULL when empty *or unreadable*). Validation then
compares the two: a value present in ``b_x`` but NULL in ``x`` could not be read.
"""

from __future__ import annotations

import duckdb

from data_loaders import specs
from data_loaders.headers import Correspondance
from data_loaders.specs import Colonne, Jeu

# Same folding as specs.cle(): lower case, no accent, only [a-z0-9].
CLE_SQL = "regexp_replace(lower(strip_accents({x})), '[^a-z0-9]+', '', 'g')"

FORMATS_DATE = (
    "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
)

TYPES_SQL = {
    specs.TEXTE: "VARCHAR", specs.CODE: "VARCHAR", specs.IDENTIFIANT: "VARCHAR",
    specs.CODE_INSEE: "VARCHAR", specs.DEPARTEMENT: "VARCHAR", specs.SIREN: "VARCHAR",
    specs.ENTIER: "BIGINT", specs.DECIMAL: "DOUBLE", specs.POURCENTAGE: "DOUBLE",
    specs.DATE: "DATE", specs.BOOLEEN: "BOOLEAN", specs.ENUM: "VARCHAR",
}


def _litteral(texte: str) -> str:
    return "'" + texte.replace("'", "''") + "'"


def _nombre(b: str) -> str:
    """A number written the French or the English way: `1 234,5`, `1.234,5`, `1,234.5`, `12 %`."""
    s = f"regexp_replace({b}, '[[:space:]\\x{{00A0}}\\x{{202F}}\\x{{2009}}%€]', '', 'g')"
    return (
        f"TRY_CAST(CASE WHEN strpos({s}, ',') > 0 AND strpos({s}, '.') > 0 THEN "
        f"  CASE WHEN strpos(reverse({s}), ',') < strpos(reverse({s}), '.') "
        f"       THEN replace(replace({s}, '.', ''), ',', '.') ELSE replace({s}, ',', '') END "
        f"WHEN strpos({s}, ',') > 0 THEN replace({s}, ',', '.') ELSE {s} END AS DOUBLE)"
    )


def lire_nombre(b: str) -> str:
    """SQL of the number in text `b`: a plain cast first, the French forms only when it fails."""
    return f"coalesce(TRY_CAST({b} AS DOUBLE), {_nombre(b)})"  # _nombre strips all blanks


NUMERIQUES = (specs.ENTIER, specs.DECIMAL, specs.POURCENTAGE)


def _correspondances(valeurs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded spelling -> code (first code wins when two codes share a spelling)."""
    table: dict[str, str] = {}
    for code, variantes in valeurs.items():
        for v in variantes:
            table.setdefault(specs.cle(v), code)
    return table


_BOOLEENS = {specs.cle(v): ("true" if vrai == "true" else "false")
             for vrai, variantes in specs.BOOLEENS.items() for v in variantes}
# Above this many distinct spellings in a column, fold in SQL rather than list them.
MAX_VALEURS_DISTINCTES = 500


def _trim(b: str) -> str:
    """SQL trimming blanks (no-break spaces included) off text `b`; NULL when nothing is left.

    Trimming with a custom character set is costly: only cells that start or end with a blank
    pay for it.
    """
    return (f"CASE WHEN regexp_matches({b}, {_BORD_BLANC}) "
            f"THEN nullif(trim({b}, {_BLANCS}), '') ELSE {b} END")


def expression(col: Colonne, b: str, valeurs_lues: list[str] | None = None,
               nombre: str | None = None) -> str:
    """SQL giving the canonical value of column `col` from its raw cell `b` (NULL if bad).

    Each type has a fast path for well-formed cells and trims only the others. For
    enumerations and booleans, `valeurs_lues` (the distinct raw values of the column) lets the
    mapping be computed once per spelling instead of once per cell. For numbers, `nombre`
    names a column already holding `lire_nombre(b)`.
    """
    t = col.type
    tb = _trim(b)
    if t in (specs.TEXTE, specs.IDENTIFIANT):
        return tb
    if t == specs.CODE:
        if valeurs_lues is not None:
            # Few distinct codes (bailleurs, réservataires): trimmed and upper-cased once each.
            branches = [f"WHEN {b} = {_litteral(v)} THEN {_litteral(v.strip(_BLANCS_PY).upper())}"
                        for v in valeurs_lues if v.strip(_BLANCS_PY)]
            return f"CASE {' '.join(branches)} ELSE NULL::VARCHAR END" if branches else "NULL::VARCHAR"
        return f"upper({tb})"
    if t == specs.CODE_INSEE:
        x = f"upper(CASE WHEN regexp_full_match({tb}, '[0-9]{{4}}') THEN '0' || {tb} ELSE {tb} END)"
        return (f"CASE WHEN regexp_full_match({b}, '[0-9]{{5}}') THEN {b} "
                f"WHEN regexp_full_match({x}, '[0-9]{{5}}|2[AB][0-9]{{3}}') THEN {x} END")
    if t == specs.DEPARTEMENT:
        x = f"upper(CASE WHEN regexp_full_match({tb}, '[0-9]') THEN '0' || {tb} ELSE {tb} END)"
        return (f"CASE WHEN regexp_full_match({b}, '[0-9]{{2}}') THEN {b} "
                f"WHEN regexp_full_match({x}, '[0-9]{{2}}|2[AB]|97[0-9]') THEN {x} END")
    if t == specs.SIREN:
        x = f"regexp_replace({b}, '[[:space:]\\x{{00A0}}\\x{{202F}}.]', '', 'g')"
        return (f"CASE WHEN regexp_full_match({b}, '[0-9]{{9}}') THEN {b} "
                f"WHEN regexp_full_match({x}, '[0-9]{{9}}') THEN {x} END")
    if t == specs.ENTIER:
        n = nombre or lire_nombre(b)
        return f"CASE WHEN {n} = round({n}) AND abs({n}) < 1e15 THEN {n}::BIGINT END"
    if t in (specs.DECIMAL, specs.POURCENTAGE):
        n = nombre or lire_nombre(b)
        return f"CASE WHEN isfinite({n}) THEN {n} END"
    if t == specs.DATE:
        formats = ", ".join(_litteral(f) for f in FORMATS_DATE)
        return (f"coalesce(try_strptime({b}, [{formats}]), "
                f"try_strptime({tb}, [{formats}]))::DATE")
    if t in (specs.BOOLEEN, specs.ENUM) and valeurs_lues is not None:
        # The few distinct spellings of the file, mapped in Python: far cheaper than folding
        # every cell in SQL. Compared with the raw cell, so no trimming is needed either.
        table = _correspondances(col.valeurs or {}) if t == specs.ENUM else _BOOLEENS
        typ = "VARCHAR" if t == specs.ENUM else "BOOLEAN"
        vide = _litteral(col.defaut) if col.defaut else f"NULL::{typ}"
        branches = [f"WHEN {b} IS NULL THEN {vide}"]
        for v in valeurs_lues:
            if not v.strip(_BLANCS_PY):
                branches.append(f"WHEN {b} = {_litteral(v)} THEN {vide}")
                continue
            code = table.get(specs.cle(v))
            if code is not None:
                litteral = _litteral(code) if t == specs.ENUM else code
                branches.append(f"WHEN {b} = {_litteral(v)} THEN {litteral}")
        return f"CASE {' '.join(branches)} ELSE NULL::{typ} END"
    if t == specs.BOOLEEN:
        k = CLE_SQL.format(x=b)
        vrais = ", ".join(_litteral(v) for v in specs.BOOLEENS["true"])
        faux = ", ".join(_litteral(v) for v in specs.BOOLEENS["false"])
        return f"CASE WHEN {k} IN ({vrais}) THEN true WHEN {k} IN ({faux}) THEN false END"
    if t == specs.ENUM:
        k = CLE_SQL.format(x=b)
        branches = " ".join(f"WHEN {_litteral(v)} THEN {_litteral(code)}"
                            for v, code in _correspondances(col.valeurs or {}).items())
        vide = _litteral(col.defaut) if col.defaut else "NULL"
        return f"CASE WHEN {tb} IS NULL THEN {vide} ELSE (CASE {k} {branches} END) END"
    raise ValueError(f"type inconnu : {t}")


# Columns computed from the normalised ones, per dataset.
DERIVEES: dict[str, dict[str, str]] = {
    # DOMAIN §3.1: a convention's perimeter is its département unless an EPCI or a commune.
    # A commune code typed in a spreadsheet loses its leading zero; a SIREN may hold spaces.
    "conventions": {"perimetre_cle": (
        "CASE WHEN perimetre_type = 'DEPARTEMENT' THEN departement "
        "WHEN perimetre_type = 'COMMUNE' AND regexp_full_match(perimetre_code, '[0-9]{4}') "
        "THEN '0' || perimetre_code "
        "WHEN perimetre_type = 'EPCI' THEN regexp_replace(perimetre_code, '[[:space:].]', '', 'g') "
        "ELSE perimetre_code END")},
    # The scope of a MAD import is bailleur x year of the mise à disposition.
    "mises_a_disposition": {"annee": "year(date_mise_a_disposition)::BIGINT"},
    # The DGCL file may omit the commune's département: it is the start of the INSEE code.
    "communes": {"departement_cle": "coalesce(departement, CASE WHEN code_insee LIKE '97%' "
                                    "THEN left(code_insee, 3) ELSE left(code_insee, 2) END)"},
}


_BLANCS_PY = " \t\r\n\u00a0\u202f"
_BLANCS = "' \t\r\n\u00a0\u202f'"
_BORD_BLANC = "'^[[:space:]\\x{00A0}\\x{202F}]|[[:space:]\\x{00A0}\\x{202F}]$'"


def _valeurs_distinctes(cur, jeu: Jeu, table_lue: str, corr: Correspondance) -> dict[str, list]:
    """Distinct raw spellings of each enumeration, boolean or code column, when they are few.

    A first look at the first lines rules out reference-like columns (as many values as lines)
    cheaply; the others are collected in one scan.
    """
    cols = [c for c in jeu.colonnes
            if c.type in (specs.ENUM, specs.BOOLEEN, specs.CODE) and c.nom in corr.colonnes]
    if not cols:
        return {}
    echantillon = cur.execute(
        "SELECT " + ", ".join(f"count(DISTINCT c{corr.colonnes[c.nom]})" for c in cols)
        + f" FROM (SELECT * FROM {table_lue} LIMIT 5000)").fetchone()
    cols = [c for c, n in zip(cols, echantillon) if n <= MAX_VALEURS_DISTINCTES]
    if not cols:
        return {}
    valeurs = cur.execute(
        "SELECT " + ", ".join(f"list(DISTINCT c{corr.colonnes[c.nom]})" for c in cols)
        + f" FROM {table_lue}").fetchone()
    return {c.nom: [x for x in (v or []) if x is not None] for c, v in zip(cols, valeurs)
            if v is None or len(v) <= MAX_VALEURS_DISTINCTES}


def _couches(jeu: Jeu, table_lue: str, corr: Correspondance, distinctes: dict) -> str:
    """The SELECT giving _ligne, b_<col>, <col> and the derived columns (as layers, so that each
    number is parsed once however many times the next expression refers to it)."""
    bruts, nombres, types = ["_ligne"], ["*"], ["_ligne"]
    for col in jeu.colonnes:
        b = f"b_{col.nom}"
        if col.nom in corr.colonnes:
            bruts.append(f"c{corr.colonnes[col.nom]} AS {b}")
            nombre = None
            if col.type in NUMERIQUES:
                nombre = f"n_{col.nom}"
                nombres.append(f"{lire_nombre(b)} AS {nombre}")
            types += [b, f"{expression(col, b, distinctes.get(col.nom), nombre)} AS {col.nom}"]
        else:
            defaut = _litteral(col.defaut) if col.defaut else "NULL"
            types += [f"NULL::VARCHAR AS {b}", f"{defaut}::{TYPES_SQL[col.type]} AS {col.nom}"]
    derivees = [f"{sql} AS {nom}" for nom, sql in DERIVEES.get(jeu.nom, {}).items()]
    return (f"SELECT {', '.join(['*', *derivees])} FROM "
            f"(SELECT {', '.join(types)} FROM "
            f"(SELECT {', '.join(nombres)} FROM "
            f"(SELECT {', '.join(bruts)} FROM {table_lue})))")


def normaliser(cur: duckdb.DuckDBPyConnection, jeu: Jeu, table_lue: str,
               corr: Correspondance, table: str, bruts: bool = True) -> None:
    """Create temp table `table`: _ligne, b_<col> (the raw cell) and <col> (its canonical value)
    for every column of `jeu`, then the derived columns.

    With `bruts=False` the raw cells are not copied (the fast path for valid files).
    """
    couches = _couches(jeu, table_lue, corr, _valeurs_distinctes(cur, jeu, table_lue, corr))
    if bruts:
        cur.execute(f"CREATE TEMP TABLE {table} AS {couches}")
        return
    colonnes = ["_ligne", *(c.nom for c in jeu.colonnes), *DERIVEES.get(jeu.nom, {})]
    cur.execute(f"CREATE TEMP TABLE {table} AS SELECT {', '.join(colonnes)} FROM ({couches})")
