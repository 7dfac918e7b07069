"""Orientation aid (issue 8): which réservataire the next freed dwelling of a bailleur goes to,
and where each of its contingents will stand on 31 December.

The figures are defined once, in the SQL models ``int_orientation_mad``,
``int_orientation_positions``, ``mart_orientation`` and ``mart_orientation_projection``, on top of
the metrics engine: droits annuels and their source come from ``int_droits_conventions``
(DOMAIN §4.2: taux × flux of the perimeter when the parc is known, else the convention's
estimate, else unknown), and a MAD counts against the convention ``int_mad_rattachees`` gives it
(the bilan's matching, DOMAIN §4.3). These functions validate, bind, and write the French motif.

Semantics, for bailleur *b*, a dwelling freed in commune *C* on date *d* (year *y* = the year of
*d*; default: today):

- **Candidates.** The conventions of *b* for *y* whose perimeter covers *C*: the département of
  *C*, its EPCI, or *C* itself — a commune's or an EPCI's rights stay in its territory, so a
  commune convention elsewhere never appears. A réservataire holding several covering conventions
  is represented by the most specific one (commune > EPCI > département), the one a MAD in *C*
  would count against. Every statut counts by default, as in the bilan (DOMAIN §4.3: unsigned
  conventions count in droits unless filtered); ``statuts`` keeps only some (e.g. ``("SIGNEE",)``),
  applied after the most specific convention is chosen (the MAD matching ignores the statut, so a
  réservataire whose most specific covering convention is filtered out does not appear). The
  statut is said in the motif; a filtered-out convention's share returns to the bailleur's own.
- **Droits and MAD.** ``droits_annuels``: the engine's, for the convention's whole perimeter.
  ``mises_a_disposition``: the MAD of categorie FLUX of *b* counted against that convention
  (hence in its perimeter), dated from 1 January of *y* to *d* inclusive, whatever their issue.
- **Pro rata.** ``jours_ecoules`` = the day of the year of *d* (1 January = 1; the date's own day
  counts, so that 31 December gives the whole year; ``jours_annee`` = 366 in a leap year).
  ``droits_prevus = droits_annuels × jours_ecoules ÷ jours_annee`` (at a quarter's end this is
  close to, not exactly, the bilan's ``q ÷ 4``: 30/06/2025 is day 181 of 365).
  ``retard = droits_prevus − mises_a_disposition`` (positive: behind; the bilan's ``ecart`` with
  the opposite sign) and ``retard_relatif = retard ÷ droits_annuels`` (a fraction; undefined when
  the droits are 0 or unknown).
- **The bailleur's own share** (``NON_RESERVE``, "Contingent propre du bailleur (non réservé)") is
  a candidate like the others, defined on the flux of the commune *C* — the narrowest perimeter,
  where every candidate convention's share applies at once (a département-wide convention takes
  its taux of the flux of each of its communes in expectation, an EPCI one of each of its
  communes, a commune one of its own): ``part = max(0, 1 − Σ part_flux)`` over the candidate
  conventions, where ``part_flux`` is ``taux_flux ÷ 100``, or, for a convention given in droits
  (droits acquis), ``droits_annuels ÷ flux_annuel`` of its perimeter. Its droits annuels =
  ``part × flux_annuel(C)``; its MAD = the NON_RESERVE MAD of *b* in *C* over the same window.
  Unknown (and said so) when one candidate's part or the commune's flux is unknown. Σ above
  100 % leaves the bailleur no share (0 droits).
- **Ranking** (``rang`` 1 = the one to offer the dwelling to), in ``mart_orientation``:
  first the candidates with droits left (``droits_annuels > mises_a_disposition``), then those
  with none left (droits of 0 included), then those whose droits are unknown — shown, with their
  motif, after every known one; within a group by ``retard_relatif`` (largest first), then
  ``retard`` (largest first: at the same proportion, the one owed more dwellings), then
  ``reservataire_code`` (alphabetical): a documented, stable order. Ratios are compared rounded
  to 9 decimals so that equal proportions tie exactly. Since *d* is the same for every row,
  ranking by ``retard_relatif`` is ranking by the share of its droits each has received
  (``MAD ÷ droits_annuels``, smallest first): the ranking does not depend on whether every MAD
  up to *d* has been imported yet — only the figures do (see ``derniere_mise_a_disposition``).
- **Dwelling attributes** (typologie, financement, QPV), when given, do not change the ranking:
  no rule of DOMAIN ties a réservataire to a kind of dwelling. They are recorded in the motif:
  how many of each candidate's MAD so far had the same typologie / financement / QPV flag, so
  that a bailleur can keep its offer varied.
- **Year-end projection** (``projection``): at the pace observed so far,
  ``projection_31_12 = mises_a_disposition × jours_annee ÷ jours_ecoules``,
  ``ecart_projete = projection_31_12 − droits_annuels``, ``taux_projete = projection_31_12 ÷
  droits_annuels``, and ``reste_a_mettre_a_disposition = max(0, droits_annuels −
  mises_a_disposition)``: how many MAD the contingent still needs to reach its droits annuels.

The conversion of droits acquis is in ``dashboard.metrics.droits_acquis``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard import vocabulaire
from dashboard.formatting import ESPACE_FINE, accord, date_fr, est_indefini, nombre, pourcentage
from dashboard.metrics import modeles
from dashboard.metrics.indicateurs import valider
from dashboard.metrics.typage import typer

NON_RESERVE = "NON_RESERVE"
LIBELLE_NON_RESERVE = "Contingent propre du bailleur (non réservé)"

# The command line's contract (issue 8), in this order.
COLONNES_ORIENTATION = (
    "rang",
    "reservataire_code",
    "libelle",
    "droits_prevus",
    "mises_a_disposition",
    "retard",
    "retard_relatif",
    "motif",
)
# What each row also carries (the page shows some of them).
COLONNES_DETAIL = (
    "type_reservataire",
    "departement",
    "perimetre_type",
    "perimetre_code",
    "statut",
    "methode",
    "taux_flux",
    "part_flux",
    "flux_annuel",
    "droits_annuels",
    "source",
    "reste_a_mettre_a_disposition",
    "projection_31_12",
    "groupe",
    "jours_ecoules",
    "jours_annee",
)
COLONNES_PROJECTION = (
    "reservataire_code",
    "libelle",
    "type_reservataire",
    "departement",
    "perimetre_type",
    "perimetre_code",
    "statut",
    "droits_annuels",
    "source",
    "droits_prevus",
    "mises_a_disposition",
    "projection_31_12",
    "ecart_projete",
    "taux_projete",
    "reste_a_mettre_a_disposition",
)
# The dtypes of the results' columns (their French headings: formatting.EN_TETES).
_ENTIERS = ("rang", "mises_a_disposition", "groupe", "jours_ecoules", "jours_annee")
_DECIMAUX = ("droits_prevus", "retard", "retard_relatif", "taux_flux", "part_flux",
             "flux_annuel", "droits_annuels", "reste_a_mettre_a_disposition",
             "projection_31_12", "ecart_projete", "taux_projete")
_TEXTES = ("reservataire_code", "libelle", "type_reservataire", "departement", "perimetre_type",
           "perimetre_code", "statut", "methode", "source")

_ADJECTIFS_PERIMETRE = {"DEPARTEMENT": "départementale", "EPCI": "intercommunale",
                        "COMMUNE": "communale"}
_STATUTS = {"SIGNEE": "signée", "EN_COURS": "en cours de signature", "NON_SIGNEE": "non signée"}


class ElementInconnu(LookupError):
    """A bailleur or commune the database does not know (French message)."""


# --- arguments ---------------------------------------------------------------------------------


def _date(date_orientation) -> date:
    if date_orientation is None:
        return date.today()
    if isinstance(date_orientation, pd.Timestamp):
        return date_orientation.date()
    if isinstance(date_orientation, date):
        return date_orientation if type(date_orientation) is date else date_orientation.date()
    if isinstance(date_orientation, str):
        try:
            return date.fromisoformat(date_orientation.strip())
        except ValueError:
            pass
    raise ValueError(f"date invalide : {date_orientation!r} (une date, par exemple 2025-06-30)")


def _typologie(valeur) -> str:
    if valeur is None or valeur == "":
        return ""
    code = str(valeur).strip().upper()
    if code not in vocabulaire.TYPOLOGIES:
        raise ValueError(f"typologie inconnue : {valeur!r} (attendu : "
                         f"{', '.join(vocabulaire.TYPOLOGIES)})")
    return code


def _financement(valeur) -> str:
    if valeur is None or valeur == "":
        return ""
    code = str(valeur).strip().upper().replace("-", "")
    if code not in vocabulaire.FINANCEMENTS:
        raise ValueError(f"financement inconnu : {valeur!r} (attendu : "
                         f"{', '.join(vocabulaire.FINANCEMENTS)})")
    return code


def _qpv(valeur) -> str:
    if valeur is None:
        return ""
    if not isinstance(valeur, bool):
        raise ValueError(f"QPV invalide : {valeur!r} (True, False ou None)")
    return "OUI" if valeur else "NON"


def _statuts(statuts) -> list[str]:
    if not statuts:
        return []
    codes = [str(s) for s in statuts]
    inconnus = [s for s in codes if s not in vocabulaire.STATUTS_CONVENTION]
    if inconnus:
        raise ValueError(f"statut inconnu : {inconnus[0]!r} (attendu : "
                         f"{', '.join(vocabulaire.STATUTS_CONVENTION)})")
    return codes


def verifier_bailleur(con: duckdb.DuckDBPyConnection, bailleur: str) -> None:
    """Raise ``ElementInconnu`` when no convention, parc row nor MAD of any year names it."""
    connu = modeles.executer_sql(
        con,
        """
        SELECT EXISTS (SELECT 1 FROM conventions WHERE bailleur_code = $bailleur)
            OR EXISTS (SELECT 1 FROM parc WHERE bailleur_code = $bailleur)
            OR EXISTS (SELECT 1 FROM mises_a_disposition WHERE bailleur_code = $bailleur)
            AS connu
        """,
        {"bailleur": bailleur},
    ).iloc[0]["connu"]
    if not connu:
        raise ElementInconnu(
            f"bailleur inconnu : « {bailleur} » (aucune convention, aucun parc ni aucune mise à "
            "disposition sous ce code)")


def commune(con: duckdb.DuckDBPyConnection, code_insee: str) -> dict | None:
    """The commune's name, département and EPCI (None when the reference does not know it)."""
    df = modeles.executer(
        con, "stg_communes", {"commune": code_insee},
        sql_final="""
        SELECT s.code_insee, s.departement, s.epci_siren, s.nom
        FROM stg_communes AS s WHERE s.code_insee = $commune
        """)
    return None if df.empty else df.iloc[0].to_dict()


