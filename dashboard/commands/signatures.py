"""``signatures``: progress of the signature of the conventions on the command line (issue 5).

    python -m dashboard signatures --annee Y --par type_reservataire|departement|bailleur
        [--format table|csv|json] [--db PATH]

Columns: ``cle, libelle, conventions, signees, taux_signature, droits_annuels, droits_signes,
taux_signature_pondere`` in this order, then the others (``en_cours``, ``non_signees``,
``conventions_droits_inconnus``). ``csv`` and ``json`` as for ``bilan`` (dot decimals, ratios as
fractions to 4 decimals, droits to 2, undefined values empty / null); ``table`` for people, with
a total line and the share of bailleurs above 50 % and 75 % of signed conventions.
Exit status: 0 ok, 1 the database cannot be read, 2 usage error.
"""

from __future__ import annotations

from dashboard import formatting
from dashboard.commands.bilans import NOMS_AXES, _afficher, _annee, _par, _sortie
from dashboard.metrics import (
    AXES_SIGNATURES,
    COLONNES_SIGNATURES,
    seuils_bailleurs,
    signatures,
)


def register(subparsers) -> None:
    """Add the sub-command ``signatures``."""
    p = subparsers.add_parser(
        "signatures",
        help="avancement de la signature des conventions",
        description=(
            "Avancement de la signature des conventions d'une année : nombre de conventions, "
            "signées, taux de signature, et le même taux pondéré par les droits annuels (part du "
            "flux couverte par une convention signée), par type de réservataire, département ou "
            "bailleur."
        ),
    )
    p.add_argument("--annee", type=_annee, required=True, metavar="ANNEE",
                   help="année d'exercice des conventions, ex. 2024")
    _par(p, AXES_SIGNATURES)
    _sortie(p)
    p.set_defaults(func=commande_signatures)


def _ligne_seuils(seuils) -> str:
    if seuils.empty or int(seuils.iloc[0]["bailleurs"]) == 0:
        return ""
    s = seuils.iloc[0]
    n = int(s["bailleurs"])
    return (
        f"Bailleurs ayant signé plus de 50{formatting.ESPACE_FINE}% de leurs conventions : "
        f"{formatting.nombre(s['au_dessus_50'])} sur {formatting.nombre(n)} "
        f"({formatting.pourcentage(s['part_au_dessus_50'])}) ; plus de "
        f"75{formatting.ESPACE_FINE}% : {formatting.nombre(s['au_dessus_75'])} "
        f"({formatting.pourcentage(s['part_au_dessus_75'])})."
    )


def commande_signatures(args) -> int:
    return _afficher(
        args,
        lambda con, filtres: signatures(con, args.annee, args.par, filtres),
        champs=(),  # no filter options
        titre=f"Signature des conventions {args.annee} — par {NOMS_AXES[args.par]}",
        vide="Aucune convention pour cette année.",
        total=lambda con, filtres: signatures(con, args.annee, "total"),
        colonnes=COLONNES_SIGNATURES,
        pied=lambda con: _ligne_seuils(seuils_bailleurs(con, args.annee)),
    )
