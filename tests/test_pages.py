"""One AppTest per bilan page, on the sample database: no exception, the figures of the metrics
engine, filters that change them, and query parameters that restore a view."""

from conftest import page_app
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.formatting import nombre, pourcentage
from dashboard.initialisation import initialiser, ouvrir
from dashboard.metrics import Filtres


def _page(chemin: str, **parametres) -> AppTest:
    return page_app(chemin, **parametres)


def _metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _attendu(exemple, annee, trimestre, vue="mad", **filtres) -> dict[str, str]:
    con = ouvrir(exemple)
    try:
        t = metrics.total(con, annee, trimestre, vue=vue, filtres=Filtres(**filtres)).iloc[0]
    finally:
        con.close()
    return {"Droits prévus": nombre(t["droits_prevus"], 0),
            "Mises à disposition" if vue == "mad" else "Baux signés (décompte)":
                nombre(t["mises_a_disposition"], 0),
            "Taux de réalisation": pourcentage(t["taux_realisation"], 1),
            "Baux signés": nombre(t["baux_signes"], 0)}


def test_accueil_chiffres_du_moteur_pour_la_periode_par_defaut(exemple):
    at = _page("pages/accueil.py")
    # Today is after 30/09/2026 and the sample runs to 30/09/2026: default is T3 2026.
    assert at.selectbox(key="filtre_annee").value == 2026
    assert at.selectbox(key="filtre_trimestre").value == 3
    vus = _metriques(at)
    for libelle, valeur in _attendu(exemple, 2026, 3).items():
        assert vus[libelle] == valeur, libelle
    assert at.query_params["annee"] == "2026" and at.query_params["trimestre"] == "3"


def test_accueil_un_filtre_change_les_chiffres_et_l_url(exemple):
    at = _page("pages/accueil.py")
    avant = _metriques(at)["Mises à disposition"]
    at.multiselect(key="filtre_bailleur").select("OLS01").run()
    assert not at.exception
    apres = _metriques(at)
    assert apres["Mises à disposition"] != avant
    for libelle, valeur in _attendu(exemple, 2026, 3, bailleur="OLS01").items():
        assert apres[libelle] == valeur, libelle
    assert at.query_params["bailleur"] == "OLS01"


def test_accueil_parametres_d_url_restaurent_la_vue(exemple):
    at = _page("pages/accueil.py", annee="2025", trimestre="2", vue="baux", departement="13")
    assert at.selectbox(key="filtre_annee").value == 2025
    assert at.selectbox(key="filtre_trimestre").value == 2
    assert at.radio(key="filtre_vue").value == "baux"
    assert at.multiselect(key="filtre_departement").value == ["13"]
    vus = _metriques(at)
    for libelle, valeur in _attendu(exemple, 2025, 2, vue="baux", departement="13").items():
        assert vus[libelle] == valeur, libelle


def test_accueil_fraicheur_signale_l_export_manquant(exemple):
    # The sample's OLS16 sent no MAD for July-September 2026 (sample_data/README.md).
    con = ouvrir(exemple)
    try:
        nom = con.execute("SELECT any_value(bailleur_nom) FROM conventions "
                          "WHERE bailleur_code = 'OLS16'").fetchone()[0]
    finally:
        con.close()
    at = _page("pages/accueil.py")
    avertissements = [w.value for w in at.warning
                      if "sans mise à disposition sur un trimestre écoulé" in w.value]
    assert len(avertissements) == 1 and nom in avertissements[0]