def verifier_commune(con: duckdb.DuckDBPyConnection, code_insee: str) -> dict:
    """The commune (see ``commune``); ``ElementInconnu`` when the reference does not know it."""
    trouvee = commune(con, code_insee)
    if trouvee is None:
        indice = ""
        if len(code_insee) == 4 and code_insee.isdigit() and commune(con, "0" + code_insee):
            indice = f" ; zéro de tête perdu ? « 0{code_insee} » existe"
        raise ElementInconnu(
            f"commune inconnue : « {code_insee} » (attendu : le code INSEE à 5 caractères d'une "
            f"commune du référentiel, par exemple 13055 pour Marseille{indice})")
    return trouvee


def _parametres(con, bailleur, commune_insee, date_orientation, statuts, typologie="",
                financement="", qpv="") -> dict:
    jour = _date(date_orientation)
    valider(jour.year)
    bailleur = str(bailleur).strip()
    verifier_bailleur(con, bailleur)
    if commune_insee:
        commune_insee = str(commune_insee).strip()
        verifier_commune(con, commune_insee)
    return {"annee": jour.year, "bailleur": bailleur, "commune": commune_insee or "",
            "date_orientation": jour, "statuts": _statuts(statuts), "typologie": typologie,
            "financement": financement, "qpv": qpv}


