"""``orienter``: which réservataire the next freed dwelling of a bailleur goes to (issue 8).

    python -m dashboard orienter --bailleur B --commune INSEE [--date YYYY-MM-DD]
        [--format table|csv|json] [--db PATH]

Columns (a contract): ``rang, reservataire_code, libelle, droits_prevus, mises_a_disposition,
retard, retard_relatif, motif``, rang 1 = the réservataire to offer the dwelling to; the
bailleur's own non-reserved share is the row ``NON_RESERVE``. The rules (candidates, pro rata by
day, ranking) are in ``dashboard.metrics.orientation``. ``--date`` defaults to today.

``csv`` and ``json`` follow the machine rules of the other commands (``formatting.vers_csv`` /
``vers_json``: dot decimals, droits to 2 decimals, undefined values empty / null); ``table`` is
for people: the ranking with French figures, then each rank's motif on its own line.
Exit status: 0 ok; 1 the database cannot be read (not a database, or held by another process),
or the bailleur or the commune is unknown (French message); 2 usage error (as the other
commands: bad option or value, database file missing).
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

import duckdb

from dashboard import formatting, store
from dashboard.commands.bilans import _ecrire, _erreur, _machine, _ouvrir, _sortie
from dashboard.metrics.libelles import noms_bailleurs
from dashboard.metrics.orientation import (
    COLONNES_ORIENTATION,
    ElementInconnu,
    orienter,
    verifier_commune,
)


def _date(texte: str) -> date:
    """``2025-06-30`` (the contract's form) or ``30/06/2025``."""
    for forme in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(texte.strip(), forme).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(
        f"date invalide : {texte!r} (attendu : AAAA-MM-JJ, par exemple 2025-06-30)")


def register(subparsers) -> None:
    """Add the sub-command ``orienter``."""
    p = subparsers.add_parser(
        "orienter",
        help="à quel réservataire proposer le prochain logement libéré d'un bailleur",
        description=(
            "Aide à l'orientation d'un logement libéré : les réservataires dont la convention "
            "de l'année couvre la commune, et la part non réservée du bailleur, classés du plus "
            "en retard au moins en retard sur leurs droits au prorata des jours écoulés (rang 1 "
            "= réservataire à qui proposer le logement), chacun avec son motif."
        ),
    )
    p.add_argument("--bailleur", required=True, metavar="CODE", help="code du bailleur")
    p.add_argument("--commune", required=True, metavar="INSEE",
                   help="code INSEE de la commune du logement libéré, ex. 13055")
    p.add_argument("--date", type=_date, default=None, metavar="AAAA-MM-JJ",
                   help="date de l'orientation (défaut : aujourd'hui)")
    _sortie(p)
    p.set_defaults(func=commande_orienter)


def _table(df, bailleur: str, nom_bailleur: str, commune: dict, jour: date) -> str:
    titre = (f"Orientation d'un logement libéré — {nom_bailleur} ({bailleur}), "
             f"{commune['nom']} ({commune['code_insee']}), au {formatting.date_fr(jour)}")
    if df.empty:
        return titre + "\n\nAucun réservataire pour cette commune."
    jours, annee = int(df.iloc[0]["jours_ecoules"]), int(df.iloc[0]["jours_annee"])
    sous_titre = (f"Droits prévus au prorata de {formatting.accord(jours, 'jour')} sur {annee} ; "
                  "rang 1 = réservataire à qui proposer le logement.")
    vue = df[[c for c in COLONNES_ORIENTATION if c != "motif"]]
    texte = [titre, sous_titre, "", formatting.table_texte(vue)]
    texte += ["", "Motifs :"]
    texte += [f"{int(r['rang']):>3}. {r['reservataire_code']} — {r['motif']}"
              for r in df.to_dict("records")]
    return "\n".join(texte)


def commande_orienter(args) -> int:
    try:
        con = _ouvrir(args)
    except store.BaseOccupee as exc:     # another process holds the file
        return _erreur(str(exc), 1)
    except duckdb.Error as exc:
        return _erreur(f"impossible d'ouvrir la base : {exc}", 1)
    if con is None:
        return 2
    try:
        jour = args.date or date.today()
        df = orienter(con, args.bailleur, args.commune, jour)
        if args.format != "table":
            _machine(df[list(COLONNES_ORIENTATION)], args.format)
            return 0
        commune = verifier_commune(con, args.commune.strip())
        bailleur = args.bailleur.strip()
        nom = noms_bailleurs(con).get(bailleur, bailleur)
        _ecrire(_table(df, bailleur, nom, commune, jour))
        return 0
    except ElementInconnu as exc:
        return _erreur(str(exc), 1)
    except ValueError as exc:
        return _erreur(str(exc), 2)
    except duckdb.Error as exc:
        return _erreur(f"lecture de la base impossible : {exc}", 1)
    finally:
        con.close()
