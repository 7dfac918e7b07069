"""AppTest of the page « Orientation d'un logement libéré » (issue 8) on a hand-built database.

B1 in Aix (flux 100 = the département's) on 14/03/2025, day 73 of 365 (0,2 of the year):

    COM-13001  10 % → 10 droits, 2 prévus, 0 MAD: retard 2, relatif 0,2
    CD13       5 %, non signée → 5 droits, 1 prévu, 0 MAD: retard 1, relatif 0,2
    ETAT13     25 % → 25 droits, 5 prévus, 1 MAD: retard 4, relatif 0,16
    ALS        20 % → 20 droits, 4 prévus, 3 MAD: retard 1, relatif 0,05
    non réservé 100 − 60 = 40 % → 40 droits, 8 prévus, 8 MAD: retard 0, relatif 0

The page is run through a navigation script of its own (written in the test's directory beside a
link to the app's pages/), so the test does not depend on how app.py lists the pages.
"""

from datetime import date
from pathlib import Path

import metrics_fixtures as fx
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import store
from dashboard.ui import orientation as ui

PAGES = Path(__file__).resolve().parent.parent / "pages"
NAVIGATION = """
import streamlit as st
st.navigation([
    st.Page("pages/orientation.py", title="Orientation d'un logement libéré",
            url_path="orientation", default=True),
    st.Page("pages/importer.py", title="Importer des données", url_path="importer"),
]).run()
"""


