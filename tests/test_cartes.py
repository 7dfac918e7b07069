"""Maps (issue 13): the shipped outlines, the choropleth builders, the figures by territory,
what the maps say in words, and that nothing is fetched from outside.

Every expected value is written by hand next to the data (hand-made DataFrames and databases,
``metrics_fixtures``); on the sample database the map's data is compared with the engine's
bilan by EPCI, which the map must show unchanged.
"""

from __future__ import annotations

import json
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import metrics_fixtures as fx
import numpy as np
import pandas as pd
import pytest
from plotly.colors import sample_colorscale

from dashboard import contenu_bilan, contenu_cartes, metrics, reference_cartes
from dashboard.charts import cartes, daltonisme, theme
from dashboard.exports import trimestriel
from dashboard.initialisation import ouvrir
from dashboard.metrics import Filtres, territoires

RACINE = Path(__file__).resolve().parents[1]
NNBSP = "\u202f"
# Three EPCI of the outlines (sample_data/reference/paca_epci.csv).
AMP = "200054807"        # Métropole d'Aix-Marseille-Provence
NCA = "200030195"        # Métropole Nice Côte d'Azur
RLP = "200000628"        # CC Rhône Lez Provence
TPM = "248300543"        # Métropole Toulon-Provence-Méditerranée


def sans_balises(texte: str) -> str:
    return texte.replace("<b>", "").replace("</b>", "")


def contours(fig) -> list[str]:
    """The keys of the outlines the map's territory traces carry (not the départements'
    borders), sorted."""
    return sorted(str(f["properties"][t.featureidkey.removeprefix("properties.")])
                  for t in fig.data if t.name != "Départements" for f in t.geojson["features"])


def codes_epci() -> list[str]:
    return [f["properties"]["epci"] for f in reference_cartes.contours_epci()["features"]]


def trace(fig, nom: str):
    """The one trace named ``nom``."""
    traces = [t for t in fig.data if t.name == nom]
    assert len(traces) == 1, [t.name for t in fig.data]
    return traces[0]


# ------------------------------------------------------------------------------ outlines


def test_contours_livres_avec_l_application():
    """The app ships its own copy (CI has ../shared beside the repo, a deployment has not)."""
    for nom in ("paca_communes.geojson", "paca_epci.geojson"):
        assert (RACINE / "sample_data" / "reference" / nom).is_file()
        assert nom in (RACINE / "sample_data" / "reference" / "SOURCE.md").read_text("utf-8")
    epci = reference_cartes.contours_epci()
    assert len(epci["features"]) == 52
    assert {"epci", "nom", "nature"} <= set(epci["features"][0]["properties"])
    communes = reference_cartes.contours_communes()
    assert len(communes["features"]) == 946
    # Bouches-du-Rhône: 119 communes (COG 2026); the Métropole Nice Côte d'Azur: 51
    assert len(reference_cartes.contours_communes(["13"])["features"]) == 119
    assert len(reference_cartes.contours_communes(epci=[NCA])["features"]) == 51
    # both given: AMP's communes in the 13 — 92 but Pertuis (84) and Saint-Zacharie (83);
    # none of NCA's
    assert len(reference_cartes.contours_communes(epci=[AMP])["features"]) == 92
    assert len(reference_cartes.contours_communes(["13"], [AMP])["features"]) == 90
    assert reference_cartes.contours_communes(["13"], [NCA])["features"] == []


def test_anneaux_exterieurs_dans_le_sens_des_aiguilles():
    """plotly (d3-geo) fills the outside of a counter-clockwise exterior ring."""
    for collection in (reference_cartes.contours_epci(), reference_cartes.contours_communes(),
                       reference_cartes.contours_departements()):
        for f in collection["features"]:
            g = f["geometry"]
            polygones = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            for polygone in polygones:
                assert reference_cartes.aire_signee(polygone[0]) <= 0, f["properties"]
                for trou in polygone[1:]:
                    assert reference_cartes.aire_signee(trou) > 0, f["properties"]


def test_union_de_deux_carres():
    """Two unit squares sharing an edge → one 2 × 1 rectangle, clockwise; a ring of four squares
    around a fifth (left out) → an exterior with one hole."""
    def carre(x, y):   # clockwise in (lon, lat)
        return {"type": "Polygon",
                "coordinates": [[[x, y], [x, y + 1], [x + 1, y + 1], [x + 1, y], [x, y]]]}

    union = reference_cartes.union([carre(0, 0), carre(1, 0)])
    assert len(union["coordinates"]) == 1
    anneau = union["coordinates"][0][0]
    assert reference_cartes.aire_signee(anneau) == -2.0
    assert sorted(map(tuple, anneau[:-1])) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    autour = [carre(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)]
    union = reference_cartes.union(autour)
    assert len(union["coordinates"]) == 1
    exterieur, trou = union["coordinates"][0]
    assert reference_cartes.aire_signee(exterieur) == -9.0
    assert reference_cartes.aire_signee(trou) == 1.0


