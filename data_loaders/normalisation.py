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


def _correspondances(valeurs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded spelling -> code (first code wins when two codes share a spelling)."""
    table: dict[str, str] = {}
    for code, variantes in valeurs.items():
        for v in variantes:
            table.setdefault(specs.cle(v), code)
    return table


def expression(col: Colonne, b: str) -> str:
    """SQL giving the canonical value of column `col` from its trimmed text `b` (NULL if bad)."""
    t = col.type
    if t in (specs.TEXTE, specs.IDENTIFIANT):
        return b
    if t == specs.CODE:
        return f"upper({b})"
    if t == specs.CODE_INSEE:
        x = f"upper(CASE WHEN regexp_full_match({b}, '[0-9]{{4}}') THEN '0' || {b} ELSE {b} END)"
        return f"CASE WHEN regexp_full_match({x}, '[0-9]{{5}}|2[AB][0-9]{{3}}') THEN {x} END"
    if t == specs.DEPARTEMENT:
        x = f"upper(CASE WHEN regexp_full_match({b}, '[0-9]') THEN '0' || {b} ELSE {b} END)"
        return f"CASE WHEN regexp_full_match({x}, '[0-9]{{2}}|2[AB]|97[0-9]') THEN {x} END"
    if t == specs.SIREN:
        x = f"regexp_replace({b}, '[[:space:]\\x{{00A0}}\\x{{202F}}.]', '', 'g')"
        return f"CASE WHEN regexp_full_match({x}, '[0-9]{{9}}') THEN {x} END"
    if t == specs.ENTIER:
        n = _nombre(b)
        return f"CASE WHEN {n} = round({n}) AND abs({n}) < 1e15 THEN {n}::BIGINT END"
    if t in (specs.DECIMAL, specs.POURCENTAGE):
        n = _nombre(b)
        return f"CASE WHEN isfinite({n}) THEN {n} END"
    if t == specs.DATE:
        formats = ", ".join(_litteral(f) for f in FORMATS_DATE)
        return f"try_strptime({b}, [{formats}])::DATE"
    if t == specs.BOOLEEN:
        k = CLE_SQL.format(x=b)
        vrais = ", ".join(_litteral(v) for v in specs.BOOLEENS["true"])
        faux = ", ".join(_litteral(v) for v in specs.BOOLEENS["false"])
        return f"CASE WHEN {k} IN ({vrais}) THEN true WHEN {k} IN ({faux}) THEN false END"
    if t == specs.ENUM:
        k = CLE_SQL.format(x=b)
        branches = " ".join(f"WHEN {_litteral(v)} THEN {_litteral(code)}"
                            for v, code in _correspondances(col.valeurs or {}).items())
        expr = f"CASE {k} {branches} END"
        if col.defaut:
            expr = f"CASE WHEN {b} IS NULL THEN {_litteral(col.defaut)} ELSE {expr} END"
        return expr
    raise ValueError(f"type inconnu : {t}")


# Columns computed from the normalised ones, per dataset.
DERIVEES: dict[str, dict[str, str]] = {
    # DOMAIN §3.1: a convention's perimeter is its département unless an EPCI or a commune.
    "conventions": {"perimetre_cle": "CASE WHEN perimetre_type = 'DEPARTEMENT' THEN departement "
                                     "ELSE perimetre_code END"},
    # The scope of a MAD import is bailleur x year of the mise à disposition.
    "mises_a_disposition": {"annee": "year(date_mise_a_disposition)::BIGINT"},
    # The DGCL file may omit the commune's département: it is the start of the INSEE code.
    "communes": {"departement_cle": "coalesce(departement, CASE WHEN code_insee LIKE '97%' "
                                    "THEN left(code_insee, 3) ELSE left(code_insee, 2) END)"},
}


def normaliser(cur: duckdb.DuckDBPyConnection, jeu: Jeu, table_lue: str,
               corr: Correspondance, table: str) -> None:
    """Create temp table `table`: _ligne, then b_<col> and <col> for every column of `jeu`."""
    selections = ["_ligne"]
    for col in jeu.colonnes:
        if col.nom in corr.colonnes:
            brut = f"nullif(trim(c{corr.colonnes[col.nom]}, ' \t\r\n\u00a0\u202f'), '')"
            selections.append(f"{brut} AS b_{col.nom}")
            selections.append(f"{expression(col, brut)} AS {col.nom}")
        else:
            selections.append(f"NULL::VARCHAR AS b_{col.nom}")
            defaut = _litteral(col.defaut) if col.defaut else "NULL"
            selections.append(f"{defaut}::{TYPES_SQL[col.type]} AS {col.nom}")
    derivees = "".join(f", {sql} AS {nom}" for nom, sql in DERIVEES.get(jeu.nom, {}).items())
    cur.execute(f"CREATE TEMP TABLE {table} AS SELECT *{derivees} FROM "
                f"(SELECT {', '.join(selections)} FROM {table_lue})")
