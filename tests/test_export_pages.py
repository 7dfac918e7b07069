"""Exports on the sample database (issue 6): every réservataire's yearly breakdowns add up to the
engine's bilan, and the pages offer the downloads (AppTest)."""

import io
import zipfile

import openpyxl
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.exports import bilan_annuel as export_annuel
from dashboard.formatting import nombre
from dashboard.initialisation import ouvrir
from dashboard.metrics import bilan_annuel
from dashboard.ui import etat


def test_repartitions_egales_au_moteur_pour_chaque_reservataire(base_exemple):
    con = ouvrir(base_exemple)
    try:
        liste = bilan_annuel.reservataires(con, 2025)
        assert len(liste) >= 30
        for code in liste["reservataire_code"]:
            moteur = metrics.total(con, 2025, 4, filtres=metrics.Filtres(reservataire=[code]))
            mad, baux = (int(moteur.iloc[0]["mises_a_disposition"]),
                         int(moteur.iloc[0]["baux_signes"]))
            for axe in bilan_annuel.AXES_BILAN_ANNUEL:
                df = bilan_annuel.repartition(con, 2025, axe, code)
                details = df[df["bailleur_code"] != bilan_annuel.ENSEMBLE]
                assert (int(details["proposes"].sum()), int(details["attribues"].sum())) == (
                    mad, baux), (code, axe)
    finally:
        con.close()


def test_archive_de_l_exemple_tous_les_classeurs_s_ouvrent(base_exemple):
    con = ouvrir(base_exemple)
    try:
        contenu, sommaire = export_annuel.archive(con, 2025, "OLS05")
        attendus = bilan_annuel.reservataires(con, 2025, "OLS05")
    finally:
        con.close()
    with zipfile.ZipFile(io.BytesIO(contenu)) as zf:
        classeurs = sorted(n for n in zf.namelist() if n.endswith(".xlsx"))
        assert len(classeurs) == len(attendus) == len(sommaire)
        for nom in classeurs:
            wb = openpyxl.load_workbook(io.BytesIO(zf.read(nom)))
            total = [c.value for c in list(wb["Synthèse"].iter_rows())[-1]]
            assert total[0] == "Total"
            assert isinstance(total[3], int) and isinstance(total[4], int)


def _boutons(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_page_bilans_annuels(exemple):
    at = AppTest.from_file("../pages/bilans-annuels.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "reservataire": "ETAT-13"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    con = ouvrir(exemple)
    try:
        t = metrics.total(con, 2025, 4, filtres=metrics.Filtres(reservataire=["ETAT-13"])).iloc[0]
    finally:
        con.close()
    vus = {m.label: m.value for m in at.metric}
    assert vus["Logements proposés"] == nombre(t["mises_a_disposition"])
    assert vus["Logements attribués"] == nombre(t["baux_signes"])
    # one set of headings: the KPIs' words in the summary, the law's axis names untouched
    en_tetes = [list(d.value.columns) for d in at.dataframe]
    assert en_tetes[0] == ["Bailleur", "Nom du bailleur", "Droits annuels", "Logements proposés",
                           "Logements attribués", "Écart", "Taux de réalisation",
                           "Taux de chute", "Attribués à des publics prioritaires",
                           "Part publics prioritaires"]
    assert ["Bailleur", "Nom du bailleur", "QPV / hors QPV", "Logements proposés",
            "Logements attribués"] in en_tetes
    assert ["Bailleur", "Nom du bailleur", "Période de construction", "Logements proposés",
            "Logements attribués"] in en_tetes
    boutons = _boutons(at)
    assert "Bilan 2025 de ETAT-13 (.xlsx)" in boutons
    # the zip of every réservataire: made on demand, with its progress, then downloadable
    con = ouvrir(exemple)
    try:
        n = len(bilan_annuel.reservataires(con, 2025))
    finally:
        con.close()
    assert not any(b.startswith("Tous les réservataires (") for b in boutons)
    at.button(key=etat.ANNUEL_ARCHIVE_BOUTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    (barre,) = at.get("progress")
    assert barre.proto.value == 100 and barre.proto.text == f"{n} bilans prêts dans l'archive."
    assert f"Tous les réservataires ({n}, .zip)" in _boutons(at)
    at.run()                                   # kept for the session: no second making
    assert not at.get("progress") and f"Tous les réservataires ({n}, .zip)" in _boutons(at)
    at.selectbox(key="annuel_bailleur").select("OLS01").run()
    assert not at.exception
    assert at.query_params["bailleur"] == "OLS01"
    assert not any(b.startswith("Tous les réservataires (") for b in _boutons(at))


def test_page_bilan_propose_le_pack_et_les_images(exemple):
    at = AppTest.from_file("../pages/bilan.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "trimestre": "2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    boutons = _boutons(at)
    assert "Rapport HTML (graphiques)" in boutons
    assert "Classeur .xlsx (une feuille par axe)" in boutons
    # 8 parts, the 2 of publics prioritaires and the map of the EPCI
    assert boutons.count("Image PNG") == 11


def test_page_bilans_annuels_accords_au_singulier(tmp_path, monkeypatch):
    """Hand-made base of test_export_bilan_annuel, réservataire ETAT13 at bailleur OLS2 in 2025:
    R4 proposed 20/12/2025, bail signed 10/01/2026 — 1 proposé, 1 attribué, 0 bail signé in 2025
    by date of bail; 5 droits annuels → taux de réalisation 1 ÷ 5 = 20 %."""
    from test_export_bilan_annuel import remplir

    from dashboard import store

    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    remplir(con)
    con.close()
    monkeypatch.setenv("FLUX_DB", str(chemin))
    at = AppTest.from_file("../pages/bilans-annuels.py", default_timeout=120)
    at.query_params.update({"annee": "2025", "reservataire": "ETAT13", "bailleur": "OLS2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ("1 logement proposé, dont 1 attribué ; taux de réalisation 20,0\u202f% des droits "
            "annuels. Pour information, 0 bail signé en 2025 selon la date du bail."
            ) in [c.value for c in at.caption]
