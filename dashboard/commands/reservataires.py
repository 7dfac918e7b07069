"""reservataires, correspondances: the referential of réservataires and each bailleur's
correspondences (DOMAIN §3.6). A contract: scripts rely on the columns and exit statuses.

    python -m dashboard reservataires [--format table|csv|json] [--db PATH]
    python -m dashboard correspondances [--bailleur B] [--format table|csv|json] [--db PATH]
    python -m dashboard correspondances import FICHIER [--as ADRESSE --roles FICHIER] [--db PATH]
    python -m dashboard correspondances export --out FICHIER [--bailleur B] [--db PATH]

Columns: ``reservataire_code, nom, type_reservataire, territoire`` and ``bailleur_code, valeur,
reservataire_code, origine``. Exit statuses as for ``import``: 0 done, 1 file rejected (nothing
written), 2 usage error, 3 refused (rights), 4 database used by another program.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from dashboard.commands.donnees import (
    SORTIE_DROITS,
    SORTIE_OK,
    SORTIE_REJET,
    SORTIE_USAGE,
    _habilitation,
    _option_db,
    _options_utilisateur,
    _ouvrir,
    _Refus,
    _refus_en_sortie,
)

FORMATS = ("table", "csv", "json")
# French headings of the table for people (csv and json keep the contract's column names).
EN_TETES = {"reservataire_code": "Code", "nom": "Nom", "type_reservataire": "Type",
            "territoire": "Territoire", "bailleur_code": "Bailleur", "valeur": "Valeur écrite",
            "origine": "Origine"}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "reservataires", help="liste le référentiel des réservataires",
        description="Le référentiel des réservataires : une identité par réservataire (code, "
                    "nom, type, territoire).")
    _format(p)
    _option_db(p)
    p.set_defaults(func=commande_reservataires)

    p = subparsers.add_parser(
        "correspondances", help="correspondances des réservataires de chaque bailleur",
        description="Les correspondances de chaque bailleur : une valeur écrite dans ses "
                    "fichiers → un réservataire du référentiel. Sans action : la liste.")
    p.add_argument("--bailleur", metavar="B", help="seulement ce bailleur")
    _format(p)
    _option_db(p)
    p.set_defaults(func=commande_correspondances)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    i = actions.add_parser(
        "import", help="importe un fichier de correspondances (tout ou rien)",
        description="Importe un fichier CSV bailleur_code;valeur;reservataire_code (et "
                    "nom;type_reservataire pour créer un réservataire Autre). Tout ou rien. "
                    "Sortie : 0 fait, 1 fichier rejeté (rien n'est écrit), 2 erreur "
                    "d'utilisation, 3 refusé (droits insuffisants), 4 base utilisée par un "
                    "autre programme.")
    i.add_argument("fichier", metavar="FICHIER", help="fichier CSV des correspondances")
    _option_db(i)
    _options_utilisateur(i)
    i.set_defaults(func=commande_correspondances_import)
    e = actions.add_parser(
        "export", help="écrit les correspondances dans un fichier CSV",
        description="Écrit les correspondances (et le nom de chaque réservataire) dans un "
                    "fichier CSV que `correspondances import` relit.")
    e.add_argument("--out", required=True, metavar="FICHIER", help="fichier CSV à écrire")
    e.add_argument("--bailleur", metavar="B", dest="bailleur_export",
                   help="seulement ce bailleur")
    _option_db(e)
    e.set_defaults(func=commande_correspondances_export)


def _format(parser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table (lecture), csv ou json (machines)")


def _sortir(df, fmt: str, titre: str, vide: str) -> None:
    from dashboard import formatting

    if fmt == "csv":
        texte = formatting.vers_csv(df)
    elif fmt == "json":
        texte = formatting.vers_json(df)
    elif df.empty:
        texte = f"{titre}\n\n{vide}"
    else:
        texte = f"{titre}\n\n" + formatting.table_texte(
            df.fillna("").rename(columns=EN_TETES))
    sys.stdout.write(texte if texte.endswith("\n") else texte + "\n")


@_refus_en_sortie
def commande_reservataires(args) -> int:
    from dashboard.referentiel import lister

    con = _ouvrir(args.db)
    try:
        df = lister(con)
    finally:
        con.close()
    _sortir(df, args.format, f"Référentiel des réservataires ({len(df)} identités)",
            "Aucun réservataire.")
    return SORTIE_OK


@_refus_en_sortie
def commande_correspondances(args) -> int:
    from data_loaders.correspondances import lister

    con = _ouvrir(args.db)
    try:
        df = lister(con, args.bailleur.upper() if args.bailleur else None)
    finally:
        con.close()
    titre = "Correspondances des réservataires" + (f" — {args.bailleur.upper()}"
                                                   if args.bailleur else "")
    _sortir(df, args.format, titre, "Aucune correspondance.")
    return SORTIE_OK


@_refus_en_sortie
def commande_correspondances_import(args) -> int:
    from dashboard.habilitations import DroitsInsuffisants
    from data_loaders import FichierRejete
    from data_loaders.correspondances import importer_fichier

    fichier = Path(args.fichier)
    if not fichier.is_file():
        print(f"Erreur d'utilisation : fichier introuvable : {fichier}", file=sys.stderr)
        return SORTIE_USAGE
    habilitation = _habilitation(args)
    con = _ouvrir(args.db)
    try:
        resultat = importer_fichier(con, fichier, habilitation=habilitation)
    except DroitsInsuffisants as exc:
        raise _Refus(f"Refusé : {exc}", SORTIE_DROITS) from None
    except FichierRejete as exc:
        print(f"Fichier rejeté : rien n'a été écrit. {len(exc.erreurs)} erreur(s) :",
              file=sys.stderr)
        for e in exc.erreurs:
            valeur = f" (valeur « {e.valeur} »)" if e.valeur is not None else ""
            print(f"  - {e}{valeur}", file=sys.stderr)
        return SORTIE_REJET
    finally:
        con.close()
    print(resultat.message)
    return SORTIE_OK


@_refus_en_sortie
def commande_correspondances_export(args) -> int:
    from data_loaders.correspondances import exporter

    sortie = Path(args.out)
    if not sortie.parent.is_dir():
        print(f"Erreur d'utilisation : dossier introuvable : {sortie.parent}", file=sys.stderr)
        return SORTIE_USAGE
    con = _ouvrir(args.db)
    try:
        contenu = exporter(con, args.bailleur_export.upper() if args.bailleur_export else None)
    finally:
        con.close()
    fd, provisoire = tempfile.mkstemp(dir=sortie.parent, prefix=f".{sortie.name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(contenu)
    os.chmod(provisoire, 0o666 & ~_umask())
    os.replace(provisoire, sortie)
    lignes = contenu.count(b"\n") - 1
    print(f"{lignes} correspondance{'s' if lignes > 1 else ''} écrite{'s' if lignes > 1 else ''}"
          f" dans {sortie}.")
    return SORTIE_OK


def _umask() -> int:
    masque = os.umask(0)
    os.umask(masque)
    return masque