def test_bilan_toutes_les_sections_et_le_tableau_par_reservataire(exemple):
    at = _page("pages/bilan.py", annee="2025", trimestre="4")
    assert [s.value for s in at.subheader] == [
        "Droits prévus et mises à disposition par réservataire", "Par type de réservataire",
        "Écart par bailleur", "Taux de réalisation par bailleur et type de réservataire",
        "Cumul trimestre par trimestre", "Par EPCI", "Carte des EPCI",
        "Des mises à disposition aux baux",
        "Hors flux par bailleur", "Publics prioritaires par réservataire (objectif de 25 %)",
        "Publics prioritaires par bailleur (objectif de 25 %)"]
    con = ouvrir(exemple)
    try:
        attendu = metrics.bilan(con, 2025, 4, "type_reservataire")
    finally:
        con.close()
    tableau_types = at.dataframe[1].value
    assert list(tableau_types["Libellé"]) == list(attendu["libelle"])
    assert list(tableau_types["Mises à disposition"]) == [
        nombre(v, 0) for v in attendu["mises_a_disposition"]]


def test_bilan_mode_presentation_une_diapositive_a_la_fois(exemple):
    at = _page("pages/bilan.py", annee="2025", trimestre="2", mode="presentation")
    assert not at.subheader                       # one slide, not the sections
    assert at.query_params["diapo"] == "1"
    assert at.button(key="diapo_precedente").disabled
    at.button(key="diapo_suivante").click().run()
    assert not at.exception
    assert at.query_params["diapo"] == "2"
    assert "Par type de réservataire" in at.markdown[0].value


def test_assiette_et_droits(exemple):
    at = _page("pages/assiette.py", annee="2025")
    assert [s.value for s in at.subheader] == ["Assiette de chaque bailleur, par département",
                                               "Droits de chaque convention"]
    assert at.selectbox(key="assiette_choix").options


def test_controles_liste_les_anomalies_du_moteur(exemple):
    at = _page("pages/controles.py", annee="2025", trimestre="4")
    con = ouvrir(exemple)
    try:
        n = len(metrics.controles(con, 2025, 4))
    finally:
        con.close()
    assert any(m.value.startswith(f"**{n} anomalie{'s' if n > 1 else ''}**")
               for m in at.markdown)
    at.multiselect(key="controles_niveau").select("erreur").run()
    assert not at.exception


def test_page_vide_dit_quoi_faire(tmp_path, monkeypatch):
    fichier = tmp_path / "vide.duckdb"
    con, _ = initialiser(fichier)
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    at = _page("pages/bilan.py")
    assert at.info[0].value.startswith("Aucune mise à disposition importée ni convention pour")


def test_signatures_donne_les_chiffres_paca_de_fevrier_2024(tmp_path, monkeypatch):
    # Issue 5: conventions reproducing the PACA February 2024 figures (built and justified in
    # test_metrics_signatures._paca_2024): ALS 60 %, communes 14 %, EPCI 32 %, autres 35 %;
    # 5 bailleurs of 10 above 50 %, 2 of 10 above 75 %.
    from test_metrics_signatures import _paca_2024

    from dashboard import store
    from dashboard.reference import load_reference

    fichier = tmp_path / "paca.duckdb"
    con = store.connect(fichier)
    load_reference(con)
    _paca_2024(con)
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    at = _page("pages/signatures.py", annee="2024")
    assert _metriques(at)["Bailleurs à plus de 50 % / 75 %"] == "50\u202f% / 20\u202f%"
    assert _metriques(at)["Conventions signées"] == "28 / 105"
    par_type = at.dataframe[0].value
    assert dict(zip(par_type["Libellé"], par_type["Taux de signature"])) == {
        "Action Logement Services": "60,0\u202f%", "Communes": "14,0\u202f%",
        "EPCI": "32,0\u202f%", "Autres (conseil régional, autres réservataires)": "35,0\u202f%"}


def test_signatures_sur_l_exemple_et_en_presentation(exemple):
    at = _page("pages/signatures.py", annee="2025")
    assert [s.value for s in at.subheader] == [
        "Taux de signature par type de réservataire", "Par département",
        "Carte des signatures", "Part des conventions signées par bailleur",
        "Signatures cumulées, année contre année",
        "Conventions non signées et motifs", "Documents des EPCI (CIL, CIA, PPGDID, cotation)"]
    at = _page("pages/signatures.py", annee="2025", mode="presentation")
    assert not at.subheader
    assert at.query_params["diapo"] == "1"
