"""What both readers share (CSV: `lecture_csv`, Excel: `lecture_excel`): the `Lecture` they
return, the limits they both apply (`LIGNES_MAX`, `LIGNES_ENTETE_MAX`, `MAX_COLONNES`,
`TOTAUX_MAX`), the header row found below title lines (`choisir_entetes`), the total lines at
the end of the data (`est_total`, `_totaux_en_fin`), and the last steps of a reading: the text
cells loaded into their table (`_charger`), columns with values but no header refused
(`_refuser_colonnes_sans_entete`), empty lines dropped and data lines counted (`_compter`).

The readers import these names: a test that lowers a limit patches it on the reader's module
(``lecture_csv.LIGNES_MAX``, ``lecture_excel.LIGNES_MAX``), not here nor on `reading`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dashboard.nombres import nombre
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.headers import reconnaissance
from data_loaders.specs import Jeu

MAX_COLONNES = 1000                     # a wider "table" is a file read with the wrong separator
# About what 200 MB of CSV hold (100 bytes a line): more data lines are refused, CSV or Excel.
LIGNES_MAX = 2_000_000
LIGNES_ENTETE_MAX = 30                  # the header row is looked for in these first lines
TOTAUX_MAX = 100                        # trailing total lines looked at, at most
SEPARATEURS = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


@dataclass
class Lecture:
    """What was read, and how (shown to the user before the import)."""

    table: str                               # temp table with _ligne, c0..cN
    entetes: list[str]
    format: str                              # "CSV" or "Excel"
    encodage: str | None = None
    separateur: str | None = None
    feuille: str | None = None
    lignes_lues: int = 0                     # data lines read (header, blank, total excluded)
    lignes_vides: int = 0                    # lines with no value at all, not imported
    erreurs: list[Erreur] = field(default_factory=list)       # structure errors (field count)
    lignes_brutes: dict[int, str] = field(default_factory=dict)  # raw text of those lines
    ligne_entetes: int = 1                   # line (sheet row) of the header row in the file
    lignes_titre: int = 0                    # lines above it (titles, blank lines), not read
    titres: list[str] = field(default_factory=list)           # text of those title lines
    lignes_totaux: int = 0                   # total/count lines at the end, left out
    numeros_totaux: list[int] = field(default_factory=list)   # their line numbers
    # Sheets passed over (before the one read) because they do not hold the dataset's columns.
    feuilles_ignorees: list[str] = field(default_factory=list)

    @property
    def separateur_libelle(self) -> str | None:
        return SEPARATEURS.get(self.separateur, self.separateur) if self.separateur else None

    def description(self) -> list[tuple[str, str]]:
        """How the file was read, as (French label, value) pairs for people."""
        details = [("Format", self.format)]
        if self.encodage:
            details.append(("Encodage", self.encodage))
        if self.separateur:
            details.append(("Séparateur", self.separateur_libelle))
        if self.feuille:
            feuille = f"« {self.feuille} »"
            if self.feuilles_ignorees:
                autres = ", ".join(f"« {f} »" for f in self.feuilles_ignorees)
                feuille += (f" ({autres} ignorée{'s' if len(self.feuilles_ignorees) > 1 else ''}"
                            " : sans les colonnes attendues)")
            details.append(("Feuille", feuille))
        if self.lignes_titre:
            details.append(("Ligne des en-têtes", f"ligne {self.ligne_entetes}"))
            details.append(("Lignes de titre ignorées", nombre(self.lignes_titre)))
        details.append(("Lignes lues", nombre(self.lignes_lues)))
        if self.lignes_vides:
            details.append(("Lignes vides ignorées", nombre(self.lignes_vides)))
        if self.lignes_totaux:
            details.append(("Lignes de total ignorées",
                            f"{nombre(self.lignes_totaux)} ({_numeros(self.numeros_totaux)})"))
        return details


def _lignes(numeros: list[int]) -> str:
    """« la ligne 3 », « les lignes 2, 5, 7… » (the first five)."""
    if len(numeros) == 1:
        return f"la ligne {numeros[0]}"
    liste = ", ".join(map(str, numeros[:5])) + ("…" if len(numeros) > 5 else "")
    return f"les lignes {liste}"


def _numeros(numeros: list[int]) -> str:
    """« ligne 3 », « lignes 2, 5, 7… » (the first five)."""
    return _lignes(numeros).removeprefix("la ").removeprefix("les ")


def _titres(rangees: list[list]) -> list[str]:
    """The text of the title lines above the header (the first three, cut)."""
    titres = []
    for cellules in rangees:
        texte = " ".join(str(c).strip() for c in cellules if c is not None and str(c).strip())
        if texte:
            titres.append(texte[:100])
    return titres[:3]


# --------------------------------------------------------------------- the header row

_DATE = re.compile(r"^\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_LETTRE = re.compile(r"[^\W\d_]")


def _cellule_d_entete(valeur) -> bool:
    """A header cell holds a word: a letter, and is not a date."""
    texte = str(valeur)
    return bool(_LETTRE.search(texte)) and not _DATE.match(texte)


def choisir_entetes(rangees: list[list], jeu: Jeu | None = None) -> int | None:
    """Index, in the first rows of a file (their cells, None when empty), of the header row;
    None when they are all empty.

    A candidate header row has at least two non-empty cells, each a word (no number, no date:
    data rows always hold some). The first non-empty row stays the header unless
    - the dataset is known and a candidate fits more of its columns (`reconnaissance`: required
      ones first, at least two in all) — the first such candidate;
    - or every non-empty row above the first candidate holds one cell at most (titles).
    Title rows are thus skipped, while a broken header row (one column: wrong separator,
    unclosed quote; merged cells) is still the one the errors speak of."""
    pleines = [[c for c in r if c is not None and str(c).strip()] for r in rangees]
    remplies = [i for i, p in enumerate(pleines) if p]
    if not remplies:
        return None
    premier = remplies[0]
    candidats = [i for i in remplies
                 if len(pleines[i]) >= 2 and all(_cellule_d_entete(c) for c in pleines[i])]
    if jeu is not None and candidats:
        scores = {i: reconnaissance(jeu, rangees[i]) for i in {premier, *candidats}}
        meilleur = max(candidats, key=lambda i: (scores[i], -i))
        if scores[meilleur] > scores[premier] and scores[meilleur][1] >= 2:
            return meilleur
    if candidats and all(len(pleines[i]) <= 1 for i in remplies if i < candidats[0]):
        return candidats[0]
    return premier


# ----------------------------------------------------------------- total lines at the end

_TOTAL = re.compile(r"^(sous[\s_-]*)?(totaux|totale?s?)\b|^(nombre|nb|nbre|count|somme|"
                    r"cumul)\b")
_NOMBRE = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f]*([.,]\d+)?\s*%?$")


def _plier(texte: str) -> str:
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c)).lower().strip()


def est_total(cellules: list, nb_colonnes: int) -> bool:
    """A total or count line: its first value starts with « Total », « Sous-total »,
    « Nombre », « Nb », « Count », « Somme » or « Cumul »; or it holds only numbers, under a
    couple of columns (a quarter of the columns at most, two at least), the first (identifying)
    column empty."""
    pleines = [str(c).strip() for c in cellules if c is not None and str(c).strip()]
    if not pleines:
        return False
    if _TOTAL.match(_plier(pleines[0])):
        return True
    premiere = cellules[0] if cellules else None
    return ((premiere is None or not str(premiere).strip())
            and len(pleines) <= max(2, nb_colonnes // 4)
            and all(_NOMBRE.match(c) for c in pleines))


def _totaux_en_fin(derniers: list[tuple[int, list]], nb_colonnes: int) -> list[int]:
    """Line numbers of the total lines that end the data: walking up from the last non-empty
    line, as long as lines are totals. `derniers`: (line, cells) of the last lines."""
    totaux = []
    for ligne, cellules in sorted(derniers, key=lambda x: x[0], reverse=True):
        if not any(c is not None and str(c).strip() for c in cellules):
            continue
        if not est_total(cellules, nb_colonnes):
            break
        totaux.append(ligne)
    return sorted(totaux)


def _lettre(indice: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    lettres = ""
    indice += 1
    while indice:
        indice, reste = divmod(indice - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _refuser_colonnes_sans_entete(cur, lecture: Lecture, fusions: str = "") -> None:
    """A column with values but no header would be silently left out: refuse the file."""
    for i, entete in enumerate(lecture.entetes):
        if entete:
            continue
        trouve = cur.execute(f"SELECT _ligne, c{i} FROM {lecture.table} WHERE c{i} IS NOT NULL "
                             f"AND trim(c{i}) <> '' ORDER BY _ligne LIMIT 1").fetchone()
        if trouve is None:
            continue
        ligne, valeur = trouve
        raise FichierRejete([Erreur(ligne, None, valeur[:200],
                                    f"La colonne {_lettre(i)} (n° {i + 1}) n'a pas d'en-tête "
                                    f"mais contient des valeurs (ligne {ligne} : « {valeur[:50]} »)"
                                    f"{fusions} : donnez-lui un en-tête ou supprimez-la.")])


def _charger(cur, table: str, lignes: list[int], valeurs: list[list]) -> None:
    import pandas as pd  # only this slower reader needs it: an import does not pay at start

    frame = pd.DataFrame({"_ligne": pd.Series(lignes, dtype="int64")}
                         | {f"c{i}": pd.Series(v, dtype="object") for i, v in enumerate(valeurs)})
    vue = f"df_{table}"
    cur.register(vue, frame)
    try:
        casts = ", ".join(f"c{i}::VARCHAR AS c{i}" for i in range(len(valeurs)))
        cur.execute(f"CREATE TEMP TABLE {table} AS SELECT _ligne::INTEGER AS _ligne"
                    f"{', ' if casts else ''}{casts} FROM {vue}")
    finally:
        cur.unregister(vue)


def _compter(cur, lecture: Lecture) -> None:
    """Drop lines with no value at all (counted and reported), count the data lines."""
    n = len(lecture.entetes)
    if n:
        # The CSV reader gives NULL for an empty field: a line of separators only is all NULL.
        vide = " AND ".join(f"c{i} IS NULL" for i in range(n))
        vides = cur.execute(f"SELECT count(*) FROM {lecture.table} WHERE {vide}").fetchone()[0]
        if vides:
            cur.execute(f"CREATE TEMP TABLE {lecture.table}_plein AS "
                        f"SELECT * FROM {lecture.table} WHERE NOT ({vide})")
            lecture.table = f"{lecture.table}_plein"
            lecture.lignes_vides += vides
    lecture.lignes_lues = (cur.execute(f"SELECT count(*) FROM {lecture.table}").fetchone()[0]
                           + len(lecture.erreurs))
    if lecture.lignes_lues == 0:
        raise FichierRejete([Erreur(None, None, None,
                                    "Le fichier ne contient aucune ligne de données sous la "
                                    "ligne d'en-têtes.")])
