"""``detail``: the mises à disposition behind one figure of the bilan, on the command line.

    python -m dashboard detail --annee Y --trimestre Q [--par AXE --cle K] [--vue mad|baux]
        [--periode cumul|trimestre] [--departement D] [--epci E] [--bailleur B]
        [--type-reservataire T] [--reservataire R] [--statut S] [--format table|csv|json]
        [--db PATH]

One row per MAD counted in the bilan's ``mises_a_disposition`` for key K of axis AXE (the whole
selection without ``--par``/``--cle``): as many rows as ``bilan`` with the same options gives.
Options, filters and formats are those of ``bilan`` (``dashboard.commands.bilans``): ``table``
for people (French headings, labels and dates, every row, a count line), ``csv`` and ``json``
for machines (the columns ``COLONNES_DETAIL`` first, ISO dates, booleans true/false, missing
values empty / null).
Exit status: 0 ok (an unknown key gives no rows), 1 the database cannot be read, 2 usage error
(``--par`` without ``--cle`` or the reverse, an unknown axis, a missing database file).
"""

from __future__ import annotations

from dashboard import formatting
from dashboard.commands.bilans import (
    FILTRES_BILAN,
    _choix,
    _commun,
    _ecrire,
    _executer,
    _filtres,
    _machine,
    _periode,
    _selection,
    _sortie,
)
from dashboard.metrics import AXES, VUES
from dashboard.metrics.detail import EN_TETES_DETAIL, detail, libelle_cle, lisible, titre_detail

# The columns of the table for people (all of them would not fit a terminal; csv and json give
# every column): bailleur and réservataire by their codes (the heading names the figure's).
COLONNES_TABLE = ("date_mise_a_disposition", "bailleur_code", "reference", "commune",
                  "reservataire_code", "categorie", "issue", "date_bail", "convention")
EN_TETES_TABLE = EN_TETES_DETAIL | {"bailleur_code": "Bailleur",
                                    "reservataire_code": "Réservataire"}


def register(subparsers) -> None:
    """Add the sub-command ``detail``."""
    p = subparsers.add_parser(
        "detail",
        help="les mises à disposition derrière un chiffre du bilan",
        description=(
            "Liste, une ligne par mise à disposition, celles que compte le bilan (mêmes options "
            "que « bilan ») pour la clé --cle de l'axe --par, ou pour toute la sélection sans "
            "--par ni --cle : autant de lignes que le chiffre « mises à disposition » du bilan."
        ),
    )
    _commun(p)
    p.add_argument("--par", type=_choix(AXES, "axe"), default=None, metavar="AXE",
                   help="axe du chiffre : " + ", ".join(AXES) + " (avec --cle)")
    p.add_argument("--cle", default=None, metavar="CLE",
                   help="clé du chiffre sur cet axe, telle que « bilan » l'écrit dans sa colonne "
                        "cle (ETAT-13, 13, 200054807, NON_VENTILE, 2025-T2…) (avec --par)")
    p.add_argument("--vue", type=_choix(VUES, "vue"), default="mad", metavar="{mad,baux}",
                   help="mad : mises à disposition (par date de MAD, défaut) ; baux : baux "
                        "signés (par date de bail)")
    _periode(p)
    _filtres(p, FILTRES_BILAN)
    _sortie(p)
    p.set_defaults(func=commande_detail, parser=p)


def commande_detail(args) -> int:
    if (args.par is None) != (args.cle is None):
        args.parser.error("--par et --cle vont ensemble : donnez les deux (un chiffre du bilan), "
                          "ou aucun (toute la sélection)")
    filtres = _selection(args, FILTRES_BILAN)

    def calcul(con, filtres):
        df = detail(con, args.annee, args.trimestre, args.par, args.cle, args.vue, args.periode,
                    filtres)
        libelle = libelle_cle(con, args.par, args.cle) if args.par else None
        return df, libelle

    resultat, statut = _executer(args, calcul, filtres)
    if resultat is None:
        return statut
    (df, libelle), con = resultat
    con.close()
    if args.format != "table":
        _machine(df, args.format)
        return 0
    titre = titre_detail(args.par, args.cle, libelle, args.annee, args.trimestre, len(df),
                         args.vue, args.periode)
    if not filtres.est_vide():
        titre += f" — filtres : {filtres.description()}"
    if df.empty:
        _ecrire(f"{titre}\n\nAucune mise à disposition pour cette sélection.")
        return 0
    table = lisible(df).assign(bailleur_code=df["bailleur_code"],
                               reservataire_code=df["reservataire_code"])[list(COLONNES_TABLE)]
    # French headings: table_texte knows the bilan's columns, not these
    table = formatting.formater_tableau(table).rename(columns=EN_TETES_TABLE)
    _ecrire(f"{titre}\n\n{formatting.table_texte(table)}\n\n"
            f"{formatting.accord(len(df), 'ligne')}")
    return 0
