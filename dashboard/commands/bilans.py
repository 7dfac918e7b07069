"""``bilan``, ``hors-flux``, ``controles``: the metrics engine on the command line.

    python -m dashboard bilan --annee Y --trimestre Q --par AXE [--vue mad|baux]
        [--periode cumul|trimestre] [--departement D] [--epci E] [--bailleur B]
        [--type-reservataire T] [--reservataire R] [--statut S] [--format table|csv|json]
        [--db PATH]
    python -m dashboard hors-flux --annee Y --trimestre Q --par bailleur|epci|departement [...]
    python -m dashboard controles --annee Y [--trimestre Q] [...]

``table`` is for people (French figures, a total line); ``csv`` and ``json`` for machines (dot
decimals, ratios as fractions to 4 decimals, droits to 2, undefined values empty / null).
Exit status: 0 ok, 1 the database cannot be read, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import duckdb

from dashboard import formatting, store
from dashboard.calendrier import debut_trimestre, fin_trimestre
from dashboard.metrics import (
    AXES,
    AXES_HORS_FLUX,
    COLONNES_BILAN,
    PERIODES,
    VUES,
    Filtres,
    bilan,
    controles,
    hors_flux,
    total,
)
from dashboard.metrics.libelles import libelle_departement

FORMATS = ("table", "csv", "json")
NOMS_AXES = {
    "reservataire": "réservataire",
    "type_reservataire": "type de réservataire",
    "bailleur": "bailleur",
    "departement": "département",
    "epci": "EPCI",
    "trimestre": "trimestre",
}
NOMS_VUES = {"mad": "mises à disposition", "baux": "baux signés (par date de bail)"}
# The filter options of each command (fields of ``Filtres``).
FILTRES_BILAN = ("departement", "epci", "bailleur", "type_reservataire", "reservataire", "statut")
FILTRES_HORS_FLUX = ("departement", "epci", "bailleur")
FILTRES_CONTROLES = ("departement", "bailleur", "reservataire")


def _trimestre(texte: str) -> int:
    valeur = texte.strip().upper().removeprefix("T")
    if valeur not in ("1", "2", "3", "4"):
        raise argparse.ArgumentTypeError(f"trimestre invalide : {texte!r} (1, 2, 3 ou 4)")
    return int(valeur)


def _choix(valeurs: tuple[str, ...], nom: str):
    """An argparse type accepting one of ``valeurs`` (with a French error otherwise)."""
    def valider(texte: str) -> str:
        if texte not in valeurs:
            raise argparse.ArgumentTypeError(
                f"{nom} inconnu(e) : {texte!r} (choix : {', '.join(valeurs)})")
        return texte
    return valider


def _annee(texte: str) -> int:
    try:
        valeur = int(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"année invalide : {texte!r}") from None
    if not 1900 <= valeur <= 2200:
        raise argparse.ArgumentTypeError(f"année invalide : {texte!r}")
    return valeur


def _commun(parser: argparse.ArgumentParser, trimestre_requis: bool = True) -> None:
    parser.add_argument("--annee", type=_annee, required=True, metavar="ANNEE",
                        help="année d'exercice (du 1er janvier au 31 décembre), ex. 2025")
    parser.add_argument("--trimestre", type=_trimestre, required=trimestre_requis, metavar="T",
                        help="trimestre du bilan : 1 (31/03), 2 (30/06), 3 (30/09) ou 4 (31/12)")


def _par(parser: argparse.ArgumentParser, axes: tuple[str, ...]) -> None:
    parser.add_argument("--par", type=_choix(axes, "axe"), required=True, metavar="AXE",
                        help="axe : " + ", ".join(axes))


def _periode(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--periode", type=_choix(PERIODES, "période"), default="cumul",
                        metavar="{cumul,trimestre}",
                        help="cumul : depuis le 1er janvier (défaut) ; trimestre : le trimestre "
                             "seul")


def _filtres(parser: argparse.ArgumentParser, champs: tuple[str, ...]) -> None:
    aides = {
        "departement": ("--departement", "code de département (13, 2A…)"),
        "epci": ("--epci", "SIREN d'EPCI, ou NON_VENTILE"),
        "bailleur": ("--bailleur", "code de bailleur"),
        "type_reservataire": ("--type-reservataire", "type de réservataire (ETAT, COMMUNE…)"),
        "reservataire": ("--reservataire", "code de réservataire"),
        "statut": ("--statut", "statut de convention (SIGNEE, EN_COURS, NON_SIGNEE, "
                               "SANS_CONVENTION)"),
    }
    for champ in champs:
        option, aide = aides[champ]
        parser.add_argument(option, dest=f"f_{champ}", action="append", default=[],
                            metavar="CODE",
                            help=f"filtre : {aide} ; répétable ou séparé par des virgules")


def _sortie(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", type=_choix(FORMATS, "format"), default="table",
                        metavar="{table,csv,json}",
                        help="table (lecture, chiffres à la française), csv ou json (machines)")
    parser.add_argument("--db", default=None, metavar="CHEMIN",
                        help=f"base DuckDB (défaut : $FLUX_DB ou {store.DEFAULT_DB})")


def register(subparsers) -> None:
    """Add the sub-commands ``bilan``, ``hors-flux`` and ``controles``."""
    p = subparsers.add_parser(
        "bilan",
        help="bilan des droits prévus face aux mises à disposition réelles",
        description=(
            "Bilan trimestriel : droits prévus dans les conventions (au prorata de l'année) face "
            "aux mises à disposition réelles, ventilé selon un axe. Avec --par trimestre, une "
            "ligne par trimestre de l'année jusqu'à T, chacune avec ses propres chiffres."
        ),
    )
    _commun(p)
    _par(p, AXES)
    p.add_argument("--vue", type=_choix(VUES, "vue"), default="mad", metavar="{mad,baux}",
                   help="mad : mises à disposition (par date de MAD, défaut) ; baux : baux "
                        "signés (par date de bail)")
    _periode(p)
    _filtres(p, FILTRES_BILAN)
    _sortie(p)
    p.set_defaults(func=commande_bilan)

    p = subparsers.add_parser(
        "hors-flux",
        help="mises à disposition hors flux (mutations, relogements, premières locations, stock)",
        description="Mises à disposition hors flux et leur part dans l'ensemble des MAD.",
    )
    _commun(p)
    _par(p, AXES_HORS_FLUX)
    _periode(p)
    _filtres(p, FILTRES_HORS_FLUX)
    _sortie(p)
    p.set_defaults(func=commande_hors_flux)

    p = subparsers.add_parser(
        "controles",
        help="anomalies des conventions et des mises à disposition d'une année",
        description=(
            "Contrôles : taux cumulés au-delà des plafonds, conventions signées sans date, "
            "conventions sans parc ou sans droits, mises à disposition sans convention, "
            "trimestres sans mise à disposition déclarée ; au T4, réservataires et logements "
            "non réservés d'un bailleur sous 25 % de baux signés avec des publics prioritaires."
        ),
    )
    _commun(p, trimestre_requis=False)
    _filtres(p, FILTRES_CONTROLES)
    _sortie(p)
    p.set_defaults(func=commande_controles)


# --- handlers --------------------------------------------------------------------------------


def _erreur(message: str, statut: int) -> int:
    print(f"python -m dashboard : erreur : {message}", file=sys.stderr)
    return statut


def _ouvrir(args) -> duckdb.DuckDBPyConnection | None:
    chemin = store.db_path(args.db)
    if not chemin.is_file():
        _erreur(f"base introuvable : {chemin} (créez-la avec « python -m dashboard init » ou "
                f"indiquez --db)", 2)
        return None
    return store.connect(chemin)


def _selection(args, champs: tuple[str, ...]) -> Filtres:
    valeurs = {}
    for champ in champs:
        codes = []
        for element in getattr(args, f"f_{champ}", []) or []:
            codes.extend(element.split(","))
        valeurs[champ] = codes
    return Filtres(**valeurs)


def _ecrire(texte: str) -> None:
    sys.stdout.write(texte if texte.endswith("\n") else texte + "\n")


def _fenetre(annee: int, trimestre: int, periode: str, par: str) -> str:
    fin = formatting.date_fr(fin_trimestre(annee, trimestre))
    if periode == "trimestre" and par != "trimestre":
        debut = formatting.date_fr(debut_trimestre(annee, trimestre))
        return f"T{trimestre} {annee} (du {debut} au {fin})"
    return f"au {fin} (cumul depuis le {formatting.date_fr(date(annee, 1, 1))})"


def _executer(args, calcul, filtres: Filtres):
    """Open the store and run ``calcul(con, filtres)``; (DataFrame, con) or (None, status)."""
    try:
        con = _ouvrir(args)
    except store.BaseOccupee as exc:
        return None, _erreur(str(exc), 1)
    except duckdb.Error as exc:
        return None, _erreur(f"impossible d'ouvrir la base : {exc}", 1)
    if con is None:
        return None, 2
    try:
        return (calcul(con, filtres), con), 0
    except ValueError as exc:
        con.close()
        return None, _erreur(str(exc), 2)
    except duckdb.Error as exc:
        con.close()
        return None, _erreur(f"lecture de la base impossible : {exc}", 1)


def _machine(df, fmt: str) -> None:
    _ecrire(formatting.vers_csv(df) if fmt == "csv" else formatting.vers_json(df))


def _afficher(args, calcul, champs: tuple[str, ...], titre: str, vide: str, total,
              colonnes: tuple[str, ...] | None = None, pied=None) -> int:
    """Run a metric and print it: ``calcul(con, filtres)`` (filters from the options ``champs``)
    as CSV or JSON for machines; for people, ``titre`` (`` — filtres : …`` added when any), then
    the French table of ``colonnes`` (default: all) with ``total(con, filtres)`` as its total row
    and ``pied(con)`` (a line, or ``""``) under it — ``vide`` instead of the table without rows."""
    filtres = _selection(args, champs)
    resultat, statut = _executer(args, calcul, filtres)
    if resultat is None:
        return statut
    df, con = resultat
    try:
        if args.format != "table":
            _machine(df, args.format)
            return 0
        if not filtres.est_vide():
            titre += f" — filtres : {filtres.description()}"
        if df.empty:
            _ecrire(f"{titre}\n\n{vide}")
            return 0
        colonnes = list(colonnes or df.columns)
        ligne_totale = total(con, filtres)
        texte = titre + "\n\n" + formatting.table_texte(
            df[colonnes], total=ligne_totale[colonnes] if len(ligne_totale) else None)
        ligne_pied = pied(con) if pied is not None else ""
        _ecrire(texte + (f"\n\n{ligne_pied}" if ligne_pied else ""))
        return 0
    finally:
        con.close()


def _periode_total(args) -> str:
    """The period of the total row: the whole window on the axis 'trimestre'."""
    return "cumul" if args.par == "trimestre" else args.periode


def commande_bilan(args) -> int:
    return _afficher(
        args,
        lambda con, filtres: bilan(con, args.annee, args.trimestre, args.par, args.vue,
                                   args.periode, filtres),
        FILTRES_BILAN,
        titre=(f"Bilan {_fenetre(args.annee, args.trimestre, args.periode, args.par)} — par "
               f"{NOMS_AXES[args.par]} — {NOMS_VUES[args.vue]}"),
        vide="Aucune donnée pour cette sélection.",
        total=lambda con, filtres: total(con, args.annee, args.trimestre, args.vue,
                                         _periode_total(args), filtres),
        # for people, the contract's columns and the share of publics prioritaires
        colonnes=COLONNES_BILAN + ("part_prioritaires",),
    )


def commande_hors_flux(args) -> int:
    return _afficher(
        args,
        lambda con, filtres: hors_flux(con, args.annee, args.trimestre, args.par, args.periode,
                                       filtres),
        FILTRES_HORS_FLUX,
        titre=(f"Hors flux {_fenetre(args.annee, args.trimestre, args.periode, args.par)} — "
               f"par {NOMS_AXES[args.par]}"),
        vide="Aucune donnée pour cette sélection.",
        total=lambda con, filtres: hors_flux(con, args.annee, args.trimestre, "total",
                                             _periode_total(args), filtres),
    )


def commande_controles(args) -> int:
    def calcul(con, filtres):
        return controles(con, args.annee, args.trimestre, filtres)

    resultat, statut = _executer(args, calcul, _selection(args, FILTRES_CONTROLES))
    if resultat is None:
        return statut
    df, con = resultat
    con.close()
    if args.format != "table":
        _machine(df, args.format)
        return 0
    titre = f"Contrôles {args.annee}"
    if df.empty:
        _ecrire(f"{titre}\n\nAucune anomalie.")
        return 0
    erreurs = int((df["niveau"] == "erreur").sum())
    titre += (f" — {erreurs} erreur{'s' if erreurs > 1 else ''}, "
              f"{len(df) - erreurs} avertissement{'s' if len(df) - erreurs > 1 else ''}")
    vue = df[["niveau", "bailleur_code", "reservataire_code", "departement", "message"]].copy()
    vue["departement"] = [
        d if libelle_departement(d) == d else f"{d} {libelle_departement(d)}"
        for d in vue["departement"]
    ]
    _ecrire(titre + "\n\n" + formatting.table_texte(vue))
    return 0
