"""init, import, imports, rollback: the data commands (a contract: scripts rely on them).

Exit status of ``import``: 0 imported (or nothing to do), 1 file rejected (nothing written;
rows outside the user's bailleur codes or départements are such line errors), 2 usage error
(roles file invalid included), 3 refused: the user may not import this kind of data, 4 the
database is in use by another program (the app, another import): nothing written, try again.
Exit status of ``rollback``: 0 rolled back, 1 rollback impossible (not in force…), 2 usage
error, 3 refused: only an admin may roll back, 4 database in use.

``--as EMAIL --roles FILE`` (or $FLUX_ROLES) on ``import`` and ``rollback`` act for that user
with the rights the roles file gives (dashboard.habilitations), and the journal records EMAIL.
Without ``--as`` the command has every right and the journal records the OS user.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dashboard import vocabulaire as voc
from dashboard.store import db_path

SORTIE_OK, SORTIE_REJET, SORTIE_USAGE, SORTIE_DROITS, SORTIE_OCCUPEE = 0, 1, 2, 3, 4


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "init", help="crée ou met à jour la base et charge le référentiel des communes",
        description="Crée ou met à niveau le schéma de la base, charge les communes et EPCI de "
                    "PACA ; avec --sample, ajoute les jeux de données d'exemple.")
    _option_db(p)
    p.add_argument("--sample", action="store_true",
                   help="ajoute les données d'exemple (PACA 2024-2026)")
    p.set_defaults(func=commande_init)

    p = subparsers.add_parser(
        "import", help="importe un fichier CSV ou Excel",
        description="Importe un fichier CSV ou Excel (.xlsx). Sortie : 0 importé (ou rien à "
                    "faire), 1 fichier rejeté (rien n'est écrit), 2 erreur d'utilisation, "
                    "3 refusé (droits insuffisants), 4 base utilisée par un autre programme.")
    p.add_argument("type_donnees", metavar="TYPE", choices=list(voc.TYPES_DONNEES),
                   help="type de données : " + ", ".join(voc.TYPES_DONNEES))
    p.add_argument("fichier", metavar="FICHIER", help="fichier .csv ou .xlsx")
    _option_db(p)
    p.add_argument("--mapping", metavar="MAP.json",
                   help="correspondance explicite {\"colonne\": \"En-tête du fichier\"}")
    p.add_argument("--sheet", metavar="NOM", help="feuille du classeur (par défaut la première)")
    p.add_argument("--partial", action="store_true",
                   help="importe les lignes valides et met les autres en quarantaine")
    p.add_argument("--json", action="store_true", help="affiche le compte rendu en JSON")
    _options_utilisateur(p)
    p.set_defaults(func=commande_import)

    p = subparsers.add_parser("imports", help="affiche le journal des imports",
                              description="Affiche le journal des imports, le plus récent d'abord.")
    _option_db(p)
    p.set_defaults(func=commande_imports)

    p = subparsers.add_parser(
        "rollback", help="annule un import et rétablit celui qu'il avait remplacé",
        description="Annule un import en vigueur : ses lignes sont retirées et l'import qu'il "
                    "avait remplacé est rétabli. Sortie : 0 annulé, 1 annulation impossible, "
                    "2 erreur d'utilisation, 3 refusé (seul un administrateur annule), 4 base "
                    "utilisée par un autre programme.")
    p.add_argument("import_id", metavar="IMPORT_ID", type=int, help="numéro de l'import")
    _option_db(p)
    _options_utilisateur(p)
    p.set_defaults(func=commande_rollback)


def _option_db(parser) -> None:
    parser.add_argument("--db", metavar="CHEMIN", default=None,
                        help=f"fichier de la base DuckDB (défaut : $FLUX_DB ou {db_path(None)})")


def _options_utilisateur(parser) -> None:
    parser.add_argument("--as", dest="en_tant_que", metavar="EMAIL", default=None,
                        help="agit pour cet utilisateur, avec les droits du fichier des rôles")
    parser.add_argument("--roles", metavar="FICHIER", default=None,
                        help="fichier des rôles (TOML, voir roles.exemple.toml ; défaut : "
                             "$FLUX_ROLES)")


class _Refus(Exception):
    """A command stops early: its French message and its exit status."""

    def __init__(self, message: str, sortie: int):
        super().__init__(message)
        self.sortie = sortie


def _habilitation(args):
    """The rights given by --as/--roles (None: every right, no --as)."""
    from dashboard.habilitations import (
        DroitsInsuffisants,
        FichierRolesInvalide,
        chemin_roles,
        lire_roles,
    )

    if args.en_tant_que is None:
        if args.roles:
            raise _Refus("Erreur d'utilisation : --roles va avec --as EMAIL.", SORTIE_USAGE)
        return None
    chemin = chemin_roles(args.roles)
    if chemin is None:
        raise _Refus("Erreur d'utilisation : --as demande un fichier des rôles (--roles "
                     "FICHIER ou variable FLUX_ROLES).", SORTIE_USAGE)
    try:
        roles = lire_roles(chemin)
    except FichierRolesInvalide as exc:
        raise _Refus(f"Erreur d'utilisation : fichier des rôles invalide.\n{exc}",
                     SORTIE_USAGE) from None
    try:
        return roles.habilitation(args.en_tant_que)
    except DroitsInsuffisants as exc:
        raise _Refus(f"Refusé : {exc}", SORTIE_DROITS) from None


def _ouvrir(db):
    from dashboard.initialisation import ouvrir
    from dashboard.store import BaseOccupee

    try:
        return ouvrir(db)
    except BaseOccupee as exc:
        raise _Refus(f"Base occupée : {exc}", SORTIE_OCCUPEE) from None


def _refus_en_sortie(commande):
    """Print a _Refus on stderr and return its exit status."""
    import functools

    @functools.wraps(commande)
    def executer(args) -> int:
        try:
            return commande(args)
        except _Refus as exc:
            print(exc, file=sys.stderr)
            return exc.sortie
    return executer


@_refus_en_sortie
def commande_init(args) -> int:
    from dashboard.initialisation import initialiser
    from dashboard.store import BaseOccupee

    try:
        con, rapports = initialiser(args.db, exemple=args.sample)
    except BaseOccupee as exc:
        raise _Refus(f"Base occupée : {exc}", SORTIE_OCCUPEE) from None
    communes = con.execute("SELECT count(*) FROM communes").fetchone()[0]
    epci = con.execute("SELECT count(*) FROM epci").fetchone()[0]
    print(f"Base prête : {db_path(args.db)} ({communes} communes, {epci} EPCI).")
    for r in rapports:
        print(f"  {r.nom_fichier} : {r.message}")
    con.close()
    return SORTIE_OK


@_refus_en_sortie
def commande_import(args) -> int:
    from dashboard.habilitations import DroitsInsuffisants
    from data_loaders import REJETE, importer

    fichier = Path(args.fichier)
    if not fichier.is_file():
        print(f"Erreur d'utilisation : fichier introuvable : {fichier}", file=sys.stderr)
        return SORTIE_USAGE
    if args.mapping and not Path(args.mapping).is_file():
        print(f"Erreur d'utilisation : fichier de correspondance introuvable : {args.mapping}",
              file=sys.stderr)
        return SORTIE_USAGE
    habilitation = _habilitation(args)
    if habilitation is not None:
        try:
            habilitation.verifier_import(args.type_donnees)
        except DroitsInsuffisants as exc:
            raise _Refus(f"Refusé : {exc}", SORTIE_DROITS) from None
    con = _ouvrir(args.db)
    try:
        rapport = importer(con, args.type_donnees, fichier, mapping=args.mapping,
                           feuille=args.sheet, partiel=args.partial, habilitation=habilitation)
    finally:
        con.close()
    if args.json:
        print(json.dumps(rapport.as_json(), ensure_ascii=False))
    else:
        _afficher_rapport(rapport)
    return SORTIE_REJET if rapport.statut == REJETE else SORTIE_OK


def _afficher_rapport(rapport) -> None:
    lecture = rapport.lecture
    if lecture is not None:
        print(f"{rapport.nom_fichier} : "
              + " ; ".join(f"{nom.lower()} {valeur}" for nom, valeur in lecture.description()))
    if rapport.correspondance is not None and rapport.correspondance.ignorees:
        print("Colonnes ignorées : " + ", ".join(f"« {c} »" for c in rapport.correspondance.ignorees))
    print(rapport.message)
    if rapport.erreurs:
        print(f"{len(rapport.erreurs)} erreur(s) :")
        for e in rapport.erreurs:
            valeur = f" (valeur « {e.valeur} »)" if e.valeur is not None else ""
            print(f"  - {e}{valeur}")


@_refus_en_sortie
def commande_imports(args) -> int:
    from data_loaders import journal

    con = _ouvrir(args.db)
    try:
        df = journal(con)
    finally:
        con.close()
    if df.empty:
        print("Aucun import dans le journal.")
        return SORTIE_OK
    df = df.drop(columns=["sha256"])
    df["statut"] = df["statut"].map(lambda s: f"{s} ({voc.STATUTS_IMPORT.get(s, s)})")
    for col in ("horodatage", "annule_le"):
        df[col] = df[col].dt.strftime("%d/%m/%Y %H:%M").fillna("")
    df["annule_par"] = df["annule_par"].fillna("")
    # A conventions file can span dozens of bailleurs: the scope is cut to keep one line each.
    df["perimetre"] = df["perimetre"].map(lambda p: p if len(p) <= 60 else p[:59] + "…")
    df.columns = ["N°", "Type", "Périmètre", "Fichier", "Lues", "Importées", "Rejetées",
                  "Statut", "Utilisateur", "Date", "Annulé par", "Annulé le"]
    print(df.to_string(index=False))
    return SORTIE_OK


@_refus_en_sortie
def commande_rollback(args) -> int:
    from dashboard.habilitations import DroitsInsuffisants
    from data_loaders import AnnulationImpossible, annuler

    habilitation = _habilitation(args)
    if habilitation is not None:
        try:
            habilitation.verifier_annulation()
        except DroitsInsuffisants as exc:
            raise _Refus(f"Refusé : {exc}", SORTIE_DROITS) from None
    con = _ouvrir(args.db)
    try:
        print(annuler(con, args.import_id, habilitation=habilitation))
    except AnnulationImpossible as exc:
        print(f"Annulation impossible : {exc}", file=sys.stderr)
        return SORTIE_REJET
    finally:
        con.close()
    return SORTIE_OK
