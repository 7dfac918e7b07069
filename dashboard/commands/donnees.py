"""init, import, imports, rollback: the data commands (a contract: scripts rely on them).

Exit status of ``import``: 0 imported (or nothing to do), 1 file rejected (nothing written),
2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dashboard import vocabulaire as voc
from dashboard.store import db_path

SORTIE_OK, SORTIE_REJET, SORTIE_USAGE = 0, 1, 2


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
                    "faire), 1 fichier rejeté (rien n'est écrit), 2 erreur d'utilisation.")
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
    p.set_defaults(func=commande_import)

    p = subparsers.add_parser("imports", help="affiche le journal des imports",
                              description="Affiche le journal des imports, le plus récent d'abord.")
    _option_db(p)
    p.set_defaults(func=commande_imports)

    p = subparsers.add_parser(
        "rollback", help="annule un import et rétablit celui qu'il avait remplacé",
        description="Annule un import en vigueur : ses lignes sont retirées et l'import qu'il "
                    "avait remplacé est rétabli.")
    p.add_argument("import_id", metavar="IMPORT_ID", type=int, help="numéro de l'import")
    _option_db(p)
    p.set_defaults(func=commande_rollback)


def _option_db(parser) -> None:
    parser.add_argument("--db", metavar="CHEMIN", default=None,
                        help=f"fichier de la base DuckDB (défaut : $FLUX_DB ou {db_path(None)})")


def commande_init(args) -> int:
    from dashboard.initialisation import initialiser

    con, rapports = initialiser(args.db, exemple=args.sample)
    communes = con.execute("SELECT count(*) FROM communes").fetchone()[0]
    epci = con.execute("SELECT count(*) FROM epci").fetchone()[0]
    print(f"Base prête : {db_path(args.db)} ({communes} communes, {epci} EPCI).")
    for r in rapports:
        print(f"  {r.nom_fichier} : {r.message}")
    con.close()
    return SORTIE_OK


def commande_import(args) -> int:
    from data_loaders import REJETE, importer
    from dashboard.initialisation import ouvrir

    fichier = Path(args.fichier)
    if not fichier.is_file():
        print(f"Erreur d'utilisation : fichier introuvable : {fichier}", file=sys.stderr)
        return SORTIE_USAGE
    if args.mapping and not Path(args.mapping).is_file():
        print(f"Erreur d'utilisation : fichier de correspondance introuvable : {args.mapping}",
              file=sys.stderr)
        return SORTIE_USAGE
    con = ouvrir(args.db)
    try:
        rapport = importer(con, args.type_donnees, fichier, mapping=args.mapping,
                           feuille=args.sheet, partiel=args.partial)
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


def commande_imports(args) -> int:
    from data_loaders import journal
    from dashboard.initialisation import ouvrir

    con = ouvrir(args.db)
    try:
        df = journal(con)
    finally:
        con.close()
    if df.empty:
        print("Aucun import dans le journal.")
        return SORTIE_OK
    df = df.drop(columns=["sha256"])
    df["statut"] = df["statut"].map(lambda s: f"{s} ({voc.STATUTS_IMPORT.get(s, s)})")
    df["horodatage"] = df["horodatage"].dt.strftime("%d/%m/%Y %H:%M")
    df.columns = ["N°", "Type", "Périmètre", "Fichier", "Lues", "Importées", "Rejetées",
                  "Statut", "Utilisateur", "Date"]
    print(df.to_string(index=False))
    return SORTIE_OK


def commande_rollback(args) -> int:
    from data_loaders import AnnulationImpossible, annuler
    from dashboard.initialisation import ouvrir

    con = ouvrir(args.db)
    try:
        print(annuler(con, args.import_id))
    except AnnulationImpossible as exc:
        print(f"Annulation impossible : {exc}", file=sys.stderr)
        return SORTIE_REJET
    finally:
        con.close()
    return SORTIE_OK
