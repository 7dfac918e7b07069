"""Horizontal bar charts, one category per row of the DataFrame, read top to bottom in the rows'
order: droits against MAD, the écart, a rate with reference marks, the hors-flux MAD.

Each bar carries its row's ``cle`` as ``customdata`` (when the DataFrame has a ``cle`` column), so
that a page can map a clicked or selected bar back to its code.

Long lists and long names (``_commun``): every category has its tick, the figure is as high as
its rows need (labels of two lines included); a long name goes on two lines, cut with « … »
beyond (whole in the hover); value labels sit outside the bars' ends, inside a range widened
for them, never over the names. On a slide (``taille="presentation"``) the first
``MAX_CATEGORIES_PRESENTATION`` rows are drawn, with a note under the axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import theme
from dashboard.charts._commun import (
    MODELE_SURVOL,
    axe_categories,
    cles,
    est_vide,
    etiquettes,
    graduations_pourcent,
    hauteur_barres,
    ligne,
    marquer_indefinis,
    nombre_signe,
    noter_sous_l_axe,
    nouvelle_figure,
    plage_avec_etiquettes,
    premieres_categories,
    repere_vertical,
    survol,
    textes,
    valeurs,
    verifier_colonnes,
)
from dashboard.charts.vide import MESSAGE_VIDE, figure_vide
from dashboard.formatting import EN_TETES, VIDE, est_indefini, formater_tableau, nombre, pourcentage

VUES = ("mad", "baux")
LIBELLES_REALISE = {"mad": "Mises à disposition", "baux": "Baux signés"}
COLONNES_REALISE = {"mad": "mises_a_disposition", "baux": "baux_signes"}
COULEURS_REALISE = {"mad": theme.MAD, "baux": theme.BAUX}

# The hors-flux categories, in stacking order (colours: theme.PALETTE in that order).
CATEGORIES_HORS_FLUX = (
    ("mutations", "Mutations"),
    ("relogements", "Relogements"),
    ("premieres_locations", "Premières locations"),
    ("stock", "Stock"),
)

LIBELLES_TAUX = {
    "taux_signature": "Part des conventions signées",
    "taux_signature_pondere": "Part des droits couverts par une convention signée",
    "taux_realisation": "Taux de réalisation",
    "taux_chute": "Taux de chute",
    "part_hors_flux": "Part hors flux",
}
# Hover details added by default to a signature-rate bar when the columns are there.
SURVOL_SIGNATURES = {"signees": "Conventions signées", "conventions": "Conventions"}


def _vue(vue: str) -> str:
    if vue not in VUES:
        raise ValueError(f"vue inconnue : {vue!r} (mad ou baux)")
    return vue


def barres_droits_mad(
    df: pd.DataFrame,
    vue: str = "mad",
    taille: str = "normale",
    titre: str | None = None,
    afficher_valeurs: bool = False,
) -> go.Figure:
    """Droits prévus against mises à disposition (``vue="mad"``) or baux signés (``"baux"``),
    two horizontal bars per ``libelle``, rows in the given order (first at the top).

    Columns: ``libelle``, ``droits_prevus`` and ``mises_a_disposition`` (``baux_signes`` with
    ``vue="baux"``); optional ``cle`` (customdata), ``ecart`` and ``taux_realisation`` (hover) —
    pass the bilan computed with the same ``vue``. Undefined droits draw no bar and read "—" in
    the hover.
    """
    vue = _vue(vue)
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    colonne_realise = COLONNES_REALISE[vue]
    verifier_colonnes(df, ("libelle", "droits_prevus", colonne_realise), "barres_droits_mad")
    df, note = premieres_categories(df, taille)
    noms = etiquettes(df)
    codes = cles(df)
    libelle_realise = LIBELLES_REALISE[vue]

    textes_survol = []
    for i, (_, r) in enumerate(df.iterrows()):
        lignes = [
            ligne("Droits prévus", nombre(r["droits_prevus"], 1)),
            ligne(libelle_realise, nombre(r[colonne_realise], 0)),
        ]
        if "ecart" in df.columns:
            lignes.append(ligne("Écart", nombre_signe(r["ecart"], 1)))
        if "taux_realisation" in df.columns:
            lignes.append(ligne("Taux de réalisation", pourcentage(r["taux_realisation"], 1)))
        textes_survol.append(survol(noms[i], lignes))

    fig = nouvelle_figure(taille, titre, legende=True)
    for nom, colonne, couleur, decimales in (
        ("Droits prévus", "droits_prevus", theme.DROITS, 1),
        (libelle_realise, colonne_realise, COULEURS_REALISE[vue], 0),
    ):
        fig.add_trace(go.Bar(
            name=nom, orientation="h", y=noms, x=valeurs(df[colonne]),
            marker=dict(color=couleur), customdata=codes,
            hovertext=textes_survol, hovertemplate=MODELE_SURVOL,
            text=[nombre(v, decimales, vide="") for v in df[colonne]] if afficher_valeurs
            else None,
            textposition="outside" if afficher_valeurs else "none",
            textfont=dict(size=d.police), cliponaxis=False,
        ))
    lignes_texte = axe_categories(fig, noms, taille)
    fig.update_xaxes(title=dict(text=noter_sous_l_axe(fig, "Logements", note, d)),
                     rangemode="tozero")
    if afficher_valeurs:
        plage = plage_avec_etiquettes(valeurs(df["droits_prevus"]) + valeurs(df[colonne_realise]))
        if plage:
            fig.update_xaxes(range=plage)
    fig.update_layout(barmode="group", bargroupgap=0.05, clickmode="event+select",
                      height=hauteur_barres(len(df), d, par_categorie=1.5,
                                            lignes_texte=lignes_texte))
    return fig


def barres_ecart(
    df: pd.DataFrame,
    vue: str = "mad",
    taille: str = "normale",
    titre: str | None = None,
    afficher_valeurs: bool = True,
) -> go.Figure:
    """The écart (realised − droits prévus) per ``libelle``, diverging from a zero line:
    negative (behind) in rouge Marianne, positive (ahead) in bleu France, rows in the given order
    (first at the top), each bar labelled with its signed value.

    Columns: ``libelle``, ``ecart``; optional ``cle`` (customdata), ``droits_prevus``,
    ``mises_a_disposition`` / ``baux_signes`` (per ``vue``) and ``taux_realisation`` (hover).
    An undefined écart draws no bar and reads "—".
    """
    vue = _vue(vue)
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ("libelle", "ecart"), "barres_ecart")
    df, note = premieres_categories(df, taille)
    noms = etiquettes(df)
    colonne_realise = COLONNES_REALISE[vue]
    couleurs, textes_survol = [], []
    for i, (_, r) in enumerate(df.iterrows()):
        e = r["ecart"]
        if est_indefini(e) or float(e) == 0:
            couleurs.append(theme.NEUTRE)
        else:
            couleurs.append(theme.ECART_NEGATIF if float(e) < 0 else theme.ECART_POSITIF)
        lignes = [ligne("Écart", nombre_signe(e, 1))]
        if "droits_prevus" in df.columns:
            lignes.append(ligne("Droits prévus", nombre(r["droits_prevus"], 1)))
        if colonne_realise in df.columns:
            lignes.append(ligne(LIBELLES_REALISE[vue], nombre(r[colonne_realise], 0)))
        if "taux_realisation" in df.columns:
            lignes.append(ligne("Taux de réalisation", pourcentage(r["taux_realisation"], 1)))
        textes_survol.append(survol(noms[i], lignes))

    fig = nouvelle_figure(taille, titre)
    fig.add_trace(go.Bar(
        name="Écart", orientation="h", y=noms, x=valeurs(df["ecart"]),
        marker=dict(color=couleurs), customdata=cles(df),
        hovertext=textes_survol, hovertemplate=MODELE_SURVOL,
        text=[nombre_signe(v, 1) if not est_indefini(v) else VIDE for v in df["ecart"]]
        if afficher_valeurs else None,
        textposition="outside" if afficher_valeurs else "none",
        textfont=dict(size=d.police), cliponaxis=False, showlegend=False,
    ))
    lignes_texte = axe_categories(fig, noms, taille)
    marquer_indefinis(fig, noms, valeurs(df["ecart"]), d)
    realise = "mises à disposition" if vue == "mad" else "baux signés"
    fig.update_xaxes(
        title=dict(text=noter_sous_l_axe(
            fig, f"Écart : {realise} − droits prévus (négatif : en retard)", note, d)),
        zeroline=True, zerolinecolor=theme.NEUTRE, zerolinewidth=d.trait_repere * 1.5,
    )
    if afficher_valeurs:
        plage = plage_avec_etiquettes(valeurs(df["ecart"]))
        if plage:
            fig.update_xaxes(range=plage)
    fig.update_layout(clickmode="event+select",
                      height=hauteur_barres(len(df), d, lignes_texte=lignes_texte))
    return fig


def _survol_extra(df: pd.DataFrame, survol_colonnes: Mapping[str, str] | None,
                  defaut: Mapping[str, str]) -> dict[str, str]:
    if survol_colonnes is None:
        survol_colonnes = {c: lib for c, lib in defaut.items() if c in df.columns}
    verifier_colonnes(df, survol_colonnes, "survol")
    return dict(survol_colonnes)


# A rate's figure goes inside its bar from this length (a fraction of 100 %) on: « 20 % » fits.
TAUX_ECRIT_DEDANS = 0.2


def barres_taux(
    df: pd.DataFrame,
    valeur: str = "taux_signature",
    reperes: Sequence[float] = (0.5, 0.75),
    libelle_valeur: str | None = None,
    survol_colonnes: Mapping[str, str] | None = None,
    taille: str = "normale",
    titre: str | None = None,
    afficher_valeurs: bool = True,
) -> go.Figure:
    """A rate (a fraction, 0 to 1, shown 0–100 %) per ``libelle`` as horizontal bars in bleu
    France, rows in the given order (first at the top), with dashed vertical reference marks at
    ``reperes`` (default 50 % and 75 %).

    Columns: ``libelle``, ``valeur``; optional ``cle`` (customdata). ``survol_colonnes`` maps
    further columns to their hover labels (formatted as in the tables); by default
    ``signees`` / ``conventions`` when present. An undefined rate draws no bar and reads "—".
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ("libelle", valeur), "barres_taux")
    df, note = premieres_categories(df, taille)
    libelle_valeur = libelle_valeur or LIBELLES_TAUX.get(valeur) or EN_TETES.get(valeur, valeur)
    extra = _survol_extra(df, survol_colonnes, SURVOL_SIGNATURES)
    extra_textes = formater_tableau(df[list(extra)]) if extra else None
    noms = etiquettes(df)
    textes_survol = []
    for i in range(len(df)):
        lignes = [ligne(libelle_valeur, pourcentage(df[valeur].iloc[i], 1))]
        for col, lib in extra.items():
            lignes.append(ligne(lib, extra_textes[col].iloc[i]))
        textes_survol.append(survol(noms[i], lignes))

    fig = nouvelle_figure(taille, titre, annotations_haut=bool(reperes))
    # With reference marks, a rate is written in white inside the end of its bar once the bar
    # holds it: a mark (drawn under the bars) then never runs through a figure written after a
    # bar's end (« 7|0 % » beside the 75 % mark); shorter bars have theirs outside.
    positions = ["inside" if reperes and v is not None and v >= TAUX_ECRIT_DEDANS else "outside"
                 for v in valeurs(df[valeur])]
    fig.add_trace(go.Bar(
        name=libelle_valeur, orientation="h", y=noms, x=valeurs(df[valeur]),
        marker=dict(color=theme.BLEU_FRANCE), customdata=cles(df),
        hovertext=textes_survol, hovertemplate=MODELE_SURVOL,
        text=[pourcentage(v, 0) for v in df[valeur]] if afficher_valeurs else None,
        textposition=positions if afficher_valeurs else "none",
        insidetextanchor="end", constraintext="none",
        insidetextfont=dict(size=d.police, color=theme.BLANC),
        outsidetextfont=dict(size=d.police, color=theme.TEXTE),
        textfont=dict(size=d.police), cliponaxis=False, showlegend=False,
    ))
    lignes_texte = axe_categories(fig, noms, taille)
    marquer_indefinis(fig, noms, valeurs(df[valeur]), d)
    plus_grand = max([1.0] + [v for v in valeurs(df[valeur]) if v is not None])
    maximum = math.ceil(plus_grand * 10) / 10
    # a tick every 20 % (every 10 % up to 50 %): eleven ticks would lie on one another
    vals, txt = graduations_pourcent(maximum, 0.2 if maximum > 0.5 else 0.1)
    # room for « 100 % » written after the longest bar
    fig.update_xaxes(title=dict(text=noter_sous_l_axe(fig, libelle_valeur, note, d)),
                     range=[0, max(vals) * 1.16], tickmode="array", tickvals=vals,
                     ticktext=txt)
    for r in reperes:
        repere_vertical(fig, float(r), pourcentage(r, 0), d)
    fig.update_layout(clickmode="event+select",
                      height=hauteur_barres(len(df), d, lignes_texte=lignes_texte))
    return fig


