"""Maps of the territories (choropleths): a DataFrame in, a plotly Figure out.

Every map is a ``go.Choropleth`` over the shipped outlines (``dashboard.reference_cartes``):
the territories are found in the GeoJSON by ``featureidkey`` (EPCI by SIREN, communes by INSEE
code, départements by code), the frame is fitted to them (``fitbounds="locations"``, Mercator)
and the world base map is hidden (``geo.visible = False``). plotly.js still asks for its world
outline ``world_110m`` (scope "world", resolution 110): the app, the HTML report and the PNG
images answer it with an empty topology, locally (see ``reference_cartes``).

What is drawn, in three layers:

1. the territories of the outlines without a figure (no row, or an undefined value) in white,
   grey borders — a note under the map says « Blanc : aucune donnée » when there is one;
2. the territories with a figure, coloured (``locations`` = the keys given, in the rows' order;
   ``z`` = the figures);
   each of the two carries the outlines of its own territories (together: all of them);
3. on the regional maps, the départements' borders, darker, for bearings (no hover).

Colour scales (colour-blind checked in the tests with ``daltonisme``: white stays apart from
every colour of each scale — ΔE₀₀ ≥ 20 — for normal vision, protanopia and deuteranopia, and
the lightness goes one way along each half):

- ``ECHELLE_SEQUENTIELLE`` (rates, counts): yellow → bleu cumulus → bleu France;
- ``ECHELLE_DIVERGENTE`` (écart, centred on 0): rouge Marianne → salmon → yellow → bleu
  cumulus → bleu France — a yellow middle, not white, so that « 0 » is never read as « no
  data ».

Each territory's hover is French (``1 234``, ``87,3 %``); each coloured territory carries its
key as ``customdata`` (a page maps a click back to its code); so do the white ones that have a
row (an EPCI whose rate is undefined is still a territory of the selection).

- ``carte_bilan_epci(df, valeur, vue)`` — the bilan by EPCI (rows of ``bilan(..., "epci")``)
- ``carte_communes(df, contours, valeur, vue)`` — MAD by commune (``metrics.territoires``)
- ``carte_signatures(df, maille)`` — share of conventions signed per EPCI or département
- ``carte_documents(df, document)`` — statut of one EPCI document (CIL, CIA, PPGDID, cotation)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import reference_cartes, vocabulaire
from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    est_vide,
    ligne,
    nombre_signe,
    nouvelle_figure,
    survol,
    verifier_colonnes,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import est_indefini, nombre, pourcentage

# --- colours ---------------------------------------------------------------------------------

JAUNE = "#FBE769"             # light yellow: the low end (0 %, 0), never read as white
SAUMON = "#F09A7A"            # between rouge Marianne and the yellow
SANS_DONNEE = theme.BLANC
BORDURE = "#929292"           # DSFR grey-625: borders of the territories
BORDURE_DEPARTEMENT = theme.TEXTE
ECHELLE_SEQUENTIELLE = ((0.0, JAUNE), (0.5, theme.MAD), (1.0, theme.BLEU_FRANCE))
ECHELLE_DIVERGENTE = ((0.0, theme.ROUGE_MARIANNE), (0.25, SAUMON), (0.5, JAUNE),
                      (0.75, theme.MAD), (1.0, theme.BLEU_FRANCE))
TRANSPARENT = "rgba(0,0,0,0)"

# Statut of an EPCI document (DOMAIN §3.5), in the legend's order, and its colour: adopted dark,
# in progress mid, not engaged light — the same lightness order for every vision.
STATUTS_DOCUMENTS = {
    "ADOPTE": ("Adopté", theme.BLEU_FRANCE),
    "EN_COURS": ("En cours", theme.MAD),
    "NON_ENGAGE": ("Non engagé", theme.BAUX),
}
LIBELLE_NON_RENSEIGNE = "Non renseigné"

NOTE_SANS_DONNEE = "Blanc : aucune donnée pour ce territoire"

# The rate scale of the bilan: 0 % → 150 %, beyond drawn as 150 %.
TAUX_MAX = 1.5

LIBELLES_REALISE = {"mad": "Mises à disposition", "baux": "Baux signés"}


@dataclass(frozen=True)
class Indicateur:
    """What a map can colour: a column, its French name, its kind (``taux``: a fraction shown
    in %, scale 0 → ``maximum``; ``ecart``: signed, diverging, centred on 0; ``nombre``: a
    count, 0 → the largest)."""

    colonne: str
    libelle: str
    genre: str
    maximum: float | None = None


def indicateurs_bilan(vue: str = "mad") -> dict[str, Indicateur]:
    """The figures of the bilan a map can show, by column (the page's selector)."""
    realise = LIBELLES_REALISE[vue]
    return {
        "taux_realisation": Indicateur("taux_realisation", "Taux de réalisation", "taux",
                                       TAUX_MAX),
        "ecart": Indicateur("ecart", f"Écart ({realise.lower()} − droits prévus)", "ecart"),
        "mises_a_disposition": Indicateur("mises_a_disposition", realise, "nombre"),
    }


# --- the scale and its legend ----------------------------------------------------------------


def pas_rond(brut: float) -> float:
    """The round step (1, 2, 2.5, 5 × 10^n) at or above ``brut``."""
    if brut <= 0:
        return 1.0
    puissance = 10 ** math.floor(math.log10(brut))
    for facteur in (1, 2, 2.5, 5, 10):
        if facteur * puissance >= brut - 1e-12:
            return facteur * puissance
    return 10 * puissance


def _echelle(ind: Indicateur, z: Sequence[float]) -> dict:
    """zmin, zmax (zmid), colour scale, colour-bar ticks in French."""
    if ind.genre == "taux":
        haut = ind.maximum or 1.0
        pas = 0.25 if haut > 1 else 0.2
        n = int(round(haut / pas))
        graduations = [round(i * pas, 10) for i in range(n + 1)]
        textes = [pourcentage(g, 0) for g in graduations]
        if ind.maximum and ind.maximum > 1:
            textes[-1] = f"≥\u00a0{textes[-1]}"
        return dict(zmin=0, zmax=haut, colorscale=ECHELLE_SEQUENTIELLE, tickvals=graduations,
                    ticktext=textes)
    if ind.genre == "ecart":
        extreme = max([abs(v) for v in z] + [1.0])
        pas = pas_rond(extreme / 2)
        borne = pas * math.ceil(extreme / pas - 1e-9)
        graduations = [-borne, -borne / 2, 0.0, borne / 2, borne]
        decimales = 0 if all(float(g).is_integer() for g in graduations) else 1
        return dict(zmin=-borne, zmax=borne, zmid=0, colorscale=ECHELLE_DIVERGENTE,
                    tickvals=graduations,
                    ticktext=[nombre_signe(g, decimales) for g in graduations])
    haut_donnees = max(list(z) + [1.0])
    pas = pas_rond(haut_donnees / 4)
    haut = pas * math.ceil(haut_donnees / pas - 1e-9)
    graduations = [pas * i for i in range(int(round(haut / pas)) + 1)]
    decimales = 0 if all(float(g).is_integer() for g in graduations) else 1
    return dict(zmin=0, zmax=haut, colorscale=ECHELLE_SEQUENTIELLE, tickvals=graduations,
                ticktext=[nombre(g, decimales) for g in graduations])


def texte_valeur(ind: Indicateur, v) -> str:
    """A figure of the map as people read it: ``87,3 %``, ``+3,5``, ``1 234``."""
    if ind.genre == "taux":
        return pourcentage(v, 1)
    if ind.genre == "ecart":
        return nombre_signe(v, 1)
    return nombre(v, 0)


# --- the map ---------------------------------------------------------------------------------


def _proprietes(contours: dict, featureidkey: str) -> list[tuple[str, dict]]:
    cle = featureidkey.removeprefix("properties.")
    return [(str(f["properties"][cle]), f["properties"]) for f in contours["features"]]


def _contours_de(contours: dict, featureidkey: str, codes: Sequence[str]) -> dict:
    """The features of ``codes`` only: each trace carries the outlines it draws (a map's
    outlines are sent once, not once per trace)."""
    cle = featureidkey.removeprefix("properties.")
    gardes = set(codes)
    return reference_cartes.sous_ensemble(contours, lambda p: str(p.get(cle)) in gardes)


def carte_territoires(
    df: pd.DataFrame,
    contours: dict,
    featureidkey: str,
    indicateur: Indicateur,
    lignes_survol: Callable[[pd.Series], list[str]],
    nom_territoire: Callable[[dict], str] = lambda p: p.get("nom", ""),
    taille: str = "normale",
    titre: str | None = None,
    departements: bool = False,
    cle: str = "cle",
    libelle: str = "libelle",
) -> go.Figure:
    """A choropleth of ``indicateur`` over the territories of ``contours`` (a FeatureCollection
    whose features carry their key at ``featureidkey``).

    ``df``: one row per territory, its key in ``cle`` (rows whose key is not in the outlines —
    « non ventilé » — are not drawn: the page says them in words), its name in ``libelle`` and
    the figure in ``indicateur.colonne``; ``lignes_survol(row)``: the French hover lines of a
    row. ``departements``: draw the départements' borders on top.
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, (cle, libelle, indicateur.colonne), "carte")
    territoires = _proprietes(contours, featureidkey)
    connus = {c for c, _ in territoires}
    lignes = {str(r[cle]): r for _, r in df.iterrows() if str(r[cle]) in connus}

    # 2. the territories with a figure, in the rows' order
    codes, z, survols = [], [], []
    for code, r in lignes.items():
        if est_indefini(r[indicateur.colonne]):
            continue
        codes.append(code)
        z.append(float(r[indicateur.colonne]))
        survols.append(survol(str(r[libelle]), lignes_survol(r)))
    # 1. the others, white
    fond_codes, fond_survols, fond_cles = [], [], []
    for code, proprietes in territoires:
        if code in codes:
            continue
        fond_codes.append(code)
        if code in lignes:
            r = lignes[code]
            fond_survols.append(survol(str(r[libelle]), lignes_survol(r)))
            fond_cles.append(code)
        else:
            fond_survols.append(survol(nom_territoire(proprietes),
                                       ["Aucune donnée pour cette sélection"]))
            fond_cles.append(None)

    fig = nouvelle_figure(taille, titre)
    trait = max(0.5, d.trait_repere / 3)
    if fond_codes:
        fig.add_trace(go.Choropleth(
            geojson=_contours_de(contours, featureidkey, fond_codes),
            featureidkey=featureidkey, locations=fond_codes,
            z=[0] * len(fond_codes), colorscale=[[0, SANS_DONNEE], [1, SANS_DONNEE]],
            showscale=False, marker=dict(line=dict(color=BORDURE, width=trait)),
            hovertext=fond_survols, hovertemplate=MODELE_SURVOL, customdata=fond_cles,
            name=NOTE_SANS_DONNEE, showlegend=False))
    if codes:
        echelle = _echelle(indicateur, z)
        fig.add_trace(go.Choropleth(
            geojson=_contours_de(contours, featureidkey, codes), featureidkey=featureidkey,
            locations=codes, z=z,
            zmin=echelle["zmin"], zmax=echelle["zmax"], zmid=echelle.get("zmid"),
            colorscale=[list(p) for p in echelle["colorscale"]],
            marker=dict(line=dict(color=BORDURE, width=trait)),
            hovertext=survols, hovertemplate=MODELE_SURVOL, customdata=codes,
            name=indicateur.libelle, showlegend=False,
            colorbar=dict(
                title=dict(text=indicateur.libelle, side="right",
                           font=dict(size=d.annotation)),
                tickmode="array", tickvals=echelle["tickvals"], ticktext=echelle["ticktext"],
                tickfont=dict(size=d.annotation), thickness=max(12, d.police),
                len=0.9, outlinewidth=0),
        ))
    if departements:
        _bordures_departements(fig, d)
    _cadre(fig, d, taille, note=bool(fond_codes))
    return fig


def _bordures_departements(fig: go.Figure, d: theme.Dimensions) -> None:
    contours = reference_cartes.contours_departements()
    codes = [f["properties"]["dep"] for f in contours["features"]]
    fig.add_trace(go.Choropleth(
        geojson=contours, featureidkey=reference_cartes.CLE_DEPARTEMENT, locations=codes,
        z=[0] * len(codes), colorscale=[[0, TRANSPARENT], [1, TRANSPARENT]], showscale=False,
        marker=dict(line=dict(color=BORDURE_DEPARTEMENT, width=max(1.2, d.trait_repere))),
        hoverinfo="skip", name="Départements", showlegend=False))


def _cadre(fig: go.Figure, d: theme.Dimensions, taille: str, note: bool,
           hauteur: int | None = None) -> None:
    """The geo frame (no base map, Mercator fitted to the territories) and the figure's size;
    ``note``: say under the map what white means."""
    fig.update_geos(
        visible=False, scope="world", resolution=110, projection_type="mercator",
        fitbounds="locations", bgcolor=TRANSPARENT,
    )
    hauteur = hauteur or (640 if taille == "presentation" else 520)
    bas = d.marge
    if note:
        fig.add_annotation(text=NOTE_SANS_DONNEE, xref="paper", yref="paper", x=0, y=0,
                           xanchor="left", yanchor="top", yshift=-4, showarrow=False,
                           font=dict(size=d.annotation, color=theme.NEUTRE))
        bas += int(d.annotation * 2)
    fig.update_layout(height=hauteur, dragmode=False,
                      margin=dict(l=d.marge // 2, r=d.marge // 2, b=bas))


# --- the maps of the pages -------------------------------------------------------------------


def carte_bilan_epci(df: pd.DataFrame, valeur: str = "taux_realisation", vue: str = "mad",
                     taille: str = "normale", titre: str | None = None,
                     contours: dict | None = None) -> go.Figure:
    """The bilan by EPCI on the map of the 52 EPCI: ``valeur`` is ``taux_realisation``
    (sequential, 0 → 150 %), ``ecart`` (diverging, centred on 0) or ``mises_a_disposition``.

    Columns: ``cle`` (SIREN), ``libelle``, ``droits_prevus``, ``mises_a_disposition``,
    ``ecart``, ``taux_realisation`` — the rows of ``bilan(..., "epci", vue=vue)``; the
    « non ventilé » row is not a territory and is not drawn."""
    indicateurs = indicateurs_bilan(vue)
    if valeur not in indicateurs:
        raise ValueError(f"indicateur inconnu : {valeur!r} ({', '.join(indicateurs)})")
    if not est_vide(df):
        verifier_colonnes(df, ("cle", "libelle", "droits_prevus", "mises_a_disposition",
                               "ecart", "taux_realisation"), "carte_bilan_epci")
    return carte_territoires(
        df, contours or reference_cartes.contours_epci(), reference_cartes.CLE_EPCI,
        indicateurs[valeur], lambda r: lignes_bilan(r, vue), taille=taille, titre=titre,
        departements=True)


def lignes_bilan(r: pd.Series, vue: str = "mad") -> list[str]:
    """A territory's bilan in French, one hover line per figure."""
    return [
        ligne("Droits prévus", nombre(r["droits_prevus"], 1)),
        ligne(LIBELLES_REALISE[vue], nombre(r["mises_a_disposition"], 0)),
        ligne("Écart", nombre_signe(r["ecart"], 1)),
        ligne("Taux de réalisation", pourcentage(r["taux_realisation"], 1)),
    ]


def carte_communes(df: pd.DataFrame, contours: dict, valeur: str = "mises_a_disposition",
                   vue: str = "mad", taille: str = "normale",
                   titre: str | None = None) -> go.Figure:
    """Mises à disposition (or baux signés) by commune, over ``contours`` (the communes of the
    chosen territory, ``reference_cartes.contours_communes``).

    Columns: ``cle`` (INSEE code), ``libelle``, ``mises_a_disposition``, ``baux_signes``,
    ``mad_sans_convention`` (``metrics.territoires.par_commune``); ``valeur`` one of
    ``mises_a_disposition`` and ``baux_signes``."""
    libelles = {"mises_a_disposition": LIBELLES_REALISE[vue], "baux_signes": "Baux signés"}
    if valeur not in libelles:
        raise ValueError(f"indicateur inconnu : {valeur!r} ({', '.join(libelles)})")

    def lignes_commune(r: pd.Series) -> list[str]:
        sortie = [ligne(LIBELLES_REALISE[vue], nombre(r["mises_a_disposition"], 0))]
        if vue == "mad" and "baux_signes" in r:
            sortie.append(ligne("dont baux signés", nombre(r["baux_signes"], 0)))
        if "mad_sans_convention" in r and not est_indefini(r["mad_sans_convention"]) \
                and r["mad_sans_convention"]:
            sortie.append(ligne("dont sans convention", nombre(r["mad_sans_convention"], 0)))
        return sortie

    return carte_territoires(
        df, contours, reference_cartes.CLE_COMMUNE,
        Indicateur(valeur, libelles[valeur], "nombre"), lignes_commune, taille=taille,
        titre=titre)


def lignes_signatures(r: pd.Series) -> list[str]:
    """Signature progress of a territory in French."""
    sortie = [
        ligne("Conventions signées", f"{nombre(r['signees'], 0)} sur "
                                     f"{nombre(r['conventions'], 0)}"),
        ligne("Part des conventions signées", pourcentage(r["taux_signature"], 1)),
    ]
    if "taux_signature_pondere" in r:
        sortie.append(ligne("Part des droits couverts", pourcentage(r["taux_signature_pondere"],
                                                                      1)))
    return sortie


def carte_signatures(df: pd.DataFrame, maille: str = "epci", valeur: str = "taux_signature",
                     taille: str = "normale", titre: str | None = None) -> go.Figure:
    """The share of conventions signed (``taux_signature``) — or of droits covered
    (``taux_signature_pondere``) — per EPCI (``maille="epci"``, keys = SIREN) or per département
    (``"departement"``, keys = codes): rows of ``metrics.territoires.signatures_par_epci`` or of
    ``signatures(..., "departement")``. Columns ``cle``, ``libelle``, ``conventions``,
    ``signees``, ``taux_signature`` (and ``taux_signature_pondere``)."""
    libelles = {"taux_signature": "Part des conventions signées",
                "taux_signature_pondere": "Part des droits couverts par une convention signée"}
    if valeur not in libelles:
        raise ValueError(f"indicateur inconnu : {valeur!r} ({', '.join(libelles)})")
    if maille == "epci":
        contours, cle = reference_cartes.contours_epci(), reference_cartes.CLE_EPCI
        nom = lambda p: p.get("nom", "")  # noqa: E731
    elif maille == "departement":
        contours, cle = reference_cartes.contours_departements(), reference_cartes.CLE_DEPARTEMENT
        nom = lambda p: vocabulaire.libelle_departement(p.get("dep", ""))  # noqa: E731
    else:
        raise ValueError(f"maille inconnue : {maille!r} (epci ou departement)")
    if not est_vide(df):
        verifier_colonnes(df, ("cle", "libelle", "conventions", "signees", valeur),
                          "carte_signatures")
    return carte_territoires(df, contours, cle,
                             Indicateur(valeur, libelles[valeur], "taux", 1.0),
                             lignes_signatures, nom_territoire=nom, taille=taille, titre=titre,
                             departements=maille == "epci")


def carte_documents(df: pd.DataFrame, document: str = "CIL", taille: str = "normale",
                    titre: str | None = None) -> go.Figure:
    """The statut of one EPCI document (``document``: CIL, CIA, PPGDID, COTATION) on the map of
    the 52 EPCI: one colour per statut (adopté dark, en cours mid, non engagé light), white when
    the EPCI has no statut for it; the legend names them.

    Columns: ``epci_siren``, ``epci_nom``, ``document``, ``statut``, ``date_document`` (the
    rows of ``documents_epci``; other documents' rows are left out)."""
    d = theme.dimensions(taille)
    if document not in vocabulaire.DOCUMENTS_EPCI:
        raise ValueError(f"document inconnu : {document!r} "
                         f"({', '.join(vocabulaire.DOCUMENTS_EPCI)})")
    contours = reference_cartes.contours_epci()
    if est_vide(df):
        lignes = pd.DataFrame(columns=["epci_siren", "statut", "date_document"])
    else:
        verifier_colonnes(df, ("epci_siren", "epci_nom", "document", "statut"),
                          "carte_documents")
        lignes = df[df["document"] == document]
    statuts = {str(r["epci_siren"]): r for _, r in lignes.iterrows()}
    libelle_document = vocabulaire.DOCUMENTS_EPCI[document]
    groupes: dict[str | None, tuple[list, list]] = {s: ([], []) for s in STATUTS_DOCUMENTS}
    groupes[None] = ([], [])
    for code, proprietes in _proprietes(contours, reference_cartes.CLE_EPCI):
        r = statuts.get(code)
        statut = r["statut"] if r is not None and r["statut"] in STATUTS_DOCUMENTS else None
        texte = STATUTS_DOCUMENTS[statut][0] if statut else LIBELLE_NON_RENSEIGNE
        details = [ligne(libelle_document, texte)]
        if r is not None and "date_document" in r and not est_indefini(r["date_document"]):
            details.append(ligne("Date", pd.Timestamp(r["date_document"]).strftime("%d/%m/%Y")))
        nom = r["epci_nom"] if r is not None and not est_indefini(r["epci_nom"]) \
            else proprietes.get("nom", code)
        groupes[statut][0].append(code)
        groupes[statut][1].append(survol(str(nom), details))

    fig = nouvelle_figure(taille, titre, legende=True)
    trait = max(0.5, d.trait_repere / 3)
    for statut, (codes, survols) in groupes.items():
        nom, couleur = STATUTS_DOCUMENTS[statut] if statut else (LIBELLE_NON_RENSEIGNE,
                                                                 SANS_DONNEE)
        if not codes:
            continue
        fig.add_trace(go.Choropleth(
            geojson=_contours_de(contours, reference_cartes.CLE_EPCI, codes),
            featureidkey=reference_cartes.CLE_EPCI, locations=codes,
            z=[0] * len(codes), colorscale=[[0, couleur], [1, couleur]], showscale=False,
            marker=dict(line=dict(color=BORDURE, width=trait)), hovertext=survols,
            hovertemplate=MODELE_SURVOL, customdata=codes, name=nom, showlegend=True,
            legendgroup=statut or "non_renseigne"))
    _bordures_departements(fig, d)
    _cadre(fig, d, taille, note=False)
    return fig


def cles_sans_contour(df: pd.DataFrame, contours: dict, featureidkey: str,
                      cle: str = "cle") -> list[str]:
    """The keys of ``df`` that are no territory of ``contours`` (e.g. « non ventilé »)."""
    connus = {c for c, _ in _proprietes(contours, featureidkey)}
    return [str(c) for c in df[cle] if str(c) not in connus] if not est_vide(df) else []


__all__ = [
    "ECHELLE_DIVERGENTE",
    "ECHELLE_SEQUENTIELLE",
    "Indicateur",
    "STATUTS_DOCUMENTS",
    "carte_bilan_epci",
    "carte_communes",
    "carte_documents",
    "carte_signatures",
    "carte_territoires",
    "cles_sans_contour",
    "indicateurs_bilan",
]