@pytest.fixture
def base(tmp_path, monkeypatch):
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    fx.epci(con, "200054807", "Métropole d'Aix-Marseille-Provence")
    fx.commune(con, "13001", "13", "200054807", nom="Aix-en-Provence")
    fx.commune(con, "13055", "13", "200054807", nom="Marseille")
    fx.parc(con, "B1", "13001", parc_total=1000, liberations=100)
    fx.convention(con, "B1", "ETAT13", taux_flux=25, bailleur_nom="Habitat Provence",
                  reservataire_nom="Préfet 13")
    fx.convention(con, "B1", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=20,
                  reservataire_nom="Action Logement Services")
    fx.convention(con, "B1", "CD13", type_reservataire="DEPARTEMENT", taux_flux=5,
                  statut="NON_SIGNEE", reservataire_nom="Conseil départemental 13")
    fx.convention(con, "B1", "COM-13001", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13001", taux_flux=10, reservataire_nom="Ville d'Aix")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ETAT13")
    fx.mad(con, "B1", "2025-02-01", "13001", reservataire="ALS", nombre=3)
    fx.mad(con, "B1", "2025-02-01", "13001", categorie="NON_RESERVE", nombre=8)
    fx.mad(con, "B1", "2025-02-01", "13055", categorie="NON_RESERVE", nombre=2)
    con.execute("UPDATE mises_a_disposition SET typologie = 'T3' WHERE reservataire_code = 'ALS'")
    con.close()
    monkeypatch.setenv("FLUX_DB", str(chemin))
    return chemin


def _page(tmp_path, **parametres) -> AppTest:
    script = tmp_path / "navigation_orientation.py"
    if not script.exists():
        script.write_text(NAVIGATION, encoding="utf-8")
        (tmp_path / "pages").symlink_to(PAGES)   # the app's pages, beside the script
    at = AppTest.from_file(str(script), default_timeout=120)
    at.query_params.update(parametres)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _colonne(at, titre: str, index: int = 0) -> list[str]:
    return list(at.dataframe[index].value[titre])


def test_classement_calcule_a_la_main(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    assert [t.value for t in at.title] == ["Orientation d'un logement libéré"]
    assert at.selectbox(key=ui.CLE_BAILLEUR).value == "B1"
    assert at.selectbox(key=ui.CLE_COMMUNE).value == "13001"
    assert at.date_input(key=ui.CLE_DATE).value == date(2025, 3, 14)
    assert at.success[0].value.startswith("**Proposer le logement à : Ville d'Aix** (COM-13001)")
    assert [s.value for s in at.subheader] == [
        "Classement des réservataires — Aix-en-Provence, au 14/03/2025",
        "Projection au 31/12/2025 au rythme actuel",
        "Conversion des droits acquis (Action Logement)"]
    assert _colonne(at, "Libellé") == [
        "Ville d'Aix", "Conseil départemental 13", "Préfet 13", "Action Logement Services",
        "Contingent propre du bailleur (non réservé)"]
    assert _colonne(at, "Retard relatif") == [
        "20,0\u202f%", "20,0\u202f%", "16,0\u202f%", "5,0\u202f%", "0,0\u202f%"]
    assert _colonne(at, "Droits prévus") == ["2,0", "1,0", "5,0", "4,0", "8,0"]
    assert _colonne(at, "Statut") == ["Signée", "Non signée", "Signée", "Signée", "—"]
    assert _colonne(at, "Type de périmètre")[0] == "Commune"     # formatting.EN_TETES' heading
    # the URL keeps the view
    assert at.query_params["commune"] == "13001" and at.query_params["date"] == "2025-03-14"


def test_projection_au_31_decembre(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    metriques = {m.label: m.value for m in at.metric}
    # reste: ETAT13 25 − 1, ALS 20 − 3, CD13 5 − 0, COM-13001 10 − 0 = 24 + 17 + 5 + 10 = 56;
    # at 5 × the MAD so far, all four stay under their droits
    assert metriques["Reste à mettre à disposition d'ici le 31/12"] == "56"
    assert metriques["Réservataires en dessous de leurs droits au 31/12 à ce rythme"] == "4 sur 4"
    projection = at.dataframe[1].value.set_index("Libellé")
    assert projection.loc["Action Logement Services", "Projection au 31/12"] == "15,0"   # 3 × 5
    assert projection.loc["Action Logement Services", "Taux projeté"] == "75,0\u202f%"


def test_conventions_signees_seulement(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    at.toggle(key=ui.CLE_SIGNEES).set_value(True).run()
    assert not at.exception
    # CD13 leaves; its 5 % go back to the bailleur: 45 droits, 9 prévus, 8 MAD, 1 ÷ 45 = 2,2 %
    assert _colonne(at, "Libellé") == [
        "Ville d'Aix", "Préfet 13", "Action Logement Services",
        "Contingent propre du bailleur (non réservé)"]
    assert _colonne(at, "Retard relatif")[-1] == "2,2\u202f%"


def test_typologie_dans_le_motif_sans_changer_le_classement(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    avant = _colonne(at, "Libellé")
    at.selectbox(key=ui.CLE_TYPOLOGIE).select("T3").run()
    assert not at.exception
    assert _colonne(at, "Libellé") == avant
    motifs = next(m.value for m in at.markdown if m.value.startswith("1. **"))
    lignes = motifs.splitlines()
    assert len(lignes) == 5
    assert lignes[3].startswith("4. **Action Logement Services** — En retard de 1,0 logement")
    assert lignes[3].endswith("; dont 3 T3 comme ce logement.")
    assert lignes[2].startswith("3. **Préfet 13** —")
    assert lignes[2].endswith("; dont 0 T3 comme ce logement.")


def test_date_et_commune_changent_le_classement(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    # 31/12/2025: the whole year; ALS 20 − 3 = 17 behind (85 %), first
    at.date_input(key=ui.CLE_DATE).set_value(date(2025, 12, 31)).run()
    assert not at.exception
    assert _colonne(at, "Libellé")[0] == "Ville d'Aix"               # 10 − 0 = 100 %
    assert _colonne(at, "Droits prévus")[0] == "10,0"
    # Marseille: no commune convention there, and B1 has no parc there (own share unknown)
    at.selectbox(key=ui.CLE_COMMUNE).select("13055").run()
    assert not at.exception
    libelles = _colonne(at, "Libellé")
    assert "Ville d'Aix" not in libelles
    assert libelles[-1] == "Contingent propre du bailleur (non réservé)"
    assert _colonne(at, "Droits annuels")[-1] == "—"


def test_calculatrice_des_droits_acquis(base, tmp_path):
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    assert at.selectbox(key=ui.CLE_DEPARTEMENT_DA).value == "13"
    cle_taux = f"{ui.CLE_TAUX_DA}_B1_13_2025"
    assert at.text_input(key=cle_taux).value == "10,00"                 # 100 ÷ 1 000
    at.text_area(key=ui.CLE_PROGRAMMES).input("Les Oliviers ; 40\nLe Mistral ; 25").run()
    assert not at.exception
    # 40 × 10 % + 25 × 10 % = 6,5 droits uniques a year
    assert {m.label: m.value for m in at.metric}["Droits uniques par an"] == "6,5"
    at.text_area(key=ui.CLE_PROGRAMMES).input("Les Oliviers ; quarante").run()
    assert not at.exception
    assert "ligne 1, colonne « droits de suite », valeur « quarante »" in at.error[0].value
    # an agreed rate typed the French way
    at.text_area(key=ui.CLE_PROGRAMMES).input("Les Oliviers ; 40").run()
    at.text_input(key=cle_taux).input("7,5").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Droits uniques par an"] == "3,0"   # 40 × 7,5 %
    at.text_input(key=cle_taux).input("beaucoup").run()
    assert "taux de rotation invalide : « beaucoup »" in at.error[0].value


def test_droits_acquis_au_taux_exact_du_moteur(base, tmp_path):
    """B1's parc in the 13 becomes 3 000 for 100 libérations: a rate of 1 ÷ 30 = 3,333… %,
    shown « 3,33 ». 3 000 droits de suite × 1/30 = 100,0 droits uniques a year (at the rounded
    3,33 % it would be 99,9); once the user edits the field, the rate is taken as typed."""
    con = store.connect(base)
    con.execute("UPDATE parc SET parc_total = 3000 WHERE bailleur_code = 'B1'")
    con.close()
    at = _page(tmp_path, bailleur="B1", commune="13001", date="2025-03-14")
    cle_taux = f"{ui.CLE_TAUX_DA}_B1_13_2025"
    assert at.text_input(key=cle_taux).value == "3,33"
    at.text_area(key=ui.CLE_PROGRAMMES).input("Les Oliviers ; 3000").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Droits uniques par an"] == "100,0"
    at.text_input(key=cle_taux).input("3,3").run()
    assert {m.label: m.value for m in at.metric}["Droits uniques par an"] == "99,0"
    at.text_input(key=cle_taux).input("3,33").run()      # typed: 3 000 × 3,33 % = 99,9
    assert {m.label: m.value for m in at.metric}["Droits uniques par an"] == "99,9"


def test_nom_de_commune_jamais_interprete(base, tmp_path):
    """A commune's name goes into Markdown (subheader, warning) as plain text. In the 84 no
    convention of B1 covers it: the warning names it."""
    con = store.connect(base)
    fx.commune(con, "84001", "84", None, nom="*Apt* [ici](http://example.org)")
    fx.parc(con, "B1", "84001", parc_total=100, liberations=10)
    con.close()
    at = _page(tmp_path, bailleur="B1", commune="84001", date="2025-03-14")
    nom = "\\*Apt\\* \\[ici\\](http\\://example.org)"
    assert at.subheader[0].value == f"Classement des réservataires — {nom}, au 14/03/2025"
    assert at.warning[0].value == (f"Aucune convention 2025 de ce bailleur ne couvre {nom} : "
                                   "tout le flux y revient au bailleur.")


def test_url_invalide_et_base_vide(base, tmp_path, monkeypatch):
    at = _page(tmp_path, bailleur="B9", commune="99999", date="2025-03-14")
    assert at.selectbox(key=ui.CLE_BAILLEUR).value == "B1"             # the only bailleur
    assert at.selectbox(key=ui.CLE_COMMUNE).value == "13001"           # first by name
    # an unreadable date: today, a year where B1 declared no parc nor MAD
    at = _page(tmp_path, bailleur="B1", date="hier")
    assert at.date_input(key=ui.CLE_DATE).value == date.today()
    assert [i.value for i in at.info] == [
        f"Aucun parc ni aucune mise à disposition de ce bailleur en {date.today().year} : "
        "importez son fichier « parc » pour choisir une commune."]
    vide = tmp_path / "vide.duckdb"
    store.connect(vide).close()
    monkeypatch.setenv("FLUX_DB", str(vide))
    at = _page(tmp_path)
    assert "Aucun bailleur dans la base" in at.info[0].value