# --- the ranking -------------------------------------------------------------------------------


def orienter(
    con: duckdb.DuckDBPyConnection,
    bailleur: str,
    commune_insee: str,
    date_orientation: date | None = None,
    statuts: tuple[str, ...] | None = None,
    typologie: str | None = None,
    financement: str | None = None,
    qpv: bool | None = None,
) -> pd.DataFrame:
    """The candidates for a dwelling of ``bailleur`` freed in ``commune_insee`` on
    ``date_orientation`` (default: today), ranked (see the module's docstring).

    Columns: ``COLONNES_ORIENTATION`` then ``COLONNES_DETAIL`` and ``mad_typologie``,
    ``mad_financement``, ``mad_qpv`` (NaN when that attribute is not given). Raises
    ``ElementInconnu`` for an unknown bailleur or commune, ``ValueError`` for an invalid
    argument (French messages).
    """
    params = _parametres(con, bailleur, commune_insee, date_orientation, statuts,
                         _typologie(typologie), _financement(financement), _qpv(qpv))
    df = modeles.executer(con, "mart_orientation", params)
    df = typer(df, _ENTIERS, _DECIMAUX + ("mad_typologie", "mad_financement", "mad_qpv"), _TEXTES)
    attributs = {"typologie": params["typologie"], "financement": params["financement"],
                 "qpv": params["qpv"]}
    df["motif"] = pd.Series([motif(ligne, params["date_orientation"], attributs)
                             for ligne in df.to_dict("records")], index=df.index, dtype=object)
    return df[list(COLONNES_ORIENTATION + COLONNES_DETAIL)
              + ["mad_typologie", "mad_financement", "mad_qpv"]].reset_index(drop=True)