def barres_hors_flux(
    df: pd.DataFrame,
    taille: str = "normale",
    titre: str | None = None,
) -> go.Figure:
    """Hors-flux MAD per ``libelle``: mutations, relogements, premières locations and stock
    stacked in horizontal bars (colours of ``theme.PALETTE``), rows in the given order.

    Columns: ``libelle``, ``mutations``, ``relogements``, ``premieres_locations``, ``stock``;
    optional ``cle`` (customdata) and ``part_hors_flux`` (hover: share of all the row's MAD).
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ["libelle"] + [c for c, _ in CATEGORIES_HORS_FLUX], "barres_hors_flux")
    df, note = premieres_categories(df, taille)
    noms = etiquettes(df)
    codes = cles(df)
    fig = nouvelle_figure(taille, titre, legende=True)
    for k, (colonne, nom) in enumerate(CATEGORIES_HORS_FLUX):
        textes_survol = []
        for i in range(len(df)):
            lignes = [ligne(nom, nombre(df[colonne].iloc[i], 0))]
            if "part_hors_flux" in df.columns:
                lignes.append(ligne("Part hors flux des MAD",
                                    pourcentage(df["part_hors_flux"].iloc[i], 1)))
            textes_survol.append(survol(noms[i], lignes))
        fig.add_trace(go.Bar(
            name=nom, orientation="h", y=noms, x=valeurs(df[colonne]),
            marker=dict(color=theme.PALETTE[k], line=dict(color=theme.BLANC, width=1)),
            customdata=codes, hovertext=textes_survol, hovertemplate=MODELE_SURVOL,
            textposition="none",
        ))
    lignes_texte = axe_categories(fig, noms, taille)
    fig.update_xaxes(title=dict(text=noter_sous_l_axe(fig, "Mises à disposition hors flux",
                                                      note, d)), rangemode="tozero")
    fig.update_layout(barmode="stack", clickmode="event+select",
                      height=hauteur_barres(len(df), d, lignes_texte=lignes_texte))
    return fig


# Status of a share of publics prioritaires against its target: (legend, colour), in legend order.
STATUTS_PRIORITAIRES = {
    "sous": ("Sous l'objectif de 25 %", theme.ECART_NEGATIF),
    "atteint": ("Objectif atteint", theme.BLEU_FRANCE),
    "sans": ("Sans objectif de 25 %", theme.NEUTRE),
}


def _statut_prioritaires(part, cible) -> str:
    if est_indefini(cible):
        return "sans"
    if est_indefini(part):
        return "atteint"  # no bar is drawn: the status only picks a trace
    return "sous" if float(part) < float(cible) else "atteint"


def barres_prioritaires(
    df: pd.DataFrame,
    series: str | None = None,
    taille: str = "normale",
    titre: str | None = None,
    afficher_valeurs: bool = True,
) -> go.Figure:
    """The share of baux signés to publics prioritaires (``part_prioritaires``, a fraction) per
    ``libelle``, against each row's target ``cible_prioritaires`` (CCH L.441-1: 0.25, NaN when
    none applies), rows in the given order (first at the top).

    Without ``series``: one bar per row, in rouge Marianne under its target, bleu France when it
    reaches it, grey without target; the target is a dashed vertical line across the chart when
    every row has the same one, else a tick on each bar that has one (the State's contingent gets
    none). With ``series`` (a column, e.g. ``libelle_contingent``): one group of bars per
    ``libelle``, one bar per value of that column (colours of ``theme.PALETTE``), and the target
    as a line. Hover: ``baux_signes``, ``baux_prioritaires``, ``baux_prioritaires_inconnus`` and
    ``objectif`` when present. Optional ``cle`` (customdata).
    """
    d = theme.dimensions(taille)
    if est_vide(df):
        return figure_vide(MESSAGE_VIDE, taille, titre)
    verifier_colonnes(df, ("libelle", "part_prioritaires", "cible_prioritaires"),
                      "barres_prioritaires")
    if series is not None:
        verifier_colonnes(df, (series,), "barres_prioritaires")
    df, note = premieres_categories(df, taille, None if series is None else "libelle")
    noms = etiquettes(df) if series is None else textes(df["libelle"])
    codes = cles(df)
    cibles = valeurs(df["cible_prioritaires"])
    definies = sorted({c for c in cibles if c is not None})
    une_ligne = len(definies) == 1 and all(c is not None for c in cibles)

    textes_survol = []
    for i in range(len(df)):
        r = df.iloc[i]
        lignes = [ligne("Part publics prioritaires", pourcentage(r["part_prioritaires"], 1))]
        for col, lib, fmt in (("baux_prioritaires", "Baux signés publics prioritaires", nombre),
                              ("baux_signes", "Baux signés", nombre),
                              ("baux_prioritaires_inconnus", "dont public non renseigné",
                               nombre)):
            if col in df.columns:
                lignes.append(ligne(lib, fmt(r[col], 0)))
        if "objectif" in df.columns:
            lignes.append(ligne("Objectif", str(r["objectif"])))
        elif not est_indefini(r["cible_prioritaires"]):
            lignes.append(ligne("Objectif", pourcentage(r["cible_prioritaires"], 0)))
        titre_survol = noms[i] if series is None else f"{noms[i]} — {r[series]}"
        textes_survol.append(survol(titre_survol, lignes))

    fig = nouvelle_figure(taille, titre, legende=True)
    if series is None:
        statuts = [_statut_prioritaires(p, c) for p, c in zip(df["part_prioritaires"],
                                                             df["cible_prioritaires"])]
        groupes = [(STATUTS_PRIORITAIRES[s][0], STATUTS_PRIORITAIRES[s][1],
                    [i for i, x in enumerate(statuts) if x == s]) for s in STATUTS_PRIORITAIRES]
    else:
        valeurs_series = list(dict.fromkeys(textes(df[series])))
        groupes = [(v, theme.PALETTE[k % len(theme.PALETTE)],
                    [i for i, x in enumerate(textes(df[series])) if x == v])
                   for k, v in enumerate(valeurs_series)]
    for nom, couleur, indices in groupes:
        if not indices:
            continue
        parts = [df["part_prioritaires"].iloc[i] for i in indices]
        fig.add_trace(go.Bar(
            name=nom, orientation="h", y=[noms[i] for i in indices], x=valeurs(parts),
            marker=dict(color=couleur),
            customdata=[codes[i] for i in indices] if codes else None,
            hovertext=[textes_survol[i] for i in indices], hovertemplate=MODELE_SURVOL,
            text=[pourcentage(v, 1, vide="") for v in parts] if afficher_valeurs else None,
            textposition="outside" if afficher_valeurs else "none",
            textfont=dict(size=d.police), cliponaxis=False,
        ))
    categories = list(dict.fromkeys(noms))
    lignes_texte = axe_categories(fig, categories, taille)
    if series is None:
        marquer_indefinis(fig, noms, valeurs(df["part_prioritaires"]), d)
    parts_definies = [v for v in valeurs(df["part_prioritaires"]) if v is not None]
    plus_grand = max([0.5] + parts_definies + definies)
    vals, txt = graduations_pourcent(min(1.0, math.ceil(plus_grand * 10) / 10))
    fig.update_xaxes(title=dict(text=noter_sous_l_axe(
                         fig, "Part des baux signés avec des publics prioritaires", note, d)),
                     range=[0, max(vals) * 1.16], tickmode="array", tickvals=vals,
                     ticktext=txt)
    if une_ligne:
        repere_vertical(fig, definies[0], f"Objectif : {pourcentage(definies[0], 0)}", d,
                        couleur=theme.TEXTE, dedans=True)
    elif definies:
        avec = [i for i, c in enumerate(cibles) if c is not None]
        fig.add_trace(go.Scatter(
            name="Objectif : 25 % (hors État)" if definies == [0.25]
            else "Objectif", mode="markers", y=[noms[i] for i in avec],
            x=[cibles[i] for i in avec], hoverinfo="skip",
            marker=dict(symbol="line-ns", size=int(d.ligne_barre * 0.9), color=theme.TEXTE,
                        line=dict(width=d.trait_repere * 2, color=theme.TEXTE)),
        ))
    fig.update_layout(barmode="group" if series is not None else "overlay",
                      clickmode="event+select",
                      height=hauteur_barres(len(categories), d,
                                            par_categorie=1.5 if series is not None else 1.0,
                                            lignes_texte=lignes_texte))
    return fig
