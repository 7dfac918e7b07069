"""Validation of a normalised file, set-based: one SQL query lists every error of every line.

A rule is a condition on the normalised table (see normalisation.py) with the column it concerns,
the value to show and a French message saying what was expected. Rules come from the column
specs (required, readable, within bounds) and from the dataset (consistency between columns,
references to communes and EPCI, uniqueness in the file and against the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from data_loaders import specs
from data_loaders.normalisation import _BLANCS, _litteral
from data_loaders.specs import Colonne, Jeu

DATE_MIN = date(1990, 1, 1)
VALEUR_AFFICHEE_MAX = 200   # an error shows at most this many characters of the value read
# Invisible characters that have no place in a cell: C0 controls but tab and line breaks, DEL,
# and the bidirectional overrides that make a text display other than it reads.
CARACTERES_INTERDITS = "[\\x{00}-\\x{08}\\x{0B}\\x{0C}\\x{0E}-\\x{1F}\\x{7F}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]"


@dataclass(frozen=True)
class Regle:
    condition: str      # SQL over the normalised table `n`: true when the line is wrong
    colonne: str
    message: str        # SQL expression (a French sentence)
    valeur: str | None = None   # SQL expression of the value shown; default b_<colonne>
    jointures: str = ""         # extra FROM clauses (joins) the condition needs
    compte: str | None = None   # a cheaper query counting the faulty lines (fast path)
    # The condition on canonical values only, once every non-empty cell is known to have been
    # read (fast path); None when the rule cannot fail then.
    rapide: str | None = None
    # True when the rule depends on the scope of the file (the lines kept): a partial import
    # checks it again on the lines kept.
    portee: bool = False

    @property
    def condition_rapide(self) -> str | None:
        if self.rapide is not None:
            return self.rapide or None
        return self.condition.replace("n.b_", "n.")


def _attendu(col: Colonne) -> str:
    t = col.type
    if t == specs.CODE_INSEE:
        return "code INSEE attendu : 5 caractères (ex. 04070, 13055, 2A004)"
    if t == specs.DEPARTEMENT:
        return "code de département attendu (ex. 04, 13, 2A)"
    if t == specs.SIREN:
        return "numéro SIREN attendu : 9 chiffres"
    if t == specs.ENTIER:
        return "nombre entier attendu (ex. 1 234)"
    if t == specs.DECIMAL:
        return "nombre attendu (ex. 12,5)"
    if t == specs.POURCENTAGE:
        return "pourcentage attendu (ex. 25 ou 25 % ou 12,5)"
    if t == specs.DATE:
        return "date existante attendue au format JJ/MM/AAAA ou AAAA-MM-JJ"
    if t == specs.BOOLEEN:
        return "oui ou non attendu (O/N, oui/non, 1/0, vrai/faux)"
    if t == specs.ENUM and col.valeurs:
        if col.nom == "typologie":
            return "typologie attendue : T1 à T6 (studio = T1, T6 = 6 pièces et plus)"
        choix = ", ".join(v[1] if v[1] == code or f"({code})" in v[1] else f"{v[1]} ({code})"
                          for code, v in col.valeurs.items())
        return f"valeur attendue parmi : {choix}"
    return "valeur illisible"


def _bornes(col: Colonne) -> str:
    def f(x: float) -> str:
        return f"{x:,.0f}".replace(",", " ") if float(x).is_integer() else str(x).replace(".", ",")
    if col.minimum is not None and col.maximum is not None:
        return f"valeur hors limites : attendu entre {f(col.minimum)} et {f(col.maximum)}"
    if col.minimum is not None:
        return f"valeur hors limites : attendu au moins {f(col.minimum)}"
    return f"valeur hors limites : attendu au plus {f(col.maximum)}"


def regles_colonnes(jeu: Jeu) -> list[Regle]:
    regles = []
    for col in jeu.colonnes:
        b, x = f"n.b_{col.nom}", f"n.{col.nom}"
        # b is the raw cell, x its canonical value: x is NULL when b is blank or unreadable.
        vide = f"({b} IS NULL OR trim({b}, {_BLANCS}) = '')"
        if col.obligatoire:
            regles.append(Regle(f"{x} IS NULL AND {vide}", col.nom,
                                _litteral(f"valeur obligatoire manquante ({col.nom_affiche})"),
                                rapide=f"{x} IS NULL"))
        if col.type not in (specs.TEXTE, specs.CODE, specs.IDENTIFIANT):
            regles.append(Regle(f"{x} IS NULL AND NOT {vide}", col.nom,
                                _litteral(_attendu(col)), rapide=""))
        if col.minimum is not None or col.maximum is not None:
            conds = []
            if col.minimum is not None:
                conds.append(f"{x} < {col.minimum}")
            if col.maximum is not None:
                conds.append(f"{x} > {col.maximum}")
            regles.append(Regle(f"{x} IS NOT NULL AND ({' OR '.join(conds)})", col.nom,
                                _litteral(_bornes(col))))
        if col.type == specs.DATE:
            regles.append(Regle(f"{x} IS NOT NULL AND {x} < DATE '{DATE_MIN.isoformat()}'",
                                col.nom, _litteral("date invraisemblable : antérieure à 1990")))
        if col.type in specs.LONGUEUR_MAX:
            maxi = specs.LONGUEUR_MAX[col.type]
            regles.append(Regle(
                f"{x} IS NOT NULL AND length({x}) > {maxi}", col.nom,
                f"'valeur trop longue (' || {_nombre_sql(f'length({x})')} || ' caractères) : "
                f"{maxi:,} au plus'".replace(f"{maxi:,}", f"{maxi:,}".replace(",", " "))))
            regles.append(Regle(
                f"{x} IS NOT NULL AND regexp_matches({x}, '{CARACTERES_INTERDITS}')", col.nom,
                "'caractère invisible interdit (U+' || "
                f"upper(printf('%04x', unicode(regexp_extract({x}, '{CARACTERES_INTERDITS}')))) "
                "|| ') : retirez-le de la cellule'"))
    return regles


def _nombre_sql(expr: str) -> str:
    """SQL writing an integer the French way, with a space between thousands."""
    return f"replace(format('{{:,}}', {expr}), ',', ' ')"


def _commune_connue(colonne: str = "code_insee") -> Regle:
    return Regle(
        f"n.{colonne} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM communes c WHERE c.code_insee = n.{colonne})",
        colonne,
        _litteral("commune inconnue du référentiel des communes (code INSEE officiel attendu ; "
                  "pour une commune hors région, importez d'abord le fichier DGCL des communes)"),
    )


def _unique_dans_fichier(colonnes: tuple[str, ...], colonne: str, quoi: str) -> Regle:
    """Lines whose key repeats an earlier line of the file."""
    cle = ", ".join(colonnes)
    non_nuls = " AND ".join(f"{c} IS NOT NULL" for c in colonnes)
    return Regle(
        f"n._ligne IN (SELECT _ligne FROM (SELECT _ligne, min(_ligne) OVER (PARTITION BY {cle}) "
        f"AS premiere FROM {{norm}} WHERE {non_nuls}) WHERE _ligne > premiere)",
        colonne,
        f"'{quoi} en double dans le fichier : déjà présente ligne ' || "
        f"(SELECT min(m._ligne) FROM {{norm}} m WHERE "
        + " AND ".join(f"m.{c} = n.{c}" for c in colonnes) + ")",
        compte=(f"SELECT count(*) FROM (SELECT 1 FROM {{norm}} WHERE {non_nuls} "
                f"GROUP BY {cle} HAVING count(*) > 1)"),
    )


def _reservataire_resolu() -> Regle:
    """A réservataire value that resolves to no identity, or to one the line contradicts
    (data_loaders.identites wrote the reason on the line)."""
    return Regle("n.reservataire_erreur IS NOT NULL", "reservataire_code", "n.reservataire_erreur",
                 valeur="n.reservataire_valeur", rapide="n.reservataire_erreur IS NOT NULL")


def regles_jeu(jeu: Jeu, aujourd_hui: date) -> list[Regle]:
    jour = f"DATE '{aujourd_hui.isoformat()}'"
    if jeu.nom == "conventions":
        return [
            Regle("n.departement IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM communes c WHERE c.departement = n.departement)",
                  "departement", _litteral("département absent du référentiel des communes")),
            Regle("n.perimetre_type IN ('EPCI', 'COMMUNE') AND n.perimetre_code IS NULL",
                  "perimetre_code",
                  _litteral("code du périmètre obligatoire pour un périmètre EPCI (SIREN) ou "
                            "commune (code INSEE)")),
            Regle("n.perimetre_type = 'EPCI' AND n.perimetre_code IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM communes c WHERE c.epci_siren = n.perimetre_cle "
                  "AND c.departement = n.departement)",
                  "perimetre_code",
                  _litteral("EPCI inconnu ou sans commune dans ce département (SIREN de "
                            "l'EPCI attendu)")),
            Regle("n.perimetre_type = 'COMMUNE' AND n.perimetre_code IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM communes c WHERE c.code_insee = n.perimetre_cle "
                  "AND c.departement = n.departement)",
                  "perimetre_code",
                  _litteral("commune inconnue ou hors du département de la convention (code "
                            "INSEE attendu)")),
            Regle("n.perimetre_type = 'DEPARTEMENT' AND n.perimetre_code IS NOT NULL "
                  "AND n.perimetre_code <> coalesce(n.departement, '')", "perimetre_code",
                  _litteral("code de périmètre inattendu pour une convention départementale : "
                            "laissez-le vide ou indiquez le code du département")),
            Regle("n.methode = 'DROITS_ACQUIS' AND n.droits_annuels IS NULL "
                  "AND n.b_droits_annuels IS NULL", "droits_annuels",
                  _litteral("droits annuels obligatoires pour la méthode des droits acquis")),
            Regle("n.date_signature > " + jour, "date_signature",
                  _litteral("date de signature dans le futur")),
            _reservataire_resolu(),
            _unique_dans_fichier(("bailleur_code", "reservataire_code", "perimetre_type",
                                  "perimetre_cle", "annee"), "reservataire_code",
                                 "convention (bailleur, réservataire, périmètre, année)"),
        ]
    if jeu.nom == "parc":
        return [
            _commune_connue(),
            Regle("n.logements_exclus > n.parc_total AND n.parc_total >= 0", "logements_exclus",
                  "'logements exclus supérieurs au parc total (' || n.parc_total || ')'"),
            Regle("n.b_liberations IS NULL AND n.b_taux_rotation IS NULL "
                  "AND n.liberations IS NULL AND n.taux_rotation IS NULL", "liberations",
                  _litteral("indiquez les libérations de l'année précédente ou un taux de "
                            "rotation convenu")),
            Regle("n.liberations > n.parc_total AND n.parc_total >= 0", "liberations",
                  "'libérations supérieures au parc total (' || n.parc_total || ')'"),
            _unique_dans_fichier(("bailleur_code", "code_insee", "annee"), "code_insee",
                                 "commune"),
        ]
    if jeu.nom == "mises_a_disposition":
        return [
            _commune_connue(),
            _reservataire_resolu(),
            Regle("n.categorie = 'FLUX' AND n.reservataire_valeur IS NULL", "reservataire_code",
                  _litteral("réservataire obligatoire pour une mise à disposition au titre du "
                            "flux réservataire")),
            Regle("n.issue = 'BAIL_SIGNE' AND n.date_bail IS NULL AND n.b_date_bail IS NULL",
                  "date_bail",
                  _litteral("date du bail obligatoire quand l'issue est « Bail signé »")),
            Regle("n.date_bail < n.date_mise_a_disposition", "date_bail",
                  "'date du bail antérieure à la mise à disposition (' || "
                  "strftime(n.date_mise_a_disposition, '%d/%m/%Y') || ')'"),
            Regle(f"n.date_mise_a_disposition > {jour}", "date_mise_a_disposition",
                  _litteral("date de mise à disposition dans le futur")),
            Regle(f"n.date_bail > {jour} + INTERVAL 1 YEAR", "date_bail",
                  _litteral("date du bail à plus d'un an dans le futur")),
            Regle("n.rpls IS NOT NULL AND NOT regexp_full_match(n.rpls, '[0-9A-Z]{10}')", "rpls",
                  _litteral("numéro RPLS attendu : 10 caractères (chiffres ou lettres)")),
            _unique_dans_fichier(("bailleur_code", "reference"), "reference", "référence"),
            Regle(
                "d.reference IS NOT NULL",
                "reference",
                "'référence déjà importée pour ce bailleur (import n° ' || d.import_id || "
                "', mise à disposition du ' || strftime(d.date_mise_a_disposition, '%d/%m/%Y') "
                "|| ') : une référence est unique par bailleur'",
                portee=True,
                jointures=(
                    # rows of the database outside the scope this file replaces
                    "LEFT JOIN (SELECT m.bailleur_code, m.reference, m.import_id, "
                    "m.date_mise_a_disposition FROM mises_a_disposition m "
                    "ANTI JOIN (SELECT DISTINCT bailleur_code, annee FROM {norm} "
                    "WHERE bailleur_code IS NOT NULL AND annee IS NOT NULL) s "
                    "ON s.bailleur_code = m.bailleur_code "
                    "AND s.annee = year(m.date_mise_a_disposition)) d "
                    "ON d.bailleur_code = n.bailleur_code AND d.reference = n.reference"
                ),
            ),
        ]
    if jeu.nom == "documents_epci":
        return [
            Regle("n.epci_siren IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM epci e WHERE e.epci_siren = n.epci_siren)", "epci_siren",
                  _litteral("EPCI inconnu du référentiel (SIREN d'un EPCI à fiscalité propre "
                            "attendu)")),
            _unique_dans_fichier(("epci_siren", "document"), "document", "document"),
        ]
    if jeu.nom == "communes":
        return [
            _unique_dans_fichier(("code_insee",), "code_insee", "commune"),
        ]
    return []


def _regles(jeu: Jeu, aujourd_hui: date | None) -> list[Regle]:
    return regles_colonnes(jeu) + regles_jeu(jeu, aujourd_hui or date.today())


def _par_ligne(regle: Regle) -> bool:
    """A rule that looks at one line alone (no other line, no other table)."""
    return (not regle.jointures and "{norm}" not in regle.condition
            and "SELECT" not in regle.condition.upper())


def compter(cur: duckdb.DuckDBPyConnection, jeu: Jeu, norm: str,
            aujourd_hui: date | None = None) -> int:
    """Fast path: how many (line, rule) faults there are, without spelling them out.

    `norm` holds canonical values only (no raw cells): call it once `cellules_lues` has shown
    that every non-empty cell was read. The rules that look at one line alone are checked in
    one scan; the others with their cheapest query. Zero means the file is valid.
    """
    regles = _regles(jeu, aujourd_hui)
    par_ligne = " OR ".join(f"({r.condition_rapide})" for r in regles
                            if _par_ligne(r) and r.condition_rapide)
    total = cur.execute(f"SELECT count(*) FROM {norm} n WHERE {par_ligne}").fetchone()[0]
    for r in regles:
        if _par_ligne(r) or not r.condition_rapide:
            continue
        sql = r.compte or f"SELECT count(*) FROM {{norm}} n {r.jointures} WHERE {r.condition_rapide}"
        total += cur.execute(sql.replace("{norm}", norm)).fetchone()[0]
    return total


def cellules_lues(cur: duckdb.DuckDBPyConnection, jeu: Jeu, table_lue: str, norm: str,
                  colonnes_fichier: dict[str, int]) -> bool:
    """True when every non-empty cell of the file gave a canonical value.

    Compares, column by column, the non-empty cells of the file with the canonical values (for
    columns with a default, every line must have a value). Two aggregate scans, no join.
    """
    cols = [c for c in jeu.colonnes if c.nom in colonnes_fichier]
    bruts = cur.execute("SELECT " + ", ".join(f"count(c{colonnes_fichier[c.nom]})" for c in cols)
                        + f" FROM {table_lue}").fetchone()
    types = cur.execute("SELECT count(*), " + ", ".join(f"count({c.nom})" for c in cols)
                        + f" FROM {norm}").fetchone()
    lignes = types[0]
    return all(t == (lignes if c.defaut else b) for c, b, t in zip(cols, bruts, types[1:]))


def _tronquer(valeur: str) -> str:
    """SQL of the value shown with an error: a huge cell is cut (the quarantine keeps the
    whole line)."""
    return (f"CASE WHEN length({valeur}) > {VALEUR_AFFICHEE_MAX} "
            f"THEN left({valeur}, {VALEUR_AFFICHEE_MAX}) || '…' ELSE {valeur} END")


def valider(cur: duckdb.DuckDBPyConnection, jeu: Jeu, norm: str, table: str,
            aujourd_hui: date | None = None) -> int:
    """Create temp table `table` (_ligne, colonne, valeur, message); return the error count."""
    requetes = []
    for i, r in enumerate(_regles(jeu, aujourd_hui)):
        valeur = _tronquer(r.valeur or f"n.b_{r.colonne}")
        requetes.append(
            f"SELECT n._ligne, {_litteral(r.colonne)} AS colonne, {valeur} AS valeur, "
            f"{r.message} AS message, {i} AS _regle FROM {norm} n {r.jointures} "
            f"WHERE {r.condition}"
        )
    sql = " UNION ALL ".join(requetes).replace("{norm}", norm)
    # the faults of one cell in the order of the rules (a parallel UNION has none of its own)
    cur.execute(f"CREATE TEMP TABLE {table} AS SELECT _ligne, colonne, valeur, message "
                f"FROM ({sql}) ORDER BY _ligne, colonne, _regle")
    return cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def revalider_portee(cur: duckdb.DuckDBPyConnection, jeu: Jeu, norm: str, err: str,
                     aujourd_hui: date | None = None) -> int:
    """Partial import: check the scope-dependent rules again with the scope of the lines kept,
    until no new fault appears (rejecting a line can shrink the scope). Returns the new faults."""
    regles = [r for r in _regles(jeu, aujourd_hui) if r.portee]
    ajoutees = 0
    while regles:
        gardees = f"{norm}_gardees"
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {gardees} AS SELECT n.* FROM {norm} n "
                    f"ANTI JOIN {err} e ON e._ligne = n._ligne")
        avant = cur.execute(f"SELECT count(*) FROM {err}").fetchone()[0]
        for r in regles:
            valeur = _tronquer(r.valeur or f"n.b_{r.colonne}")
            cur.execute(
                (f"INSERT INTO {err} SELECT n._ligne, {_litteral(r.colonne)}, {valeur}, "
                 f"{r.message} FROM {gardees} n {r.jointures} WHERE {r.condition}"
                 ).replace("{norm}", gardees))
        nouvelles = cur.execute(f"SELECT count(*) FROM {err}").fetchone()[0] - avant
        cur.execute(f"DROP TABLE {gardees}")
        if not nouvelles:
            break
        ajoutees += nouvelles
    return ajoutees