def projection(
    con: duckdb.DuckDBPyConnection,
    bailleur: str,
    date_orientation: date | None = None,
    commune_insee: str | None = None,
    statuts: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Where each contingent of ``bailleur`` will stand on 31/12 at the pace observed from
    1 January to ``date_orientation`` (default: today): every convention of the year (statut in
    ``statuts``, default all), or with ``commune_insee`` the candidates of that commune (the
    non-reserved share included). Columns: ``COLONNES_PROJECTION`` then ``jours_ecoules``,
    ``jours_annee``."""
    params = _parametres(con, bailleur, commune_insee, date_orientation, statuts)
    df = modeles.executer(con, "mart_orientation_projection", params)
    df = typer(df, _ENTIERS, _DECIMAUX, _TEXTES)
    return df[list(COLONNES_PROJECTION) + ["jours_ecoules", "jours_annee"]].reset_index(drop=True)


# --- the motif ---------------------------------------------------------------------------------


def _mad_recues(n: int) -> str:
    return accord(n, "mise à disposition reçue", "mises à disposition reçues")


def _logements(valeur: float) -> str:
    """``1,5 logement``, ``2,0 logements`` (French: singular below 2)."""
    return accord(valeur, "logement", decimales=1)


def _droits(valeur: float, nature: str) -> str:
    """``1,6 droit prévu``, ``25,0 droits annuels`` (``nature``: ``prévu`` or ``annuel``)."""
    return accord(valeur, f"droit {nature}", f"droits {nature}s", 1)


def _situation(ligne: dict, jour: date) -> str:
    """Where the row stands, by group (see ``mart_orientation``)."""
    mad = int(ligne["mises_a_disposition"])
    annuels = ligne["droits_annuels"]
    if ligne["groupe"] == 3:
        return (f"droits inconnus : {_mad_recues(mad)} depuis le 01/01 ; classé après les "
                "réservataires aux droits connus")
    if ligne["groupe"] == 2:
        if annuels == 0:
            return f"aucun droit cette année (part du flux ou flux nul) ; {_mad_recues(mad)}"
        return (f"droits annuels déjà atteints : {_mad_recues(mad)} pour "
                f"{_droits(annuels, 'annuel')} ; à ne proposer qu'à défaut des autres")
    prevus = _droits(ligne["droits_prevus"], "prévu")
    retard = round(float(ligne["retard"]), 1)      # as written: « 0,0 » is neither ahead nor behind
    if retard > 0:
        return (f"en retard de {_logements(ligne['retard'])} au {date_fr(jour)} "
                f"({pourcentage(ligne['retard_relatif'])} de ses {_droits(annuels, 'annuel')}) : "
                f"{_mad_recues(mad)} pour {prevus}")
    reste = (f"encore {nombre(ligne['reste_a_mettre_a_disposition'], 1)} à recevoir sur "
             f"{_droits(annuels, 'annuel')}")
    if retard == 0:
        return (f"à jour au {date_fr(jour)} : {_mad_recues(mad)} pour {prevus} ; {reste}")
    return (f"en avance de {_logements(-ligne['retard'])} au {date_fr(jour)} : "
            f"{_mad_recues(mad)} pour {prevus} ; {reste}")


def _part_non_reservee(ligne: dict) -> str:
    if est_indefini(ligne["part_flux"]):
        inconnues = int(ligne.get("parts_inconnues") or 0)
        return (f"part non réservée inconnue : la part du flux de {inconnues} convention(s) "
                "couvrant la commune n'est pas connue")
    reservee = ligne["part_reservee"]
    texte = f"part non réservée de {pourcentage(ligne['part_flux'])} du flux de la commune"
    if reservee <= 1:
        texte += f" (100{ESPACE_FINE}% moins {pourcentage(reservee)} réservés par les conventions)"
    else:
        texte += f" (les conventions en réservent {pourcentage(reservee)})"
    if est_indefini(ligne["flux_annuel"]):
        texte += ", mais flux de la commune inconnu (aucun parc déclaré pour cette commune)"
    return texte


def _convention(ligne: dict) -> str:
    adjectif = _ADJECTIFS_PERIMETRE.get(ligne["perimetre_type"], "")
    statut = _STATUTS.get(ligne["statut"], str(ligne["statut"]))
    texte = f"convention {adjectif} {statut}".replace("  ", " ")
    if ligne["methode"] == "DROITS_ACQUIS":
        texte += " (droits acquis)"
    elif ligne["source"] == "convention":
        texte += " (droits estimés par la convention, faute de parc déclaré)"
    return texte


def _attributs(ligne: dict, attributs: dict[str, str]) -> str:
    parts = []
    if attributs.get("typologie"):
        parts.append(f"{nombre(ligne['mad_typologie'])} "
                     f"{vocabulaire.TYPOLOGIES[attributs['typologie']]}")
    if attributs.get("financement"):
        parts.append(f"{nombre(ligne['mad_financement'])} "
                     f"{vocabulaire.FINANCEMENTS[attributs['financement']]}")
    if attributs.get("qpv"):
        parts.append(f"{nombre(ligne['mad_qpv'])} "
                     f"{'en QPV' if attributs['qpv'] == 'OUI' else 'hors QPV'}")
    if not parts:
        return ""
    return f"dont {', '.join(parts)} comme ce logement"


def motif(ligne: dict, jour: date, attributs: dict[str, str] | None = None) -> str:
    """The reason for a row's place, in one French sentence."""
    clauses = []
    if ligne.get("origine") == "non_reserve":
        clauses.append(_part_non_reservee(ligne))
        clauses.append(_situation(ligne, jour))
    else:
        clauses.append(_situation(ligne, jour))
        clauses.append(_convention(ligne))
    detail = _attributs(ligne, attributs or {})
    if detail:
        clauses.append(detail)
    phrase = " ; ".join(c for c in clauses if c)
    return phrase[:1].upper() + phrase[1:] + "."


# --- for the page ------------------------------------------------------------------------------


def bailleurs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every bailleur of the conventions, parc or MAD (``bailleur_code``, ``bailleur_nom``: the
    conventions' name, else the code), by name."""
    return modeles.executer(
        con, "int_bailleurs", {},
        sql_final="""
        SELECT c.bailleur_code, coalesce(b.bailleur_nom, c.bailleur_code) AS bailleur_nom
        FROM (
            SELECT bailleur_code FROM conventions UNION SELECT bailleur_code FROM parc
            UNION SELECT bailleur_code FROM mises_a_disposition
        ) AS c
        LEFT JOIN int_bailleurs AS b USING (bailleur_code)
        ORDER BY bailleur_nom, bailleur_code
        """)


def communes_du_bailleur(con: duckdb.DuckDBPyConnection, bailleur: str,
                         annee: int) -> pd.DataFrame:
    """The communes where ``bailleur`` has parc or MAD in ``annee`` (``code_insee``, ``nom``,
    ``departement``), by département then name."""
    valider(annee)
    return modeles.executer(
        con, "stg_communes", {"bailleur": bailleur, "annee": int(annee)},
        sql_final="""
        SELECT c.code_insee, coalesce(s.nom, c.code_insee) AS nom, s.departement
        FROM (
            SELECT code_insee FROM parc WHERE bailleur_code = $bailleur AND annee = $annee
            UNION
            SELECT code_insee FROM mises_a_disposition
            WHERE bailleur_code = $bailleur AND year(date_mise_a_disposition) = $annee
        ) AS c
        JOIN stg_communes AS s USING (code_insee)
        ORDER BY s.departement, 2, c.code_insee
        """)


def derniere_mise_a_disposition(con: duckdb.DuckDBPyConnection, bailleur: str) -> date | None:
    """The date of the bailleur's latest MAD in the database (None when it has none)."""
    valeur = modeles.executer_sql(
        con, "SELECT max(date_mise_a_disposition) AS d FROM mises_a_disposition "
             "WHERE bailleur_code = $bailleur", {"bailleur": bailleur}).iloc[0]["d"]
    return None if est_indefini(valeur) else pd.Timestamp(valeur).date()
