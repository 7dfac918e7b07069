"""Chart builders (dashboard/charts): what each one draws from a hand-made DataFrame.

Every expected value is written by hand: the plotted arrays are the given columns in the given
order, undefined values are None (never 0) and read "—", numbers are French (narrow no-break
space U+202F between thousands and before %), colours are the theme's constants, bars carry
their ``cle``. Also: the "flux" template, the presentation size, the colour-blind check of the
palettes, empty input.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard import charts
from dashboard.charts import daltonisme, theme

NNBSP = "\u202f"  # thousands separator and space before %
VIDE = "—"
MESSAGE = "Aucune donnée pour cette sélection."


def sans_balises(texte: str) -> str:
    return texte.replace("<b>", "").replace("</b>", "")


# ------------------------------------------------------------------------------- data


def bilan() -> pd.DataFrame:
    return pd.DataFrame({
        "cle": ["R2", "R1", "R3"],
        "libelle": ["Zeta réservataire", "Alpha réservataire", "Mu réservataire"],
        "droits_annuels": [4938.0, 40.0, np.nan],
        "droits_prevus": [1234.5, 20.0, np.nan],
        "mises_a_disposition": [1074, 23, 4],
        "ecart": [-160.5, 3.0, np.nan],
        "taux_realisation": [0.87, 1.15, np.nan],
        "baux_signes": [600, 11, 2],
        "taux_chute": [0.1, 0.0, np.nan],
    })


def hors_flux() -> pd.DataFrame:
    return pd.DataFrame({
        "cle": ["B2", "B1"],
        "libelle": ["Bailleur deux", "Bailleur un"],
        "mutations": [5, 0],
        "relogements": [2, 1],
        "premieres_locations": [0, 3],
        "stock": [1, 0],
        "hors_flux": [8, 4],
        "dans_le_flux": [32, 0],
        "total_mad": [40, 4],
        "part_hors_flux": [0.2, 1.0],
    })


def croise() -> pd.DataFrame:
    return pd.DataFrame({
        "libelle_ligne": ["Bailleur B", "Bailleur B", "Bailleur A", "Bailleur A"],
        "libelle_colonne": ["État", "Communes", "État", "Action Logement"],
        "taux_realisation": [0.87, np.nan, 1.5, 0.0],
    })


def cumuls() -> pd.DataFrame:
    return pd.DataFrame({
        "libelle": ["T1 2024", "T2 2024", "T3 2024"],
        "droits_prevus": [25.0, np.nan, 75.0],
        "mises_a_disposition": [10, 30, 61],
        "baux_signes": [2, 12, 40],
    })


def etapes() -> pd.DataFrame:
    return pd.DataFrame({
        "etape": ["MISES_A_DISPOSITION", "BAIL_SIGNE", "REFUS_DEMANDEUR", "REFUS_CALEOL",
                  "SANS_CANDIDAT", "EN_COURS"],
        "libelle": ["Mises à disposition", "Bail signé", "Refus du demandeur", "Refus CALEOL",
                    "Sans candidat", "En cours"],
        "nombre": [1200, 540, 120, 60, 0, 480],
        "part": [1.0, 0.45, 0.1, 0.05, 0.0, 0.4],
    })


def assiette(**modifs) -> pd.Series:
    # DOMAIN §4.1 worked example: (15 000 − 500) × 10 % − 450 = 1 000.
    valeurs = dict(parc_total=15000, logements_exclus=500, parc_eligible=14500,
                   taux_rotation=0.1, base=1450.0, mutations_prevues=300,
                   relogements_prevus=150, flux_annuel=1000.0)
    return pd.Series(valeurs | modifs)


def signatures_cumulees() -> pd.DataFrame:
    return pd.DataFrame({
        "annee": [2024, 2024, 2024, 2025, 2025],
        "date_signature": pd.to_datetime(["2023-10-02", "2023-11-24", "2024-03-01",
                                          "2024-11-12", "2025-02-03"]),
        "signees_cumulees": [3, 40, 1234, 5, 9],
    })


def signatures() -> pd.DataFrame:
    return pd.DataFrame({
        "cle": ["ETAT", "COMMUNE", "AUTRES"],
        "libelle": ["État — contingent préfectoral", "Communes", "Autres"],
        "conventions": [10, 7, 0],
        "signees": [6, 1, 0],
        "taux_signature": [0.6, 1 / 7, np.nan],
    })


# ------------------------------------------------------------------------------- template


def test_template_flux_registered_with_french_separators_and_no_marianne_font():
    assert "flux" in pio.templates and "flux_presentation" in pio.templates
    gabarit = pio.templates["flux"]
    assert gabarit.layout.separators == ", "
    assert "marianne" not in gabarit.layout.font.family.lower()
    assert gabarit.layout.font.family.endswith("sans-serif")
    assert list(gabarit.layout.colorway) == list(theme.PALETTE)
    assert pio.templates["flux_presentation"].layout.separators == ", "


def test_activer_sets_plotly_default_template():
    avant = pio.templates.default
    try:
        assert charts.activer() == "flux"
        assert pio.templates.default == "flux"
        assert theme.activer("presentation") == "flux_presentation"
        assert pio.templates.default == "flux_presentation"
    finally:
        pio.templates.default = avant


def test_presentation_size_is_large():
    normale = pio.templates["flux"].layout
    grande = pio.templates["flux_presentation"].layout
    assert grande.font.size >= 22 and grande.title.font.size >= 30
    assert grande.font.size > normale.font.size
    assert grande.hoverlabel.font.size >= 22
    assert (pio.templates["flux_presentation"].data.scatter[0].line.width
            > pio.templates["flux"].data.scatter[0].line.width)
    with pytest.raises(ValueError, match="taille inconnue"):
        theme.dimensions("geante")


def test_builders_use_the_template_of_their_size():
    for taille, nom in (("normale", "flux"), ("presentation", "flux_presentation")):
        fig = charts.barres_droits_mad(bilan(), taille=taille)
        assert fig.layout.template.layout.font.size == pio.templates[nom].layout.font.size
        assert fig.layout.template.layout.separators == ", "


def test_semantic_colours():
    assert theme.DROITS == "#000091" == theme.ECART_POSITIF == theme.BLEU_FRANCE
    assert theme.ECART_NEGATIF == "#E1000F" == theme.ROUGE_MARIANNE
    assert len({theme.DROITS, theme.MAD, theme.BAUX, theme.ECART_NEGATIF, theme.NEUTRE}) == 5
    assert set(theme.PALETTE).isdisjoint({theme.DROITS, theme.MAD, theme.BAUX,
                                          theme.ECART_NEGATIF, theme.NEUTRE})
    assert set(theme.PALETTE) <= set(theme.DSFR_ILLUSTRATIVES.values())


# ------------------------------------------------------------------------------- colour-blind check


def test_ciede2000_reference_pair():
    # Sharma, Wu & Dalal (2005), test data pair 1.
    assert daltonisme.delta_e_2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4)
    assert daltonisme.ecart("#000091", "#000091", "deuteranopie") == 0


def test_simulation_keeps_greys_and_merges_red_green():
    for vision in daltonisme.VISIONS:
        gris = daltonisme.simuler("#777777", vision)
        assert max(gris) - min(gris) < 0.02
    # A pure red and a pure green that any viewer tells apart collapse for a deuteranope.
    assert daltonisme.ecart("#D55E00", "#009E73", "normale") > 40
    assert daltonisme.ecart("#CC3311", "#44AA00", "deuteranopie") < daltonisme.ecart(
        "#CC3311", "#44AA00", "normale") / 2


def test_palette_is_colour_blind_safe_and_ordered():
    # Every prefix stays distinct for normal vision, protanopia and deuteranopia.
    assert daltonisme.ecart_minimal(theme.PALETTE[:2])[0] >= 20
    assert daltonisme.ecart_minimal(theme.PALETTE[:4])[0] >= 15
    assert daltonisme.ecart_minimal(theme.PALETTE)[0] >= 9
    # … which is the level of Okabe–Ito's first six with the same measure.
    assert daltonisme.ecart_minimal(theme.PALETTE)[0] >= (
        daltonisme.ecart_minimal(theme.OKABE_ITO[:6])[0] - 3)
    # The first three are dark enough for lines on white.
    assert all(daltonisme.contraste(c) >= 3 for c in theme.PALETTE[:3])


def test_semantic_colours_drawn_together_are_distinct_for_colour_blind_readers():
    assert daltonisme.ecart_minimal([theme.DROITS, theme.MAD, theme.BAUX])[0] >= 20
    assert daltonisme.ecart_minimal([theme.ECART_NEGATIF, theme.ECART_POSITIF,
                                     theme.NEUTRE])[0] >= 20
    assert daltonisme.ecart_minimal([theme.MAD, theme.BAUX, theme.ECART_NEGATIF,
                                     theme.NEUTRE], visions=("normale", "protanopie"))[0] >= 20
    for couleur in (theme.DROITS, theme.MAD, theme.ECART_NEGATIF, theme.NEUTRE):
        assert daltonisme.contraste(couleur) >= 3


# ------------------------------------------------------------------------------- barres_droits_mad


def test_barres_droits_mad_draws_given_columns_in_given_order():
    fig = charts.barres_droits_mad(bilan())
    assert [t.type for t in fig.data] == ["bar", "bar"]
    droits, mad = fig.data
    assert droits.orientation == mad.orientation == "h"
    assert list(droits.y) == ["Zeta réservataire", "Alpha réservataire", "Mu réservataire"]
    assert list(mad.y) == list(droits.y)
    assert list(droits.x) == [1234.5, 20.0, None]  # NaN droits: no bar, not 0
    assert list(mad.x) == [1074, 23, 4]
    assert droits.name == "Droits prévus" and mad.name == "Mises à disposition"
    assert droits.marker.color == theme.DROITS and mad.marker.color == theme.MAD
    assert list(droits.customdata) == list(mad.customdata) == ["R2", "R1", "R3"]
    assert fig.layout.barmode == "group"
    assert fig.layout.yaxis.autorange == "reversed"  # first row at the top
    assert list(fig.layout.yaxis.categoryarray) == list(droits.y)


def test_barres_droits_mad_hover_in_french():
    fig = charts.barres_droits_mad(bilan())
    premier, _, troisieme = fig.data[0].hovertext
    assert sans_balises(premier).split("<br>") == [
        "Zeta réservataire",
        f"Droits prévus\u00a0: 1{NNBSP}234,5",
        f"Mises à disposition\u00a0: 1{NNBSP}074",
        "Écart\u00a0: -160,5",
        f"Taux de réalisation\u00a0: 87,0{NNBSP}%",
    ]
    assert f"Droits prévus\u00a0: {VIDE}" in troisieme
    assert f"Taux de réalisation\u00a0: {VIDE}" in troisieme
    assert f"Écart\u00a0: {VIDE}" in troisieme
    assert "+3,0" in fig.data[0].hovertext[1]
    assert fig.data[0].hovertemplate == "%{hovertext}<extra></extra>"
    assert all("nan" not in t.lower() for t in fig.data[0].hovertext)


def test_barres_droits_mad_vue_baux():
    fig = charts.barres_droits_mad(bilan(), vue="baux")
    assert fig.data[1].name == "Baux signés"
    assert list(fig.data[1].x) == [600, 11, 2]
    assert fig.data[1].marker.color == theme.BAUX
    assert "Baux signés\u00a0: 600" in fig.data[0].hovertext[0]
    with pytest.raises(ValueError, match="vue inconnue"):
        charts.barres_droits_mad(bilan(), vue="loyers")


def test_barres_droits_mad_values_on_bars_and_presentation_size():
    fig = charts.barres_droits_mad(bilan(), afficher_valeurs=True)
    assert list(fig.data[0].text) == [f"1{NNBSP}234,5", "20,0", ""]
    normale = charts.barres_droits_mad(bilan())
    grande = charts.barres_droits_mad(bilan(), taille="presentation", titre="Bilan")
    assert grande.layout.title.text == "Bilan"
    assert grande.layout.template.layout.font.size > normale.layout.template.layout.font.size
    assert grande.layout.height > normale.layout.height


def test_duplicate_labels_do_not_merge_bars():
    df = bilan().assign(libelle=["Même nom", "Même nom", None])
    fig = charts.barres_droits_mad(df)
    assert list(fig.data[0].y) == ["Même nom (R2)", "Même nom (R1)", "R3"]


def test_missing_column_is_a_french_error():
    with pytest.raises(ValueError, match="colonne\\(s\\) manquante\\(s\\) : droits_prevus"):
        charts.barres_droits_mad(bilan().drop(columns=["droits_prevus"]))


# ------------------------------------------------------------------------------- barres_ecart


def test_barres_ecart_diverging_colours_zero_line_and_codes():
    fig = charts.barres_ecart(bilan())
    (barre,) = fig.data
    assert barre.type == "bar" and barre.orientation == "h"
    assert list(barre.x) == [-160.5, 3.0, None]
    assert list(barre.y) == ["Zeta réservataire", "Alpha réservataire", "Mu réservataire"]
    assert list(barre.marker.color) == [theme.ECART_NEGATIF, theme.ECART_POSITIF, theme.NEUTRE]
    assert list(barre.customdata) == ["R2", "R1", "R3"]
    assert list(barre.text) == ["-160,5", "+3,0", VIDE]
    assert fig.layout.xaxis.zeroline is True
    assert fig.layout.xaxis.zerolinecolor == theme.NEUTRE
    # The undefined row is said so, not left looking empty.
    notes = [a for a in fig.layout.annotations if a.y == "Mu réservataire"]
    assert len(notes) == 1 and notes[0].text.startswith(VIDE)
    assert "Écart\u00a0: -160,5" in barre.hovertext[0]


def soixante_bailleurs() -> pd.DataFrame:
    """60 bailleurs, most behind first, two of them with long names."""
    noms = [f"Bailleur {i:02d}" for i in range(60)]
    noms[0] = "Office public de l'habitat de la Métropole Aix-Marseille-Provence numéro douze"
    noms[7] = "Société anonyme d'habitations à loyer modéré des Alpes"
    return pd.DataFrame({"cle": [f"B{i:02d}" for i in range(60)], "libelle": noms,
                         "ecart": [-160.5 + 3.5 * i for i in range(60)]})


def test_barres_ecart_long_list_every_name_readable():
    df = soixante_bailleurs()
    fig = charts.barres_ecart(df)
    (barre,) = fig.data
    axe = fig.layout.yaxis
    # every category has its tick (plotly leaves none out), in the rows' order
    assert list(axe.tickvals) == list(df["libelle"]) == list(barre.y)
    assert len(set(axe.ticktext)) == 60
    # the height each row needs: a label of two lines is 2 × 14 px × 1.45 + 8 = 48,6 px high
    assert fig.layout.height >= 60 * 48
    # long names on two lines of 32 characters at most, cut with « … » beyond; the hover has
    # the whole name
    long_ = axe.ticktext[0].split("<br>")
    assert len(long_) == 2 and all(len(x) <= 32 for x in long_) and long_[1].endswith("…")
    assert "Office public de l'habitat de la Métropole Aix-Marseille-Provence numéro douze" in (
        barre.hovertext[0])
    assert axe.ticktext[7] == "Société anonyme d'habitations à<br>loyer modéré des Alpes"
    assert axe.ticktext[1] == "Bailleur 01"
    # the values outside the bars' ends, in a range widened for them: never over the names
    assert barre.textposition == "outside"
    bas, haut = fig.layout.xaxis.range
    etendue = max(df["ecart"]) - min(df["ecart"])
    assert bas <= min(df["ecart"]) - 0.15 * etendue and haut >= max(df["ecart"]) + 0.15 * etendue


def test_barres_ecart_short_names_one_line_height_per_bar():
    fig = charts.barres_ecart(soixante_bailleurs().assign(libelle=lambda d: d["cle"]))
    assert fig.layout.height >= 60 * theme.DIMENSIONS["normale"].ligne_barre
    assert list(fig.layout.yaxis.ticktext) == [f"B{i:02d}" for i in range(60)]


def test_a_slide_draws_the_first_categories_and_says_so():
    fig = charts.barres_ecart(soixante_bailleurs(), taille="presentation")
    assert list(fig.data[0].y) == list(soixante_bailleurs()["libelle"][:10])
    assert "Les 10 premiers sur 60" in fig.layout.xaxis.title.text
    # one line of 45 characters at most on a slide
    assert all("<br>" not in t and len(t) <= 45 for t in fig.layout.yaxis.ticktext)
    # short lists are drawn whole
    assert len(charts.barres_ecart(bilan(), taille="presentation").data[0].y) == 3
    # bars of the other kinds too
    df = soixante_bailleurs().assign(droits_prevus=10.0, mises_a_disposition=5,
                                     taux_signature=0.5, mutations=1, relogements=1,
                                     premieres_locations=1, stock=1)
    for fig in (charts.barres_droits_mad(df, taille="presentation"),
                charts.barres_taux(df, taille="presentation"),
                charts.barres_hors_flux(df, taille="presentation")):
        assert len(fig.layout.yaxis.tickvals) == 10
        assert "Les 10 premiers sur 60" in fig.layout.xaxis.title.text


def test_carte_chaleur_on_a_slide_keeps_its_first_rows():
    lignes = [f"Bailleur {i:02d}" for i in range(30)]
    df = pd.DataFrame({"libelle_ligne": [x for x in lignes for _ in range(2)],
                       "libelle_colonne": ["État — contingent préfectoral", "Commune"] * 30,
                       "taux_realisation": [0.9, 1.1] * 30})
    fig = charts.carte_chaleur(df, taille="presentation")
    assert list(fig.data[0].y) == lignes[:8]
    assert any("Les 8 premières lignes sur 30" in a.text for a in fig.layout.annotations)
    # the columns' names across the top, horizontal, on lines of 13 characters at most
    assert fig.layout.xaxis.tickangle == 0
    assert fig.layout.xaxis.ticktext[0] == "État —<br>contingent<br>préfectoral"
    assert list(charts.carte_chaleur(df).data[0].y) == lignes          # the page: all


# ------------------------------------------------------------------------------- barres_taux


def test_barres_taux_with_reference_marks():
    fig = charts.barres_taux(signatures())
    (barre,) = fig.data
    assert list(barre.x) == [0.6, pytest.approx(1 / 7), None]
    assert list(barre.customdata) == ["ETAT", "COMMUNE", "AUTRES"]
    assert list(barre.text) == [f"60{NNBSP}%", f"14{NNBSP}%", VIDE]
    assert barre.marker.color == theme.BLEU_FRANCE
    assert sorted(s.x0 for s in fig.layout.shapes) == [0.5, 0.75]
    # under the bars, and the figure of a bar that holds it (60 %) written inside its end:
    # a mark never strikes through the « 73 % » written after a bar; 14 % stays outside
    assert {s.layer for s in fig.layout.shapes} == {"below"}
    assert list(barre.textposition) == ["inside", "outside", "outside"]
    assert barre.insidetextfont.color == theme.BLANC and barre.insidetextanchor == "end"
    assert {a.text for a in fig.layout.annotations} >= {f"50{NNBSP}%", f"75{NNBSP}%"}
    assert sans_balises(barre.hovertext[0]).split("<br>") == [
        "État — contingent préfectoral",
        f"Part des conventions signées\u00a0: 60,0{NNBSP}%",
        "Conventions signées\u00a0: 6",
        "Conventions\u00a0: 10",
    ]
    assert f"Part des conventions signées\u00a0: {VIDE}" in barre.hovertext[2]
    # a tick every 20 % (the reference marks say 50 % and 75 %)
    assert list(fig.layout.xaxis.ticktext) == [f"{p}{NNBSP}%" for p in (0, 20, 40, 60, 80, 100)]


def test_barres_taux_other_rate_and_no_marks():
    df = bilan()
    fig = charts.barres_taux(df, valeur="taux_realisation", reperes=(), survol_colonnes={})
    assert list(fig.data[0].x) == [0.87, 1.15, None]
    assert fig.layout.shapes == ()
    assert fig.layout.xaxis.range[1] > 1.15  # a rate above 100 % stays visible
    assert "Taux de réalisation\u00a0: 115,0" in fig.data[0].hovertext[1]


# ------------------------------------------------------------------------------- barres_hors_flux


def test_barres_hors_flux_stacked():
    fig = charts.barres_hors_flux(hors_flux())
    assert [t.name for t in fig.data] == ["Mutations", "Relogements", "Premières locations",
                                          "Stock"]
    assert fig.layout.barmode == "stack"
    assert [list(t.x) for t in fig.data] == [[5, 0], [2, 1], [0, 3], [1, 0]]
    assert all(list(t.y) == ["Bailleur deux", "Bailleur un"] for t in fig.data)
    assert [t.marker.color for t in fig.data] == list(theme.PALETTE[:4])
    assert all(list(t.customdata) == ["B2", "B1"] for t in fig.data)
    assert f"Part hors flux des MAD\u00a0: 20,0{NNBSP}%" in fig.data[0].hovertext[0]


# ------------------------------------------------------------------------------- carte_chaleur


def test_carte_chaleur_rates_text_and_undefined_cells():
    fig = charts.carte_chaleur(croise())
    (carte,) = fig.data
    assert carte.type == "heatmap"
    assert list(carte.y) == ["Bailleur B", "Bailleur A"]  # first appearance, top first
    assert list(carte.x) == ["État", "Communes", "Action Logement"]
    assert [list(r) for r in carte.z] == [[0.87, None, None], [1.5, None, 0.0]]
    assert [list(r) for r in carte.text] == [
        [f"87{NNBSP}%", VIDE, VIDE],
        [f"150{NNBSP}%", VIDE, f"0{NNBSP}%"],  # a true 0 % reads 0 %, undefined reads —
    ]
    assert carte.texttemplate == "%{text}"
    assert carte.zmid == 1.0 and carte.zmin == 0
    assert carte.colorscale[0][1] == theme.ECART_NEGATIF
    assert carte.colorscale[-1][1] == theme.ECART_POSITIF
    assert fig.layout.plot_bgcolor == theme.INDEFINI  # undefined cells: grey, uncoloured
    assert fig.layout.yaxis.autorange == "reversed"
    assert f"Taux de réalisation\u00a0: {VIDE}" in carte.hovertext[0][1]
    assert f"87,0{NNBSP}%" in carte.hovertext[0][0]


def test_carte_chaleur_other_columns_and_duplicates():
    df = croise().rename(columns={"libelle_ligne": "epci", "libelle_colonne": "trimestre",
                                  "taux_realisation": "part_reelle"})
    fig = charts.carte_chaleur(df, lignes="epci", colonnes="trimestre", valeur="part_reelle")
    assert list(fig.data[0].y) == ["Bailleur B", "Bailleur A"]
    with pytest.raises(ValueError, match="plusieurs lignes pour une même cellule"):
        charts.carte_chaleur(pd.concat([croise(), croise().head(1)]))


# ------------------------------------------------------------------------------- courbes_cumulees


def test_courbes_cumulees_three_lines():
    fig = charts.courbes_cumulees(cumuls())
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert [t.name for t in fig.data] == ["Droits prévus", "Mises à disposition", "Baux signés"]
    assert all(t.mode == "lines+markers" for t in fig.data)
    assert all(list(t.x) == ["T1 2024", "T2 2024", "T3 2024"] for t in fig.data)
    assert [list(t.y) for t in fig.data] == [[25.0, None, 75.0], [10, 30, 61], [2, 12, 40]]
    assert [t.line.color for t in fig.data] == [theme.DROITS, theme.MAD, theme.BAUX]
    assert len({t.marker.symbol for t in fig.data}) == 3  # not colour alone
    assert fig.data[0].connectgaps is False
    assert list(fig.data[0].hovertext) == ["Droits prévus\u00a0: 25,0",
                                           f"Droits prévus\u00a0: {VIDE}",
                                           "Droits prévus\u00a0: 75,0"]
    grande = charts.courbes_cumulees(cumuls(), taille="presentation")
    assert grande.data[0].line.width > fig.data[0].line.width
    assert grande.data[0].marker.size > fig.data[0].marker.size


# ------------------------------------------------------------------------------- courbes_signatures


def test_courbes_signatures_year_against_year_on_days_from_1_january():
    fig = charts.courbes_signatures(signatures_cumulees())
    assert [t.name for t in fig.data] == ["Conventions 2025", "Conventions 2024"]
    recent, ancien = fig.data
    # x = days from 1 January of each year of exercise: 12/11/2024 is day -50 of 2025,
    # 03/02/2025 day 33; 02/10/2023 day -91 of 2024, 24/11/2023 day -38, 01/03/2024 day 60.
    assert list(recent.x) == [-50, 33]
    assert list(ancien.x) == [-91, -38, 60]
    assert list(ancien.y) == [3, 40, 1234]
    assert recent.line.color == theme.BLEU_FRANCE and ancien.line.color != recent.line.color
    assert recent.line.dash != ancien.line.dash
    assert recent.line.shape == "hv"
    # The hover gives the real date, in French, and the day.
    assert "Signées au 12/11/2024\u00a0: 5" in recent.hovertext[0]
    assert "J\u221250 (jours depuis le 01/01/2025)" in recent.hovertext[0]
    assert f"Signées au 01/03/2024\u00a0: 1{NNBSP}234" in ancien.hovertext[2]
    # the legal deadline (24/11/2023, day -38 of 2024) and 1 January, labelled
    assert sorted(s.x0 for s in fig.layout.shapes) == [-38, 0]
    textes = {a.text for a in fig.layout.annotations}
    assert "Échéance légale : 24/11/2023" in textes
    assert "Début de la gestion en flux : 01/01/2024" in textes
    # ticks at the first of each month, in French, all different: 1 September (day -122 of
    # 2025: 30 + 31 + 30 + 31 days before 1 January) to 1 March (day 59)
    axe = fig.layout.xaxis
    assert list(axe.tickvals) == [-122, -92, -61, -31, 0, 31, 59]
    assert list(axe.ticktext) == ["1er sept.", "1er oct.", "1er nov.", "1er déc.", "1er janv.",
                                  "1er févr.", "1er mars"]
    assert axe.range[0] < -91 and axe.range[1] > 60


def test_courbes_signatures_ticks_over_more_than_a_year_stay_distinct():
    df = signatures_cumulees().assign(
        date_signature=pd.to_datetime(["2022-12-15", "2023-11-24", "2024-03-01",
                                       "2024-11-12", "2025-02-03"]))
    fig = charts.courbes_signatures(df)
    textes = list(fig.layout.xaxis.ticktext)
    assert len(set(textes)) == len(textes)
    assert "1er janv." in textes and "1er janv. N\u22121" in textes
    # 15/12/2022 is day -382 of 2024: the axis starts in December N-1 (of 2025, the most recent
    # year); one tick every 2 months from 1 January N-1, day -366 (2024 is a leap year)
    assert list(fig.layout.xaxis.tickvals[:3]) == [-366, -306, -245]


def test_courbes_signatures_leap_day_and_undated_rows():
    df = pd.DataFrame({"annee": [2025, 2024], "date_signature": [pd.NaT, pd.Timestamp("2024-02-29")],
                       "signees_cumulees": [1, 2]})
    fig = charts.courbes_signatures(df)
    assert [t.name for t in fig.data] == ["Conventions 2024"]
    assert list(fig.data[0].x) == [59]          # 31 days of January + 28 of February
    fig = charts.courbes_signatures(df.assign(annee=[2025, 2025],
                                              date_signature=[pd.NaT, pd.Timestamp("2024-02-29")]))
    assert list(fig.data[0].x) == [-307]        # 29/02/2024 is 307 days before 01/01/2025


# ------------------------------------------------------------------------------- entonnoir


def test_entonnoir_counts_and_shares():
    fig = charts.entonnoir(etapes())
    (barre,) = fig.data
    assert barre.type == "bar" and barre.orientation == "h"
    assert list(barre.y) == list(etapes()["libelle"])
    assert list(barre.x) == [1200, 540, 120, 60, 0, 480]
    assert list(barre.text) == [
        f"1{NNBSP}200", f"540 (45,0{NNBSP}%)", f"120 (10,0{NNBSP}%)", f"60 (5,0{NNBSP}%)",
        f"0 (0,0{NNBSP}%)", f"480 (40,0{NNBSP}%)"]
    assert list(barre.marker.color) == [theme.MAD, theme.BAUX, theme.ECART_NEGATIF,
                                        theme.ECART_NEGATIF, theme.ECART_NEGATIF, theme.NEUTRE]
    assert list(barre.customdata) == list(etapes()["etape"])
    assert f"Part des mises à disposition\u00a0: 45,0{NNBSP}%" in barre.hovertext[1]


def test_entonnoir_without_mad_has_undefined_shares():
    df = etapes().assign(nombre=0, part=np.nan)
    fig = charts.entonnoir(df)
    assert list(fig.data[0].x) == [0] * 6
    assert list(fig.data[0].text) == ["0"] * 6
    assert f"Part des mises à disposition\u00a0: {VIDE}" in fig.data[0].hovertext[1]


# ------------------------------------------------------------------------------- cascade_assiette


def test_cascade_assiette_worked_example():
    fig = charts.cascade_assiette(assiette())
    (cascade,) = fig.data
    assert cascade.type == "waterfall"
    assert list(cascade.measure) == ["absolute", "relative", "absolute", "absolute",
                                     "relative", "relative", "absolute"]
    assert list(cascade.y) == [15000, -500, 14500, 1450, -300, -150, 1000]
    assert list(cascade.text) == [f"15{NNBSP}000", "−500", f"14{NNBSP}500", f"1{NNBSP}450",
                                  "−300", "−150", f"1{NNBSP}000"]
    assert cascade.x[3] == f"Base<br>(× 10,0{NNBSP}%)"
    assert cascade.totals.marker.color == theme.BLEU_FRANCE
    assert fig.layout.annotations == ()  # no clipping here


def test_cascade_assiette_clipped_at_zero():
    fig = charts.cascade_assiette(assiette(base=50.0, mutations_prevues=40, relogements_prevus=30,
                                           flux_annuel=0.0))
    cascade = fig.data[0]
    # The steps go below zero, then the flux annuel stands at its given value: 0.
    assert list(cascade.y)[3:] == [50.0, -40, -30, 0.0]
    assert cascade.measure[-1] == "absolute"
    assert cascade.text[-1] == "0"
    assert "flux annuel ramené à 0" in fig.layout.annotations[0].text
    assert "base (50,0)" in fig.layout.annotations[0].text


def test_cascade_assiette_inputs():
    une_ligne = assiette().to_frame().T
    assert list(charts.cascade_assiette(une_ligne).data[0].y)[-1] == 1000
    assert list(charts.cascade_assiette(dict(assiette())).data[0].y)[0] == 15000
    fig = charts.cascade_assiette(assiette(base=np.nan, flux_annuel=np.nan))
    # Without the base, the subtractions after it cannot be placed: nothing drawn, never 0.
    assert list(fig.data[0].y) == [15000, -500, 14500, None, None, None, None]
    assert list(fig.data[0].text)[3:] == [VIDE, "", "", VIDE]
    assert fig.layout.annotations[0].text == "Non défini : base, flux annuel"
    assert "Mutations internes prévues\u00a0: 300" in fig.data[0].hovertext[4]
    with pytest.raises(ValueError, match="une seule ligne"):
        charts.cascade_assiette(pd.concat([une_ligne, une_ligne]))
    with pytest.raises(ValueError, match="flux_annuel"):
        charts.cascade_assiette(assiette().drop("flux_annuel"))


# ------------------------------------------------------------------------------- histogramme_taux


def test_histogramme_taux_classes_closed_on_the_right():
    df = pd.DataFrame({"taux_signature": [0.0, 0.5, 0.5001, 0.75, 0.76, 1.0, np.nan]})
    fig = charts.histogramme_taux(df)
    (barres,) = fig.data
    assert len(barres.y) == 20 and sum(barres.y) == 6
    attendu = [0] * 20
    attendu[0] = 1  # 0 %
    attendu[9] = 1  # exactly 50 %: ]45 %, 50 %], left of the 50 % mark ("above" is strict)
    attendu[10] = 1  # 50,01 %
    attendu[14] = 1  # exactly 75 %
    attendu[15] = 1  # 76 %
    attendu[19] = 1  # 100 %
    assert list(barres.y) == attendu
    assert barres.x[9] == pytest.approx(0.475)
    assert barres.hovertext[9] == f"De plus de 45{NNBSP}% à 50{NNBSP}%\u00a0: 1 bailleur"
    assert barres.hovertext[0].startswith(f"De 0{NNBSP}% à 5{NNBSP}%")
    assert barres.hovertext[1].endswith("\u00a0: 0 bailleur")
    assert sorted(s.x0 for s in fig.layout.shapes) == [0.5, 0.75]
    assert any(a.text == "1 bailleur sans taux défini, non représenté" for a in fig.layout.annotations)


def test_histogramme_taux_only_undefined():
    fig = charts.histogramme_taux(pd.DataFrame({"taux_signature": [np.nan, np.nan]}))
    assert sum(fig.data[0].y) == 0
    assert any(a.text == "2 bailleurs sans taux défini, non représentés" for a in fig.layout.annotations)


# ------------------------------------------------------------------------------- every builder

CONSTRUCTEURS = [
    ("barres_droits_mad", charts.barres_droits_mad, bilan),
    ("barres_ecart", charts.barres_ecart, bilan),
    ("barres_taux", charts.barres_taux, signatures),
    ("barres_hors_flux", charts.barres_hors_flux, hors_flux),
    ("carte_chaleur", charts.carte_chaleur, croise),
    ("courbes_cumulees", charts.courbes_cumulees, cumuls),
    ("courbes_signatures", charts.courbes_signatures, signatures_cumulees),
    ("entonnoir", charts.entonnoir, etapes),
    ("cascade_assiette", charts.cascade_assiette, assiette),
    ("histogramme_taux", charts.histogramme_taux, signatures),
]


@pytest.mark.parametrize("nom,construire,donnees", CONSTRUCTEURS, ids=[c[0] for c in CONSTRUCTEURS])
def test_empty_input_gives_the_french_message(nom, construire, donnees):
    for vide in (pd.DataFrame(), donnees().iloc[0:0]):
        fig = construire(vide)
        assert isinstance(fig, go.Figure)
        assert fig.data == ()
        assert fig.layout.annotations[0].text == MESSAGE


@pytest.mark.parametrize("nom,construire,donnees", CONSTRUCTEURS, ids=[c[0] for c in CONSTRUCTEURS])
def test_every_builder_valid_french_and_sized(nom, construire, donnees):
    normale = construire(donnees(), titre="Titre")
    grande = construire(donnees(), taille="presentation")
    for fig in (normale, grande):
        assert isinstance(fig, go.Figure) and fig.data
        json = fig.to_json()  # plotly's validation and serialisation
        assert "NaN" not in json and "nan" not in json.replace("Nan", "")
        for trace in fig.data:
            if trace.hovertemplate:
                assert trace.hovertemplate.endswith("<extra></extra>")
    assert normale.layout.title.text == "Titre"
    assert grande.layout.template.layout.font.size >= 22
    assert grande.layout.template.layout.title.font.size >= 30
    assert (grande.layout.height or 0) >= (normale.layout.height or 0)


def test_figure_vide():
    fig = charts.figure_vide("Importez un export pour commencer.")
    assert fig.layout.annotations[0].text == "Importez un export pour commencer."
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert charts.figure_vide().layout.annotations[0].text == MESSAGE
    assert (charts.figure_vide(taille="presentation").layout.annotations[0].font.size
            > charts.figure_vide().layout.annotations[0].font.size)


def test_nan_is_never_drawn_as_zero():
    df = bilan().assign(droits_prevus=np.nan, ecart=np.nan, taux_realisation=np.nan)
    for fig in (charts.barres_droits_mad(df), charts.barres_ecart(df),
                charts.barres_taux(df, valeur="taux_realisation")):
        assert all(v is None for v in fig.data[0].x)
    assert math.isnan(df["ecart"].iloc[0])  # the input is left as it was
