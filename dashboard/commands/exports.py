"""``export``: files taken out of the app (a contract: scripts rely on these command lines).

    python -m dashboard export bilan-annuel --annee Y --reservataire CODE [--bailleur B]
        --out FILE.xlsx
    python -m dashboard export bilan-annuel --annee Y --tous [--bailleur B] --out FILE.zip
    python -m dashboard export bilan-trimestriel --annee Y --trimestre Q
        --out FILE.xlsx|FILE.html|FILE.pdf
        [--vue mad|baux] [--departement D] [--epci E] [--bailleur B] [--type-reservataire T]
        [--reservataire R]
    python -m dashboard export graphique --annee Y --trimestre Q --graphique CLE --out FILE.png
        [--vue mad|baux] [filters as above]

Every command also takes ``--db PATH`` (default ``$FLUX_DB`` or data/flux.duckdb). The file is
written only when the whole export succeeded (never a half-written file).

Exit status: 0 written; 1 nothing written — the database cannot be read (not a database, or
held by another process), the selection holds
nothing to export, or (``graphique``, a .pdf report) no image or PDF can be made on this machine
(no Chromium) — with a French message on stderr; 2 usage error (argparse, missing database
file, wrong extension for ``--out``, unknown chart).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import duckdb

from dashboard import store
from dashboard.commands.bilans import (
    FILTRES_BILAN,
    _annee,
    _choix,
    _erreur,
    _filtres,
    _ouvrir,
    _selection,
    _trimestre,
)
from dashboard.metrics import VUES

SORTIE_OK, SORTIE_RIEN, SORTIE_USAGE = 0, 1, 2
# The filters of the quarterly pack (the bilan's but the convention statut).
FILTRES_PACK = tuple(f for f in FILTRES_BILAN if f != "statut")


def register(subparsers) -> None:
    """Add the sub-command ``export`` and its three kinds of files."""
    from dashboard.exports.trimestriel import cles_graphiques

    p = subparsers.add_parser(
        "export", help="exporte les bilans (classeurs .xlsx, archive .zip, rapport .html ou .pdf, "
                       "image)",
        description="Exporte les bilans : bilan annuel dû à chaque réservataire (article "
                    "R.441-5-1 du CCH), bilan trimestriel du club régional (classeur, rapport "
                    "HTML autonome ou rapport PDF), image PNG d'un graphique. Sortie : 0 fichier "
                    "écrit, 1 rien d'écrit (base illisible, rien à exporter, image ou PDF "
                    "impossible), 2 erreur d'utilisation.")
    sous = p.add_subparsers(dest="export", metavar="EXPORT", parser_class=type(p))
    sous.required = True

    a = sous.add_parser(
        "bilan-annuel", help="bilan annuel des logements proposés et attribués à un réservataire",
        description="Bilan annuel dû à un réservataire avant le 28 février (articles "
                    "R.441-5-1 et R.441-5 du CCH) : logements proposés (mises à disposition) et "
                    "attribués (baux signés) de l'année, par typologie, financement, QPV / hors "
                    "QPV, commune et période de construction, par bailleur ; publics "
                    "prioritaires ; logements hors flux (mutations et relogements prévus l'année "
                    "suivante, réalisés dans l'année). Avec --tous : une archive .zip d'un "
                    "classeur par réservataire.")
    a.add_argument("--annee", type=_annee, required=True, metavar="ANNEE",
                   help="année du bilan (du 1er janvier au 31 décembre), ex. 2025")
    # One of the two, checked by the handler (argparse's own message would be in English).
    a.add_argument("--reservataire", metavar="CODE",
                   help="code du réservataire (classeur .xlsx) ; ou --tous")
    a.add_argument("--tous", action="store_true",
                   help="tous les réservataires de l'année (archive .zip) ; ou --reservataire")
    a.add_argument("--bailleur", metavar="CODE", default=None,
                   help="un seul bailleur (par défaut : tous)")
    _communs(a)
    a.set_defaults(func=commande_bilan_annuel, analyseur=a)

    t = sous.add_parser(
        "bilan-trimestriel", help="bilan trimestriel du club régional (.xlsx, .html ou .pdf)",
        description="Bilan trimestriel au 31/03, 30/06, 30/09 ou 31/12 : un classeur .xlsx (une "
                    "feuille par axe, hors flux, contrôles), un rapport .html autonome "
                    "(graphiques, tableaux et messages ; s'ouvre sans réseau) ou un rapport .pdf "
                    "(A4 paysage : page de garde, une partie par page, graphiques vectoriels ; "
                    "imprimé par le Chromium de la machine, jamais téléchargé).")
    _periode(t)
    _communs(t)
    t.set_defaults(func=commande_bilan_trimestriel)

    g = sous.add_parser(
        "graphique", help="image PNG d'un graphique du bilan trimestriel",
        description="Image PNG (1280 pixels de large, à la hauteur du graphique, en double "
                    "résolution) d'un graphique du bilan trimestriel, dessinée par le Chromium "
                    "de la machine (jamais téléchargé).")
    _periode(g)
    g.add_argument("--graphique", type=_choix(cles_graphiques(), "graphique"), required=True,
                   metavar="CLE", help="graphique : " + ", ".join(cles_graphiques()))
    _communs(g)
    g.set_defaults(func=commande_graphique)


def _periode(parser) -> None:
    parser.add_argument("--annee", type=_annee, required=True, metavar="ANNEE",
                        help="année d'exercice, ex. 2025")
    parser.add_argument("--trimestre", type=_trimestre, required=True, metavar="T",
                        help="trimestre du bilan : 1 (31/03), 2 (30/06), 3 (30/09) ou 4 (31/12)")
    parser.add_argument("--vue", type=_choix(VUES, "vue"), default="mad", metavar="{mad,baux}",
                        help="mad : mises à disposition (défaut) ; baux : baux signés (date du "
                             "bail)")
    _filtres(parser, FILTRES_PACK)


def _communs(parser) -> None:
    parser.add_argument("--out", required=True, metavar="FICHIER", help="fichier à écrire")
    parser.add_argument("--db", default=None, metavar="CHEMIN",
                        help=f"base DuckDB (défaut : $FLUX_DB ou {store.DEFAULT_DB})")


def _extension(chemin: str, permises: tuple[str, ...]) -> str | None:
    suffixe = Path(chemin).suffix.lower().lstrip(".")
    return suffixe if suffixe in permises else None


def _ecrire_fichier(chemin: str, contenu: bytes) -> None:
    """Write ``contenu`` to ``chemin`` atomically (a temporary file beside it, then renamed)."""
    cible = Path(chemin)
    descripteur, temporaire = tempfile.mkstemp(prefix=".export-", dir=cible.parent or ".")
    try:
        with os.fdopen(descripteur, "wb") as f:
            f.write(contenu)
        # mkstemp makes the file private (0600): give it the usual rights of a new file.
        masque = os.umask(0)
        os.umask(masque)
        os.chmod(temporaire, 0o666 & ~masque)
        os.replace(temporaire, cible)
    except BaseException:
        Path(temporaire).unlink(missing_ok=True)
        raise


def _executer(args, permises: tuple[str, ...], produire) -> int:
    """Check ``--out``, open the store, ``produire(con, extension) -> (bytes, message)``, write."""
    from dashboard.exports import RienAExporter
    from dashboard.exports.images import ImagesIndisponibles
    from dashboard.exports.pdf import PDFIndisponible

    extension = _extension(args.out, permises)
    if extension is None:
        return _erreur(f"--out doit se terminer par {' ou '.join('.' + e for e in permises)} : "
                       f"{args.out}", SORTIE_USAGE)
    dossier = Path(args.out).resolve().parent
    if not dossier.is_dir():
        return _erreur(f"dossier introuvable pour --out : {dossier}", SORTIE_USAGE)
    try:
        con = _ouvrir(args)
    except store.BaseOccupee as exc:     # another process holds the file
        return _erreur(str(exc), SORTIE_RIEN)
    except duckdb.Error as exc:
        return _erreur(f"impossible d'ouvrir la base : {exc}", SORTIE_RIEN)
    if con is None:
        return SORTIE_USAGE
    try:
        contenu, message = produire(con, extension)
    except (RienAExporter, ImagesIndisponibles, PDFIndisponible) as exc:
        return _erreur(str(exc), SORTIE_RIEN)
    except ValueError as exc:
        return _erreur(str(exc), SORTIE_USAGE)
    except duckdb.Error as exc:
        return _erreur(f"lecture de la base impossible : {exc}", SORTIE_RIEN)
    finally:
        con.close()
    try:
        _ecrire_fichier(args.out, contenu)
    except OSError as exc:
        return _erreur(f"écriture impossible de {args.out} : {exc}", SORTIE_RIEN)
    print(message)
    return SORTIE_OK


def _taille(contenu: bytes) -> str:
    from dashboard.formatting import nombre

    return f"{nombre(len(contenu) / 1024, 0)} Ko"


def commande_bilan_annuel(args) -> int:
    from dashboard.exports import bilan_annuel

    if bool(args.tous) == bool(args.reservataire):
        args.analyseur.error("indiquer soit --reservataire CODE (un classeur .xlsx), soit --tous "
                             "(une archive .zip)")
    permises = ("zip",) if args.tous else ("xlsx",)

    def produire(con, extension):
        if args.tous:
            contenu, sommaire = bilan_annuel.archive(con, args.annee, args.bailleur)
            return contenu, (f"{args.out} écrit : {len(sommaire)} bilan(s) annuel(s) "
                             f"{args.annee}, un par réservataire ({_taille(contenu)}).")
        contenu = bilan_annuel.classeur(con, args.annee, args.reservataire, args.bailleur)
        return contenu, (f"{args.out} écrit : bilan annuel {args.annee} du réservataire "
                         f"{args.reservataire} ({_taille(contenu)}).")

    return _executer(args, permises, produire)


def commande_bilan_trimestriel(args) -> int:
    from dashboard.exports import trimestriel

    filtres = _selection(args, FILTRES_PACK)

    def produire(con, extension):
        if extension == "html":
            contenu = trimestriel.rapport_html(con, args.annee, args.trimestre, args.vue,
                                               filtres).encode("utf-8")
        elif extension == "pdf":
            from dashboard.exports import pdf

            contenu = pdf.rapport_pdf(con, args.annee, args.trimestre, args.vue, filtres,
                                      progression=_etapes_sur_le_terminal())
        else:
            contenu = trimestriel.classeur(con, args.annee, args.trimestre, args.vue, filtres)
        return contenu, (f"{args.out} écrit : {trimestriel.titre(args.annee, args.trimestre)} "
                         f"({_taille(contenu)}).")

    return _executer(args, ("xlsx", "html", "pdf"), produire)


def _etapes_sur_le_terminal():
    """The PDF's steps on stderr when a person watches it (a terminal), else nothing: scripts
    read only the exit status and the last line."""
    if not sys.stderr.isatty():
        return None
    return lambda etape, fraction: print(f"{etape} ({fraction:.0%})", file=sys.stderr)


def commande_graphique(args) -> int:
    from dashboard.exports import images, trimestriel

    filtres = _selection(args, FILTRES_PACK)

    def produire(con, extension):
        raison = images.indisponibilite()
        if raison:
            raise images.ImagesIndisponibles(raison)
        trimestriel.verifier(con, args.annee, args.trimestre, args.vue, filtres)
        figure = trimestriel.figure(con, args.annee, args.trimestre, args.graphique, args.vue,
                                    filtres)
        contenu = images.png(figure)
        return contenu, f"{args.out} écrit : graphique « {args.graphique} » ({_taille(contenu)})."

    return _executer(args, ("png",), produire)