def test_departements_union_des_communes():
    """Six départements; each one's area is the sum of its communes' (no overlap, no gap); the
    étang de Berre is a hole of the Bouches-du-Rhône."""
    departements = reference_cartes.contours_departements()
    assert [f["properties"]["dep"] for f in departements["features"]] == [
        "04", "05", "06", "13", "83", "84"]
    par_dep: dict[str, float] = {}
    for f in reference_cartes.contours_communes()["features"]:
        g = f["geometry"]
        polygones = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        par_dep[f["properties"]["dep"]] = par_dep.get(f["properties"]["dep"], 0.0) + sum(
            reference_cartes.aire_signee(p[0]) + sum(reference_cartes.aire_signee(t)
                                                     for t in p[1:]) for p in polygones)
    for f in departements["features"]:
        aire = sum(reference_cartes.aire_signee(p[0])
                   + sum(reference_cartes.aire_signee(t) for t in p[1:])
                   for p in f["geometry"]["coordinates"])
        assert aire == pytest.approx(par_dep[f["properties"]["dep"]], abs=1e-9)
    bdr = departements["features"][3]["geometry"]["coordinates"]
    trous = [t for p in bdr for t in p[1:]]
    assert len(trous) == 1
    # the étang de Berre: around 43.45° N, 5.1° E
    assert reference_cartes._dedans((5.1, 43.47), trous[0])


# ------------------------------------------------------------------------- offline plotly


