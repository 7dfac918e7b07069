"""Keeping the correspondences of réservataires (DOMAIN §3.6): list, set, import, export.

A correspondence says, for one bailleur, which identity of the referential a value written in
its files means (`PREF13` → `ETAT-13`). Setting one (by hand on the import page, or from a CSV
file with ``python -m dashboard correspondances import``) re-attaches, in the same transaction,
the rows already imported with that value (live rows and archived ones, so that a rollback
brings back rows attached alike), and journals it with the number of rows re-attached. A file
of correspondences is all or nothing: one bad line and nothing is written.

File format (CSV, `;` `,` or tab, UTF-8 or Windows-1252): ``bailleur_code;valeur;
reservataire_code`` and optionally ``nom;type_reservataire`` to create an ``AUTRE`` identity
that the referential does not hold yet.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import referentiel as ref
from dashboard.habilitations import Habilitation, utilisateur_local
from dashboard.store import verrou_ecriture
from dashboard.vocabulaire import TYPES_RESERVATAIRE
from data_loaders.errors import Erreur, FichierRejete
from data_loaders.identites import CODE_AUTRE, MANUELLE
from data_loaders.normalisation import CLE_SQL
from data_loaders.specs import cle

COLONNES = ["bailleur_code", "valeur", "reservataire_code", "origine"]
COLONNES_FICHIER = ("bailleur_code", "valeur", "reservataire_code")
COLONNES_FACULTATIVES = ("nom", "type_reservataire")
# Columns an export writes that an import reads back without using them (said in the report).
COLONNES_INFORMATIVES = ("origine",)
TAILLE_MAX = 20 * 1024 * 1024


@dataclass(frozen=True)
class Definition:
    """One correspondence to set: `nom` creates an AUTRE identity when the code is new."""

    bailleur_code: str
    valeur: str
    reservataire_code: str
    nom: str | None = None
    ligne: int | None = None
    type_reservataire: str | None = None     # as written; only AUTRE may be created


@dataclass
class Resultat:
    definies: int = 0               # correspondences written (new or changed)
    inchangees: int = 0             # already so
    lignes_rattachees: int = 0      # rows of conventions and MAD re-attached
    identites_creees: list[str] | None = None
    remarques: list[str] | None = None

    @property
    def message(self) -> str:
        parties = [f"{self.definies} correspondance{'s' if self.definies > 1 else ''} "
                   f"enregistrée{'s' if self.definies > 1 else ''}"]
        if self.inchangees:
            parties.append(f"{self.inchangees} déjà en place")
        parties.append(f"{self.lignes_rattachees} ligne{'s' if self.lignes_rattachees > 1 else ''}"
                       f" rattachée{'s' if self.lignes_rattachees > 1 else ''}")
        if self.identites_creees:
            parties.append("réservataire(s) créé(s) : " + ", ".join(self.identites_creees))
        texte = " ; ".join(parties) + "."
        if self.remarques:
            texte += " " + " ".join(self.remarques)
        return texte


def lister(con: duckdb.DuckDBPyConnection, bailleur: str | None = None) -> pd.DataFrame:
    """The correspondences (contract of `python -m dashboard correspondances`): bailleur_code,
    valeur, reservataire_code, origine — by bailleur then value."""
    cur = con.cursor()
    try:
        where = "WHERE bailleur_code = $b" if bailleur else ""
        return cur.execute(
            f"SELECT {', '.join(COLONNES)} FROM correspondances {where} "
            "ORDER BY bailleur_code, cle", {"b": bailleur} if bailleur else {}).df()
    finally:
        cur.close()


def exporter(con: duckdb.DuckDBPyConnection,
             bailleur: str | list[str] | tuple[str, ...] | None = None) -> bytes:
    """The correspondences (of one bailleur or of several) as a CSV file that
    `importer_fichier` reads back (`;`, UTF-8 with BOM for French Excel), with each identity's
    name for the reader."""
    bailleurs = [bailleur] if isinstance(bailleur, str) else (
        None if bailleur is None else list(bailleur))
    cur = con.cursor()
    try:
        where = "WHERE list_contains($b, c.bailleur_code)" if bailleurs is not None else ""
        df = cur.execute(
            "SELECT c.bailleur_code, c.valeur, c.reservataire_code, c.origine, r.nom, "
            "r.type_reservataire FROM correspondances c LEFT JOIN reservataires r "
            f"USING (reservataire_code) {where} ORDER BY c.bailleur_code, c.cle",
            {"b": bailleurs} if bailleurs is not None else {}).df()
    finally:
        cur.close()
    tampon = io.StringIO()
    writer = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(df.columns))
    for ligne in df.itertuples(index=False):
        writer.writerow([_neutraliser("" if v is None or v != v else str(v)) for v in ligne])
    return tampon.getvalue().encode("utf-8-sig")


def _neutraliser(texte: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + texte if texte[:1] in ("=", "+", "-", "@") and not _CODE.fullmatch(texte) else texte


_CODE = re.compile(r"-?[0-9]+([.,][0-9]+)?")


def lire_fichier(source: str | os.PathLike | bytes, nom_fichier: str | None = None
                 ) -> tuple[list[Definition], list[Erreur], list[str]]:
    """The definitions of a correspondences file, the errors of its lines (checked again with
    the definitions' own by `definir`), and remarks on columns read but not used.
    FichierRejete when the file itself cannot be read."""
    from data_loaders.lecture_csv import _decoder, _separateur

    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        chemin = Path(source)
        if not chemin.is_file():
            raise FichierRejete([Erreur(None, None, str(chemin), "Fichier introuvable.")])
        if chemin.stat().st_size > TAILLE_MAX:
            raise FichierRejete([Erreur(None, None, None, "Fichier de correspondances trop "
                                        "volumineux (20 Mo au plus).")])
        data = chemin.read_bytes()
    if not data.strip():
        raise FichierRejete([Erreur(None, None, None, "Le fichier est vide.")])
    texte, _ = _decoder(data)
    lignes = texte.splitlines()
    sep = _separateur(lignes[0])
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=sep)
    entetes = [cle(h) for h in next(lecteur)]
    attendues = {cle(c): c for c in COLONNES_FICHIER + COLONNES_FACULTATIVES}
    manquantes = [c for c in COLONNES_FICHIER if cle(c) not in entetes]
    if manquantes:
        raise FichierRejete([Erreur(1, c, None,
                                    f"Colonne obligatoire « {c} » introuvable : le fichier doit "
                                    "avoir les en-têtes bailleur_code;valeur;reservataire_code "
                                    "(et, pour créer un réservataire Autre, nom;"
                                    "type_reservataire).") for c in manquantes])
    inconnues = [h for h in entetes if h not in attendues and h not in
                 {cle(c) for c in COLONNES_INFORMATIVES}]
    if inconnues:
        raise FichierRejete([Erreur(1, None, h, f"Colonne « {h} » inconnue : colonnes possibles "
                                    "bailleur_code, valeur, reservataire_code, nom, "
                                    "type_reservataire.") for h in inconnues])
    remarques = [f"Colonne « {c} » lue mais non utilisée (une correspondance importée est "
                 "manuelle)." for c in COLONNES_INFORMATIVES if cle(c) in entetes]
    position = {attendues[h]: i for i, h in enumerate(entetes) if h in attendues}
    definitions, erreurs = [], []
    for champs in lecteur:
        numero = lecteur.line_num
        if not any(c.strip() for c in champs):
            continue
        valeurs = {c: (champs[i].strip() if i < len(champs) else "") for c, i in position.items()}
        for c in COLONNES_FICHIER:
            if not valeurs[c]:
                erreurs.append(Erreur(numero, c, None, f"valeur obligatoire manquante ({c})"))
        if all(valeurs[c] for c in COLONNES_FICHIER):
            definitions.append(Definition(valeurs["bailleur_code"].upper(), valeurs["valeur"],
                                          valeurs["reservataire_code"].upper(),
                                          valeurs.get("nom") or None, numero,
                                          valeurs.get("type_reservataire") or None))
    if not definitions and not erreurs:
        raise FichierRejete([Erreur(None, None, None, "Aucune correspondance dans le fichier.")])
    return definitions, erreurs, remarques


def importer_fichier(con: duckdb.DuckDBPyConnection, source, nom_fichier: str | None = None, *,
                     utilisateur: str | None = None,
                     habilitation: Habilitation | None = None) -> Resultat:
    """Set every correspondence of a file (all or nothing)."""
    definitions, erreurs, remarques = lire_fichier(source, nom_fichier)
    resultat = definir(con, definitions, utilisateur=utilisateur, habilitation=habilitation,
                       erreurs=erreurs)
    resultat.remarques = remarques
    return resultat


def definir(con: duckdb.DuckDBPyConnection, definitions: list[Definition], *,
            origine: str = MANUELLE, utilisateur: str | None = None,
            habilitation: Habilitation | None = None,
            erreurs: list[Erreur] | None = None) -> Resultat:
    """Set correspondences in one transaction: check them all (unknown code, a value given two
    identities, rows that would contradict their convention), then write, re-attach the rows
    and journal. FichierRejete (nothing written) on the first check that fails."""
    if habilitation is not None:
        habilitation.verifier_correspondances({d.bailleur_code for d in definitions})
        utilisateur = habilitation.utilisateur
    utilisateur = utilisateur or utilisateur_local()
    with verrou_ecriture(con):
        cur = con.cursor()
        try:
            return _definir(cur, definitions, origine, utilisateur, erreurs or [])
        finally:
            cur.close()


def _definir(cur, definitions: list[Definition], origine: str, utilisateur: str,
             erreurs: list[Erreur]) -> Resultat:
    connues = {r[0]: r[1] for r in cur.execute(
        "SELECT reservataire_code, type_reservataire FROM reservataires").fetchall()}
    erreurs = list(erreurs)
    vues: dict[tuple[str, str], Definition] = {}
    a_creer: dict[str, str] = {}
    for d in definitions:
        cle_v = (d.bailleur_code, cle(d.valeur))
        if not cle_v[1]:
            erreurs.append(Erreur(d.ligne, "valeur", d.valeur, "valeur vide une fois les espaces "
                                  "et la ponctuation retirés"))
            continue
        autre = vues.get(cle_v)
        if autre is not None and autre.reservataire_code != d.reservataire_code:
            erreurs.append(Erreur(d.ligne, "valeur", d.valeur,
                                  f"« {d.valeur} » est déjà associée à {autre.reservataire_code} "
                                  f"pour {d.bailleur_code}"
                                  + (f" (ligne {autre.ligne})" if autre.ligne else "")
                                  + " : une valeur désigne un seul réservataire"))
            continue
        vues[cle_v] = d
        if d.reservataire_code not in connues and d.reservataire_code not in a_creer:
            if d.nom and d.type_reservataire and cle(d.type_reservataire) not in (
                    cle("AUTRE"), cle(TYPES_RESERVATAIRE["AUTRE"])):
                erreurs.append(Erreur(d.ligne, "type_reservataire", d.type_reservataire,
                                      f"réservataire « {d.reservataire_code} » inconnu : seuls "
                                      "les réservataires de type Autre (AUTRE) se créent ici ; "
                                      "les autres (État, communes, EPCI…) existent déjà dans le "
                                      "référentiel sous leur code (ETAT-13, COM-06088…)"))
            elif d.nom:
                if not CODE_AUTRE.fullmatch(d.reservataire_code):
                    erreurs.append(Erreur(d.ligne, "reservataire_code", d.reservataire_code,
                                          "code de réservataire à créer invalide : 2 à 30 "
                                          "lettres, chiffres, tirets (ex. AUT-CAF13)"))
                else:
                    a_creer[d.reservataire_code] = d.nom
            else:
                erreurs.append(Erreur(d.ligne, "reservataire_code", d.reservataire_code,
                                      f"réservataire « {d.reservataire_code} » inconnu du "
                                      "référentiel (voir `python -m dashboard reservataires`) ; "
                                      "pour créer un réservataire Autre, donnez aussi son nom "
                                      "(colonne nom)"))
    if erreurs:
        raise FichierRejete(sorted(erreurs, key=lambda e: e.ligne or 0))
    types = connues | {code: "AUTRE" for code in a_creer}
    maintenant = datetime.now()
    resultat = Resultat(identites_creees=sorted(a_creer))
    cur.execute("BEGIN TRANSACTION")
    try:
        for code, nom in a_creer.items():
            cur.execute("INSERT INTO reservataires VALUES (?, ?, 'AUTRE', NULL, ?, ?, ?)",
                        [code, nom, ref.ORIGINE_MANUELLE, utilisateur, maintenant])
        for d in vues.values():
            k = cle(d.valeur)
            ancien = cur.execute("SELECT reservataire_code, origine FROM correspondances "
                                 "WHERE bailleur_code = ? AND cle = ?",
                                 [d.bailleur_code, k]).fetchone()
            if ancien and ancien[0] == d.reservataire_code:
                resultat.inchangees += 1
                continue
            _verifier_conventions(cur, d, k, types[d.reservataire_code])
            cur.execute("DELETE FROM correspondances WHERE bailleur_code = ? AND cle = ?",
                        [d.bailleur_code, k])
            cur.execute("INSERT INTO correspondances VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [d.bailleur_code, d.valeur, k, d.reservataire_code, origine, utilisateur,
                         maintenant])
            rattachees = _rattacher(cur, d.bailleur_code, k, d.reservataire_code)
            cur.execute("INSERT INTO journal_correspondances VALUES "
                        "(nextval('seq_correspondance'), ?, ?, ?, ?, ?, ?, ?, ?)",
                        [d.bailleur_code, d.valeur, ancien[0] if ancien else None,
                         d.reservataire_code, origine, rattachees, utilisateur, maintenant])
            resultat.definies += 1
            resultat.lignes_rattachees += rattachees
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return resultat


_TABLES = ("mises_a_disposition", "archive_mises_a_disposition", "conventions",
           "archive_conventions")


def _condition() -> str:
    return (f"bailleur_code = $b AND reservataire_valeur IS NOT NULL "
            f"AND {CLE_SQL.format(x='reservataire_valeur')} = $k")


def _verifier_conventions(cur, d: Definition, k: str, type_cible: str) -> None:
    """Conventions written with that value must stay coherent: same type as the identity,
    and no two conventions of the same key once re-attached."""
    contradictoires = cur.execute(
        f"SELECT DISTINCT type_reservataire FROM conventions WHERE {_condition()} "
        "AND type_reservataire <> $t", {"b": d.bailleur_code, "k": k, "t": type_cible}).fetchall()
    if contradictoires:
        types = ", ".join(TYPES_RESERVATAIRE.get(t, t) for (t,) in contradictoires)
        raise FichierRejete([Erreur(d.ligne, "reservataire_code", d.reservataire_code,
                                    f"les conventions de {d.bailleur_code} écrites « {d.valeur} »"
                                    f" sont de type {types} : elles ne peuvent pas désigner "
                                    f"{d.reservataire_code} "
                                    f"({TYPES_RESERVATAIRE.get(type_cible, type_cible)})")])
    doublons = cur.execute(
        f"""SELECT count(*) FROM (
                SELECT bailleur_code, perimetre_type, perimetre_code, annee FROM conventions
                WHERE bailleur_code = $b AND (reservataire_code = $c OR ({_condition()}))
                GROUP BY ALL HAVING count(*) > 1)""",
        {"b": d.bailleur_code, "k": k, "c": d.reservataire_code}).fetchone()[0]
    if doublons:
        raise FichierRejete([Erreur(d.ligne, "reservataire_code", d.reservataire_code,
                                    f"{d.bailleur_code} a déjà une convention avec "
                                    f"{d.reservataire_code} sur le même périmètre et la même "
                                    f"année que ses conventions écrites « {d.valeur} » : deux "
                                    "conventions seraient en double")])


def _rattacher(cur, bailleur: str, k: str, code: str) -> int:
    """Re-attach the rows written with that value; returns the live rows changed."""
    total = 0
    for table in _TABLES:
        n = cur.execute(
            f"UPDATE {table} SET reservataire_code = $c WHERE {_condition()} "
            "AND reservataire_code IS DISTINCT FROM $c",
            {"b": bailleur, "k": k, "c": code}).fetchone()[0]
        if not table.startswith("archive_"):
            total += n
    return total