def test_topologie_vide_servie_par_l_application():
    fichier = RACINE / "static" / "world_110m.json"
    assert json.loads(fichier.read_text("utf-8")) == {"type": "Topology", "objects": {},
                                                      "arcs": []}
    assert reference_cartes.FICHIER_TOPOJSON == fichier
    config = tomllib.loads((RACINE / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert reference_cartes.CONFIG_PLOTLY == {"topojsonURL": "app/static/"}
    assert reference_cartes.url_topojson_fichier() == fichier.parent.as_uri() + "/"
    script = reference_cartes.script_assets_geo()
    assert script.startswith("<script>") and "http" not in script
    assert 'topojson["world_110m"] = {"type":"Topology","objects":{},"arcs":[]}' in script


def bilan_epci() -> pd.DataFrame:
    """Four EPCI rows and the « non ventilé » one, as bilan(..., "epci") gives them."""
    return pd.DataFrame({
        "cle": [RLP, AMP, NCA, TPM, "NON_VENTILE"],
        "libelle": ["CC Rhône Lez Provence", "Métropole d'Aix-Marseille-Provence",
                    "Métropole Nice Côte d'Azur", "Métropole Toulon-Provence-Méditerranée",
                    "Non ventilé"],
        "droits_annuels": [20.0, 4938.0, 400.0, 0.0, 54.0],
        "droits_prevus": [10.0, 2469.0, 200.0, 0.0, 27.0],
        "mises_a_disposition": [12, 2155, 174, 3, 0],
        "ecart": [2.0, -314.0, -26.0, 3.0, -27.0],
        "taux_realisation": [1.2, 0.8728, 0.87, np.nan, 0.0],
        "baux_signes": [7, 1500, 120, 2, 0],
    })


def test_carte_bilan_epci_taux():
    fig = cartes.carte_bilan_epci(bilan_epci(), "taux_realisation")
    valeurs = trace(fig, "Taux de réalisation")
    # the EPCI with a rate, in the rows' order; TPM (no droits: rate undefined) and « non
    # ventilé » (no territory) are not coloured
    assert list(valeurs.locations) == [RLP, AMP, NCA]
    assert list(valeurs.z) == [1.2, 0.8728, 0.87]
    assert list(valeurs.customdata) == [RLP, AMP, NCA]
    assert valeurs.featureidkey == "properties.epci"
    # the outlines: the 52 EPCI, each trace carrying those of the territories it draws
    assert contours(fig) == sorted(codes_epci())
    assert [f["properties"]["epci"] for f in valeurs.geojson["features"]] == [
        c for c in codes_epci() if c in (RLP, AMP, NCA)]
    assert (valeurs.zmin, valeurs.zmax) == (0, 1.5)
    assert valeurs.colorbar.title.text == "Taux de réalisation"
    assert list(valeurs.colorbar.ticktext) == [
        f"0{NNBSP}%", f"25{NNBSP}%", f"50{NNBSP}%", f"75{NNBSP}%", f"100{NNBSP}%",
        f"125{NNBSP}%", f"≥\u00a0150{NNBSP}%"]
    assert [list(p) for p in valeurs.colorscale] == [
        [0.0, "#FBE769"], [0.5, theme.MAD], [1.0, theme.BLEU_FRANCE]]
    survol = sans_balises(valeurs.hovertext[1])
    assert survol == ("Métropole d'Aix-Marseille-Provence<br>"
                      f"Droits prévus\u00a0: 2{NNBSP}469,0<br>"
                      f"Mises à disposition\u00a0: 2{NNBSP}155<br>"
                      "Écart\u00a0: -314,0<br>"
                      f"Taux de réalisation\u00a0: 87,3{NNBSP}%")
    # every other EPCI in white: 52 − 3, TPM among them with its figures and its key
    fond = trace(fig, cartes.NOTE_SANS_DONNEE)
    assert len(fond.locations) == 49 and set(fond.locations).isdisjoint({RLP, AMP, NCA})
    i = list(fond.locations).index(TPM)
    assert fond.customdata[i] == TPM
    assert "Taux de réalisation\u00a0: —" in fond.hovertext[i]
    assert "Mises à disposition\u00a0: 3" in fond.hovertext[i]
    j = list(fond.locations).index("200067437")       # an EPCI without any row
    assert fond.customdata[j] is None
    assert "Aucune donnée pour cette sélection" in fond.hovertext[j]
    assert all(c == [0, theme.BLANC] or c == [1, theme.BLANC]
               for c in map(list, fond.colorscale))
    # "non ventilé" drawn nowhere
    assert all("NON_VENTILE" not in (t.locations or ()) for t in fig.data)
    assert fig.layout.annotations[-1].text == "Blanc : aucune donnée pour ce territoire"


def test_carte_bilan_epci_ecart_divergente_centree_sur_zero():
    fig = cartes.carte_bilan_epci(bilan_epci(), "ecart")
    valeurs = trace(fig, "Écart (mises à disposition − droits prévus)")
    assert list(valeurs.locations) == [RLP, AMP, NCA, TPM]
    assert list(valeurs.z) == [2.0, -314.0, -26.0, 3.0]
    # largest |écart| 314 → step 200 (round, ≥ 314 / 2), bounds ±400, centred on 0
    assert (valeurs.zmin, valeurs.zmid, valeurs.zmax) == (-400, 0, 400)
    assert list(valeurs.colorbar.ticktext) == ["-400", "-200", "0", "+200", "+400"]
    assert [list(p) for p in valeurs.colorscale] == [
        [0.0, theme.ROUGE_MARIANNE], [0.25, "#F09A7A"], [0.5, "#FBE769"], [0.75, theme.MAD],
        [1.0, theme.BLEU_FRANCE]]


def test_carte_bilan_epci_mad_en_vue_baux():
    df = bilan_epci()
    fig = cartes.carte_bilan_epci(df, "mises_a_disposition", vue="baux")
    valeurs = trace(fig, "Baux signés")
    assert list(valeurs.z) == [12, 2155, 174, 3]
    # largest 2 155 → step 1 000 (round, ≥ 2 155 / 4), scale 0 → 3 000
    assert (valeurs.zmin, valeurs.zmax) == (0, 3000)
    assert list(valeurs.colorbar.ticktext) == ["0", f"1{NNBSP}000", f"2{NNBSP}000",
                                               f"3{NNBSP}000"]
    assert "Baux signés\u00a0: 2" in sans_balises(valeurs.hovertext[1])


def test_aucune_trace_ne_demande_le_fond_du_monde():
    """The world base map hidden, every trace over the shipped outlines (geojson), and the
    topology plotly asks for named world_110m: the one the app answers locally."""
    for fig in (cartes.carte_bilan_epci(bilan_epci()),
                cartes.carte_signatures(pd.DataFrame({
                    "cle": ["13"], "libelle": ["Bouches-du-Rhône"], "conventions": [4],
                    "signees": [3], "taux_signature": [0.75]}), "departement"),
                cartes.carte_documents(pd.DataFrame(columns=["epci_siren", "epci_nom",
                                                             "document", "statut"]))):
        geo = fig.layout.geo
        assert geo.visible is False
        assert (geo.scope, geo.resolution) == ("world", 110)
        assert geo.fitbounds == "locations" and geo.projection.type == "mercator"
        for attribut in ("showland", "showcoastlines", "showcountries", "showocean",
                         "showlakes", "showrivers", "showsubunits", "showframe"):
            assert getattr(geo, attribut) in (None, False), attribut
        assert fig.data and all(t.type == "choropleth" and t.geojson is not None
                                for t in fig.data)
        assert all(t.locationmode in (None, "geojson-id") for t in fig.data)
    # on the maps of the EPCI, the départements' borders on top, without hover
    bordures = trace(cartes.carte_bilan_epci(bilan_epci()), "Départements")
    assert list(bordures.locations) == ["04", "05", "06", "13", "83", "84"]
    assert bordures.hoverinfo == "skip"


def test_carte_vide():
    fig = cartes.carte_bilan_epci(bilan_epci().iloc[0:0])
    assert fig.layout.annotations[0].text == "Aucune donnée pour cette sélection."
    with pytest.raises(ValueError, match="indicateur inconnu"):
        cartes.carte_bilan_epci(bilan_epci(), "baux")


# ---------------------------------------------------------------------------- colour-blind


def _echantillon(echelle, n=41) -> list[str]:
    def hexa(c: str) -> str:
        r, g, b = (int(round(float(x))) for x in c[c.index("(") + 1:-1].split(","))
        return f"#{r:02X}{g:02X}{b:02X}"

    return [hexa(c) for c in sample_colorscale([list(p) for p in echelle],
                                               [i / (n - 1) for i in range(n)])]


@pytest.mark.parametrize("echelle", [cartes.ECHELLE_SEQUENTIELLE, cartes.ECHELLE_DIVERGENTE])
def test_blanc_jamais_confondu_avec_une_couleur_de_l_echelle(echelle):
    """« No data » (white) stays apart from every colour of the scale (ΔE₀₀ ≥ 20), with normal
    vision, protanopia and deuteranopia."""
    for couleur in _echantillon(echelle):
        for vision in daltonisme.VISIONS_ROUGE_VERT:
            assert daltonisme.ecart(couleur, cartes.SANS_DONNEE, vision) >= 20, (couleur, vision)


def test_echelles_lisibles_en_niveaux_de_clarte():
    """Sequential: lightness falls from 0 to the top; diverging: falls from the yellow middle
    towards each end, whose two colours stay far apart for every vision."""
    def clarte(c):
        return daltonisme.lab(daltonisme.simuler(c))[0]

    seq = [clarte(c) for c in _echantillon(cartes.ECHELLE_SEQUENTIELLE)]
    assert all(a > b for a, b in zip(seq, seq[1:]))
    div = [clarte(c) for c in _echantillon(cartes.ECHELLE_DIVERGENTE)]
    assert all(a < b for a, b in zip(div[:20], div[1:21]))
    assert all(a > b for a, b in zip(div[20:], div[21:]))
    for vision in daltonisme.VISIONS_ROUGE_VERT:
        assert daltonisme.ecart(theme.ROUGE_MARIANNE, theme.BLEU_FRANCE, vision) >= 40


def test_statuts_des_documents_distincts():
    couleurs = [c for _, c in cartes.STATUTS_DOCUMENTS.values()] + [cartes.SANS_DONNEE]
    assert daltonisme.ecart_minimal(couleurs)[0] >= 20


# ------------------------------------------------------------------------ other builders


def test_carte_signatures_par_epci_et_par_departement():
    df = pd.DataFrame({
        "cle": [AMP, NCA, "NON_VENTILE"],
        "libelle": ["Métropole d'Aix-Marseille-Provence", "Métropole Nice Côte d'Azur",
                    "Non ventilé"],
        "conventions": [40, 8, 3], "signees": [30, 2, 3],
        "taux_signature": [0.75, 0.25, 1.0], "taux_signature_pondere": [0.9, np.nan, 1.0]})
    fig = cartes.carte_signatures(df)
    valeurs = trace(fig, "Part des conventions signées")
    assert list(valeurs.locations) == [AMP, NCA] and list(valeurs.z) == [0.75, 0.25]
    assert (valeurs.zmin, valeurs.zmax) == (0, 1.0)
    assert valeurs.colorbar.ticktext[-1] == f"100{NNBSP}%"
    assert sans_balises(valeurs.hovertext[1]) == (
        "Métropole Nice Côte d'Azur<br>Conventions signées\u00a0: 2 sur 8<br>"
        f"Part des conventions signées\u00a0: 25,0{NNBSP}%<br>"
        "Part des droits couverts\u00a0: —")
    pondere = trace(cartes.carte_signatures(df, valeur="taux_signature_pondere"),
                    "Part des droits couverts par une convention signée")
    assert list(pondere.locations) == [AMP]

    par_dep = pd.DataFrame({"cle": ["13", "84"], "libelle": ["Bouches-du-Rhône", "Vaucluse"],
                            "conventions": [10, 4], "signees": [5, 4],
                            "taux_signature": [0.5, 1.0]})
    fig = cartes.carte_signatures(par_dep, "departement")
    valeurs = trace(fig, "Part des conventions signées")
    assert valeurs.featureidkey == "properties.dep"
    assert len(contours(fig)) == 6
    assert list(valeurs.locations) == ["13", "84"]
    fond = trace(fig, cartes.NOTE_SANS_DONNEE)
    assert list(fond.locations) == ["04", "05", "06", "83"]
    assert sans_balises(fond.hovertext[0]).startswith("04 — Alpes-de-Haute-Provence<br>")


def test_carte_communes():
    communes_13 = reference_cartes.contours_communes(["13"])
    df = pd.DataFrame({"cle": ["13055", "13001", "26001"],
                       "libelle": ["Marseille", "Aix-en-Provence", "Commune hors carte"],
                       "mises_a_disposition": [1234, 56, 7], "baux_signes": [800, 30, 1],
                       "mad_sans_convention": [3, 0, 0]})
    fig = cartes.carte_communes(df, communes_13)
    valeurs = trace(fig, "Mises à disposition")
    assert list(valeurs.locations) == ["13055", "13001"]
    assert list(valeurs.z) == [1234, 56]
    assert valeurs.featureidkey == "properties.code"
    assert len(contours(fig)) == 119
    assert sans_balises(valeurs.hovertext[0]) == (
        f"Marseille<br>Mises à disposition\u00a0: 1{NNBSP}234<br>dont baux signés\u00a0: 800"
        "<br>dont sans convention\u00a0: 3")
    assert len(trace(fig, cartes.NOTE_SANS_DONNEE).locations) == 117
    assert contenu_cartes.phrase_hors_carte(df, communes_13) == (
        "Hors carte : 7 mises à disposition dans 1 commune sans contour (26001).")


def documents() -> pd.DataFrame:
    return pd.DataFrame({
        "epci_siren": [AMP, AMP, NCA, RLP],
        "epci_nom": ["Métropole d'Aix-Marseille-Provence"] * 2
        + ["Métropole Nice Côte d'Azur", "CC Rhône Lez Provence"],
        "departement": ["13", "13", "06", "84"],
        "document": ["CIL", "CIA", "CIL", "CIL"],
        "statut": ["ADOPTE", "EN_COURS", "NON_ENGAGE", "ADOPTE"],
        "date_document": pd.to_datetime(["2024-03-15", None, None, "2023-11-02"]),
    })


def test_carte_documents():
    fig = cartes.carte_documents(documents(), "CIL")
    assert list(trace(fig, "Adopté").locations) == [RLP, AMP]   # in the outlines' order
    assert list(trace(fig, "Non engagé").locations) == [NCA]
    assert len(trace(fig, "Non renseigné").locations) == 49
    assert [t.name for t in fig.data if t.showlegend] == ["Adopté", "Non engagé",
                                                         "Non renseigné"]
    adopte = trace(fig, "Adopté")
    assert sans_balises(adopte.hovertext[1]) == (
        "Métropole d'Aix-Marseille-Provence<br>"
        "Conférence intercommunale du logement (CIL)\u00a0: Adopté<br>Date\u00a0: 15/03/2024")
    assert list(adopte.colorscale[0]) == [0, theme.BLEU_FRANCE]
    fig = cartes.carte_documents(documents(), "CIA")
    assert list(trace(fig, "En cours").locations) == [AMP]
    with pytest.raises(ValueError, match="document inconnu"):
        cartes.carte_documents(documents(), "PLH")


def test_tableau_et_message_des_documents():
    tableau = contenu_cartes.tableau_documents(documents(), "CIL")
    assert len(tableau) == 52
    lignes = tableau.set_index("epci_siren")
    assert lignes.loc[AMP, "statut_libelle"] == "Adopté"
    assert lignes.loc[NCA, "statut_libelle"] == "Non engagé"
    assert lignes.loc[TPM, "statut_libelle"] == "Non renseigné"
    assert list(tableau["departement"][:3]) == ["06", "13", "84"]
    assert contenu_cartes.message_documents(tableau, "CIL") == (
        "CIL des 52 EPCI : adopté 2, en cours 0, non engagé 1, non renseigné 49.")


# ----------------------------------------------------------------------- what is said


def test_phrase_non_ventile():
    assert contenu_cartes.phrase_non_ventile(bilan_epci()) == (
        "Hors carte, « non ventilé » (droits départementaux qu'aucun parc connu ne permet de "
        "répartir entre les EPCI, et mises à disposition dans une commune sans EPCI connu) : "
        "27,0 droits prévus, 0 mise à disposition, écart -27,0, taux de réalisation "
        f"0,0{NNBSP}%.")
    df = bilan_epci()
    df.loc[4, ["mises_a_disposition", "droits_prevus", "ecart", "taux_realisation"]] = [
        3, 0.0, 3.0, np.nan]
    assert contenu_cartes.phrase_non_ventile(df, "baux") == (
        "Hors carte, « non ventilé » (droits départementaux qu'aucun parc connu ne permet de "
        "répartir entre les EPCI, et mises à disposition dans une commune sans EPCI connu) : "
        "0,0 droits prévus, 3 baux signés, écart +3,0.")
    assert contenu_cartes.phrase_non_ventile(bilan_epci().iloc[:4]) is None


def test_message_carte_epci():
    from datetime import date

    assert contenu_cartes.message_carte_epci(bilan_epci(), date(2025, 6, 30)) == (
        "2 EPCI sur 4 sont en retard sur leurs droits au 30/06/2025 ; le plus en retard : "
        "Métropole d'Aix-Marseille-Provence (314 mises à disposition de moins que prévu, "
        f"87{NNBSP}% de ses droits).")


# --------------------------------------------------------- figures by territory (by hand)


def _base_territoires():
    """Département 13: communes 13001 (EPCI E1), 13002 (E2), 13003 (no EPCI).
    Parc 2025: B1 100 dwellings freeing 10 in 13001, 300 freeing 30 in 13002 (flux 13: 40);
    B2 200 freeing 20 in 13001 (flux 13: 20); B3 none.
    Conventions 2025:
      B1 ETAT13  département 13  10 %   SIGNEE     → 4 droits: 1 to E1 (100/400), 3 to E2
      B2 ETAT13  département 13  25 %   EN_COURS   → 5 droits, all to E1
      B3 ALS     département 13  5 (estimate) SIGNEE → no parc: « non ventilé »
      B1 EPCIE2  EPCI E2         10 %   NON_SIGNEE → 3 droits (flux of E2: 30), to E2
      B1 COM1    commune 13001   20 %   SIGNEE     → 2 droits (flux of 13001: 10), to E1
    """
    con = fx.base_vide()
    fx.epci(con, "E1", "EPCI Un", "13")
    fx.epci(con, "E2", "EPCI Deux", "13")
    fx.commune(con, "13001", "13", "E1", "Aix")
    fx.commune(con, "13002", "13", "E2", "Berre")
    fx.commune(con, "13003", "13", None, "Cassis")
    fx.parc(con, "B1", "13001", parc_total=100, liberations=10)
    fx.parc(con, "B1", "13002", parc_total=300, liberations=30)
    fx.parc(con, "B2", "13001", parc_total=200, liberations=20)
    fx.convention(con, "B1", "ETAT13", taux_flux=10)
    fx.convention(con, "B2", "ETAT13", taux_flux=25, statut="EN_COURS")
    fx.convention(con, "B3", "ALS", type_reservataire="ACTION_LOGEMENT", droits_annuels=5)
    fx.convention(con, "B1", "EPCIE2", type_reservataire="EPCI", perimetre_type="EPCI",
                  perimetre_code="E2", taux_flux=10, statut="NON_SIGNEE")
    fx.convention(con, "B1", "COM1", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=20)
    return con


def test_signatures_par_epci_a_la_main():
    con = _base_territoires()
    df = territoires.signatures_par_epci(con, 2025)
    assert list(df["cle"]) == ["E2", "E1", "NON_VENTILE"]          # by name, « non ventilé » last
    assert list(df["libelle"]) == ["EPCI Deux", "EPCI Un", "Non ventilé"]
    lignes = df.set_index("cle")
    # E1: B1 ETAT13 (signed), B2 ETAT13 (en cours), B1 COM1 (signed) → 2 of 3
    assert lignes.loc["E1", ["conventions", "signees", "en_cours", "non_signees"]].tolist() == [
        3, 2, 1, 0]
    assert lignes.loc["E1", "taux_signature"] == pytest.approx(2 / 3)
    # droits apportioned to E1: 1 + 5 + 2 = 8, signed 1 + 2 = 3
    assert lignes.loc["E1", "droits_annuels"] == pytest.approx(8.0)
    assert lignes.loc["E1", "droits_signes"] == pytest.approx(3.0)
    assert lignes.loc["E1", "taux_signature_pondere"] == pytest.approx(3 / 8)
    # E2: B1 ETAT13 (signed, 3 droits) and B1 EPCIE2 (not signed, 3) → 1 of 2, 3 of 6
    assert lignes.loc["E2", ["conventions", "signees", "non_signees"]].tolist() == [2, 1, 1]
    assert lignes.loc["E2", "taux_signature"] == pytest.approx(0.5)
    assert lignes.loc["E2", "taux_signature_pondere"] == pytest.approx(0.5)
    # B3's convention: no parc in the 13
    assert lignes.loc["NON_VENTILE", ["conventions", "signees"]].tolist() == [1, 1]
    assert lignes.loc["NON_VENTILE", "droits_annuels"] == pytest.approx(5.0)

    # the territory's own conventions only
    propres = territoires.signatures_par_epci(con, 2025, perimetres="epci_communes")
    propres = propres.set_index("cle")
    assert list(propres.index) == ["E2", "E1"]
    assert propres.loc["E1", ["conventions", "signees"]].tolist() == [1, 1]
    assert propres.loc["E2", ["conventions", "signees"]].tolist() == [1, 0]

    # filters: the bailleur B2 → E1 only; an EPCI filter keeps that EPCI's row only
    assert territoires.signatures_par_epci(con, 2025, Filtres(bailleur=("B2",)))[
        "cle"].tolist() == ["E1"]
    e2 = territoires.signatures_par_epci(con, 2025, Filtres(epci=("E2",)))
    assert e2["cle"].tolist() == ["E2"] and e2["conventions"].tolist() == [2]
    # the same conventions as the EPCI filter of the signatures
    for siren, attendu in (("E1", (3, 2)), ("E2", (2, 1))):
        total = metrics.signatures(con, 2025, "total", Filtres(epci=(siren,))).iloc[0]
        assert (total["conventions"], total["signees"]) == attendu
    assert contenu_cartes.phrase_signatures_non_ventile(df) == (
        "Hors carte, « non ventilé » : 1 convention départementale d'un bailleur sans parc "
        f"connu dans le département, dont 1 signée (100,0{NNBSP}%).")
    with pytest.raises(ValueError, match="périmètres inconnus"):
        territoires.signatures_par_epci(con, 2025, perimetres="communes")


def _base_communes():
    """_base_territoires, and the MAD of 2025 (FLUX unless said):
      B1 ETAT13 13001 10/02 bail signé 20/02     (Q1, bail Q1)  matched: B1 ETAT13 (dép. 13)
      B1 ETAT13 13001 05/05 en cours             (Q2)           matched
      B1 COM1   13002 01/03 bail signé 02/04     (Q1, bail Q2)  no convention of COM1 covers
                                                                13002: without convention
      B2 ALS    13002 15/01 refus CALEOL         (Q1)           B2 has no ALS convention:
                                                                without convention
      B1 ETAT13 13003 01/06 bail signé 10/07     (Q2, bail Q3)  matched; commune without EPCI
      B1 ETAT13 13001 01/08 en cours             (Q3)           outside the cumul at T2
      B1 ETAT13 13001 01/02 mutation             (hors flux)    not counted
    """
    con = _base_territoires()
    fx.mad(con, "B1", "2025-02-10", "13001", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-02-20")
    fx.mad(con, "B1", "2025-05-05", "13001", reservataire="ETAT13")
    fx.mad(con, "B1", "2025-03-01", "13002", reservataire="COM1", issue="BAIL_SIGNE",
           date_bail="2025-04-02")
    fx.mad(con, "B2", "2025-01-15", "13002", reservataire="ALS", issue="REFUS_CALEOL")
    fx.mad(con, "B1", "2025-06-01", "13003", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-07-10")
    fx.mad(con, "B1", "2025-08-01", "13001", reservataire="ETAT13")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13", categorie="MUTATION")
    return con


def _comptes(df) -> dict:
    return {r["cle"]: (r["mises_a_disposition"], r["baux_signes"], r["mad_sans_convention"])
            for r in df.to_dict("records")}


def test_mad_par_commune_a_la_main():
    con = _base_communes()
    df = territoires.par_commune(con, 2025, 2)
    assert list(df.columns) == ["cle", "libelle", "departement", "epci_cle",
                                "mises_a_disposition", "baux_signes", "mad_sans_convention"]
    assert list(df["cle"]) == ["13001", "13002", "13003"]      # most first, then by code
    assert list(df["libelle"]) == ["Aix", "Berre", "Cassis"]
    assert list(df["epci_cle"]) == ["E1", "E2", "NON_VENTILE"]
    assert _comptes(df) == {"13001": (2, 1, 0), "13002": (2, 1, 2), "13003": (1, 1, 0)}
    # baux signés by date of bail up to 30/06: 20/02 (13001) and 02/04 (13002)
    assert _comptes(territoires.par_commune(con, 2025, 2, vue="baux")) == {
        "13001": (1, 1, 0), "13002": (1, 1, 1)}
    # the second quarter alone
    assert _comptes(territoires.par_commune(con, 2025, 2, periode="trimestre")) == {
        "13001": (1, 0, 0), "13003": (1, 1, 0)}
    # at T3: the August MAD is in
    assert _comptes(territoires.par_commune(con, 2025, 3))["13001"] == (3, 1, 0)
    # filters read as the bilan reads them
    assert _comptes(territoires.par_commune(con, 2025, 2, filtres=Filtres(bailleur=("B2",)))) \
        == {"13002": (1, 0, 1)}
    assert _comptes(territoires.par_commune(
        con, 2025, 2, filtres=Filtres(statut=("SANS_CONVENTION",)))) == {"13002": (2, 1, 2)}
    assert _comptes(territoires.par_commune(con, 2025, 2, filtres=Filtres(epci=("E1",)))) == {
        "13001": (2, 1, 0)}
    assert _comptes(territoires.par_commune(
        con, 2025, 2, filtres=Filtres(type_reservataire=("ACTION_LOGEMENT",)))) == {
        "13002": (1, 0, 1)}
    # summed per EPCI: the bilan by EPCI's counts
    par_epci = metrics.bilan(con, 2025, 2, "epci").set_index("cle")
    assert par_epci.loc["E1", "mises_a_disposition"] == 2
    assert par_epci.loc["E2", "mises_a_disposition"] == 2
    assert par_epci.loc["NON_VENTILE", "mises_a_disposition"] == 1


def test_partie_carte_communes_seulement_pour_un_territoire_choisi():
    con = _base_communes()
    obtenir = contenu_bilan.lecteur(con)
    assert contenu_cartes.partie_carte_communes(obtenir, 2025, 2) is None
    partie = contenu_cartes.partie_carte_communes(obtenir, 2025, 2,
                                                  filtres=Filtres(departement=("13",)))
    assert partie.cle == "carte_communes"
    assert list(partie.donnees["cle"]) == ["13001", "13002", "13003"]
    assert partie.message == ("5 mises à disposition dans 3 communes ; la première : Aix (2, "
                              f"40{NNBSP}%).")
    # 13001, 13002 and 13003 are communes of the shipped outlines: nothing left off the map
    assert partie.note is None
    fig = partie.figure("normale")
    assert list(trace(fig, "Mises à disposition").locations) == ["13001", "13002", "13003"]
    assert len(contours(fig)) == 119


# ------------------------------------------------------------ the sample database


@pytest.fixture(scope="module")
def con_exemple(base_exemple):
    con = ouvrir(base_exemple)
    yield con
    con.close()


@pytest.mark.parametrize("filtres", [Filtres(), Filtres(departement=("06",)),
                                     Filtres(bailleur=("OLS03",), type_reservataire=("ETAT",))])
def test_carte_epci_montre_le_bilan_par_epci(con_exemple, filtres):
    """The map's data is the bilan by EPCI — the rows the EPCI bar chart reads — unchanged, and
    every EPCI with a rate is coloured with it."""
    obtenir = contenu_bilan.lecteur(con_exemple)
    partie = contenu_cartes.partie_carte_epci(obtenir, 2025, 2, "mad", filtres)
    moteur = metrics.bilan(con_exemple, 2025, 2, "epci", vue="mad", filtres=filtres)
    pd.testing.assert_frame_equal(partie.donnees.reset_index(drop=True), moteur)
    barres = next(p for p in contenu_bilan.parties(obtenir, 2025, 2, "mad", filtres)
                  if p.cle == "epci")
    pd.testing.assert_frame_equal(
        barres.donnees.sort_values("cle").reset_index(drop=True),
        partie.donnees.sort_values("cle").reset_index(drop=True))
    fig = partie.figure("normale")
    valeurs = trace(fig, "Taux de réalisation")
    attendu = moteur[(moteur["cle"] != "NON_VENTILE") & moteur["taux_realisation"].notna()]
    assert list(valeurs.locations) == list(attendu["cle"])
    assert list(valeurs.z) == pytest.approx(list(attendu["taux_realisation"]))
    assert partie.filtre_au_clic == "epci"


def test_mad_par_commune_somme_le_bilan_par_epci(con_exemple):
    """Summed over the communes of each EPCI, the MAD and baux by commune are the bilan's."""
    for vue, filtres in (("mad", Filtres()), ("baux", Filtres(departement=("13",))),
                         ("mad", Filtres(statut=("SANS_CONVENTION", "EN_COURS")))):
        communes = territoires.par_commune(con_exemple, 2025, 3, vue=vue, filtres=filtres)
        sommes = communes.groupby("epci_cle")[["mises_a_disposition", "baux_signes"]].sum()
        moteur = metrics.bilan(con_exemple, 2025, 3, "epci", vue=vue, filtres=filtres)
        moteur = moteur[moteur["mises_a_disposition"] > 0].set_index("cle")
        assert sorted(sommes.index) == sorted(moteur.index)
        for cle, r in moteur.iterrows():
            assert sommes.loc[cle, "mises_a_disposition"] == r["mises_a_disposition"], cle
            assert sommes.loc[cle, "baux_signes"] == r["baux_signes"], cle


def test_signatures_par_epci_echantillon_egal_au_filtre_epci(con_exemple):
    df = territoires.signatures_par_epci(con_exemple, 2025)
    for siren in (AMP, NCA, RLP):
        ligne = df[df["cle"] == siren].iloc[0]
        total = metrics.signatures(con_exemple, 2025, "total", Filtres(epci=(siren,))).iloc[0]
        assert (ligne["conventions"], ligne["signees"]) == (total["conventions"],
                                                             total["signees"])


# ------------------------------------------------------------- HTML report and PNG image


class _Ressources(HTMLParser):
    """Every src / href of a page and the order of its inline scripts."""

    def __init__(self):
        super().__init__()
        self.liens: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.liens += [v for k, v in attrs if k in ("src", "href") and v]


def test_rapport_html_contient_la_carte_hors_ligne(con_exemple):
    texte = trimestriel.rapport_html(con_exemple, 2025, 2)
    # the map's section, after the EPCI bar chart, with its sentence and its table
    assert texte.index('<section id="epci">') < texte.index('<section id="carte_epci">')
    debut = texte.index('<section id="carte_epci">')
    section = texte[debut:texte.index("</section>", debut)]
    assert "<h2>Carte des EPCI — taux de réalisation</h2>" in section
    assert 'id="graphique_carte_epci"' in section and '"type":"choropleth"' in section
    assert "Hors carte, « non ventilé »" in section
    assert "<th>Taux de réalisation</th>" in section and "Non ventilé" in section
    # plotly.js embedded once, after the empty world topology it will ask for
    assert texte.count("Plotly.newPlot(") == texte.count('<div id="graphique_')
    assert texte.count("* plotly.js v") == 1
    assert texte.index("window.PlotlyGeoAssets") < texte.index("* plotly.js v")
    assert reference_cartes.script_assets_geo() in texte
    # nothing loaded from anywhere
    ressources = _Ressources()
    ressources.feed(texte)
    assert ressources.liens == []


def test_png_d_une_carte_sans_reseau(monkeypatch):
    """Kaleido's Chromium with every http(s) request sent to a dead proxy: the map's PNG is
    made (plotly's world topology read from static/); without it, plotly fails (the control
    shows the network really is cut)."""
    import asyncio
    import threading

    import kaleido

    from dashboard.exports import images

    monkeypatch.setenv("CHOREO_PROXY_SERVER", "http://127.0.0.1:9")
    for variable in images.VARIABLES_CHROMIUM:
        monkeypatch.delenv(variable, raising=False)
    figure = cartes.carte_bilan_epci(bilan_epci())
    contenu = images.png(figure, largeur=600, hauteur=400, echelle=1)
    assert contenu[:8] == b"\x89PNG\r\n\x1a\n"
    # the control, in its own thread as images.png does (the browser tests' Playwright may run
    # an event loop in this one)
    erreurs: list[BaseException] = []

    def sans_topologie() -> None:
        try:
            asyncio.run(kaleido.calc_fig(
                figure, opts={"format": "png", "width": 600, "height": 400},
                kopts={"path": images.chemin_chromium(), "mathjax": False}))
        except BaseException as exc:  # noqa: BLE001 - inspected below
            erreurs.append(exc)

    fil = threading.Thread(target=sans_topologie)
    fil.start()
    fil.join()
    assert len(erreurs) == 1 and "world_110m" in str(erreurs[0])
