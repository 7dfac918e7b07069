"""The page « Mises à disposition » (AppTest, sample database) and the links that lead to it.

The page must list exactly the MAD the bilan counts for the figure of its address: the count in
its heading is the engine's bilan (``metrics.bilan`` with the same arguments), the rows are
``metrics.detail``'s; pages of 500 rows; French headings; the filters, the figure, the period,
the order and the page in the address.
"""

from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.formatting import nombre
from dashboard.initialisation import ouvrir
from dashboard.metrics import Filtres
from dashboard.ui.detail import lien_detail, parametres_detail
from dashboard.ui.filtres import Selection

EN_TETES = ["Date de mise à disposition", "Bailleur", "Référence", "Commune", "EPCI",
            "Réservataire", "Réservataire (tel qu'écrit)", "Catégorie", "Issue", "Date du bail",
            "Typologie", "Financement", "QPV", "Public prioritaire", "Convention"]


def _page(**parametres) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update(parametres)
    # A page registered with its own url_path is found once the navigation has run once (on
    # the home page, whose filters leave out the statut: the address is given again).
    at.run()
    at.query_params.update(parametres)
    at.switch_page("pages/mises-a-disposition.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chiffre(exemple, annee, trimestre, par, cle, vue="mad", periode="cumul", **filtres) -> int:
    """The bilan's mises_a_disposition for that key (0 when the bilan has no such row)."""
    con = ouvrir(exemple)
    try:
        df = metrics.bilan(con, annee, trimestre, par, vue, periode, Filtres(**filtres))
    finally:
        con.close()
    return int(df.loc[df["cle"] == cle, "mises_a_disposition"].sum())


def _lignes(exemple, *args, **kwargs):
    con = ouvrir(exemple)
    try:
        return metrics.detail(con, *args, **kwargs)
    finally:
        con.close()


def _textes(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_figure_de_l_adresse_titre_compte_et_en_tetes(exemple):
    at = _page(annee="2025", trimestre="2", departement="13", par="reservataire", cle="ETAT-13")
    n = _chiffre(exemple, 2025, 2, "reservataire", "ETAT-13", departement="13")
    assert n > 500                                   # the sample: several pages
    assert [t.value for t in at.title] == ["Mises à disposition"]
    assert at.subheader[0].value == (
        "Réservataire Préfet des Bouches-du-Rhône — contingent préfectoral (ETAT-13) — "
        f"au 30/06/2025 — {nombre(n)} mises à disposition")
    # the filters of the address in the sidebar, and the figure kept in the address
    assert at.multiselect(key="filtre_departement").value == ["13"]
    assert at.query_params["par"] == "reservataire" and at.query_params["cle"] == "ETAT-13"
    assert "filtres : département 13" in at.caption[0].value
    tableau = at.dataframe[0].value
    assert list(tableau.columns) == EN_TETES
    assert len(tableau) == 500
    assert f"lignes 1 à 500 sur {nombre(n)}" in _textes(at)
    # the rows are the engine's, in its order (by date of MAD)
    attendues = _lignes(exemple, 2025, 2, "reservataire", "ETAT-13", filtres=Filtres(
        departement="13"))
    assert list(tableau["Référence"]) == list(attendues["reference"][:500])
    assert set(tableau["Catégorie"]) == {"Flux réservataire"}
    assert tableau["Convention"].str.contains("ETAT-13").all()
    assert {b.proto.label for b in at.get("download_button")} == {"CSV (Excel)", "Classeur .xlsx"}


def test_pagination(exemple):
    at = _page(annee="2025", trimestre="4")
    n = _chiffre(exemple, 2025, 4, "trimestre", "2025-T1") + sum(
        _chiffre(exemple, 2025, 4, "trimestre", f"2025-T{q}") for q in (2, 3, 4))
    assert at.subheader[0].value == (
        f"Toute la sélection — au 31/12/2025 — {nombre(n)} mises à disposition")
    pages = -(-n // 500)
    assert at.selectbox(key="detail_page").options == [f"{p} sur {pages}"
                                                       for p in range(1, pages + 1)]
    at.selectbox(key="detail_page").select(3).run()
    assert not at.exception
    assert f"lignes 1\u202f001 à 1\u202f500 sur {nombre(n)}" in _textes(at)
    assert at.query_params["page"] == "3"
    attendues = _lignes(exemple, 2025, 4)
    assert list(at.dataframe[0].value["Référence"]) == list(attendues["reference"][1000:1500])
    # the last page holds the rest
    at.selectbox(key="detail_page").select(pages).run()
    reste = n - (pages - 1) * 500
    assert len(at.dataframe[0].value) == reste
    assert (f"lignes {nombre((pages - 1) * 500 + 1)} à {nombre(n)} sur {nombre(n)}"
            in _textes(at))
    # another order of the whole selection starts again at page 1
    at.selectbox(key="detail_tri").select("commune").run()
    assert at.selectbox(key="detail_page").value == 1
    assert at.query_params["tri"] == "commune" and "page" not in at.query_params
    communes = list(at.dataframe[0].value["Commune"])
    assert communes == sorted(communes, key=str.casefold)


def test_page_de_l_adresse(exemple):
    at = _page(annee="2025", trimestre="4", page="2")
    assert at.selectbox(key="detail_page").value == 2
    assert any(t.startswith("lignes 501 à 1\u202f000 sur") for t in _textes(at))


def test_periode_vue_et_filtres_de_l_adresse(exemple):
    at = _page(annee="2025", trimestre="3", vue="baux", periode="trimestre", par="bailleur",
               cle="OLS01", statut="SIGNEE")
    n = _chiffre(exemple, 2025, 3, "bailleur", "OLS01", "baux", "trimestre", statut="SIGNEE")
    assert n > 1
    assert at.radio(key="detail_periode").value == "trimestre"
    assert at.radio(key="filtre_vue").value == "baux"
    assert at.multiselect(key="filtre_statut").value == ["SIGNEE"]
    titre = at.subheader[0].value
    assert titre.startswith("Bailleur ") and "(OLS01)" in titre
    assert titre.endswith(f"T3 2025 (du 01/07/2025 au 30/09/2025) — {nombre(n)} baux signés "
                          "(par date de bail)")
    assert len(at.dataframe[0].value) == min(n, 500)
    assert set(at.dataframe[0].value["Issue"]) == {"Bail signé"}
    # back to the cumulative period
    at.radio(key="detail_periode").set_value("cumul").run()
    n_cumul = _chiffre(exemple, 2025, 3, "bailleur", "OLS01", "baux", statut="SIGNEE")
    assert n_cumul > n
    assert f"au 30/09/2025 — {nombre(n_cumul)} baux signés" in at.subheader[0].value
    assert "periode" not in at.query_params


def test_cle_inconnue_et_toute_la_selection(exemple):
    at = _page(annee="2025", trimestre="2", par="reservataire", cle="PERSONNE")
    assert at.subheader[0].value.endswith("0 mise à disposition")
    assert at.info and "Aucune mise à disposition" in at.info[0].value
    assert not at.dataframe
    at.button(key="detail_tout").click().run()
    assert not at.exception
    assert "par" not in at.query_params and "cle" not in at.query_params
    assert at.subheader[0].value.startswith("Toute la sélection — au 30/06/2025 — ")


def test_lien_detail_porte_les_filtres_du_chiffre():
    selection = Selection(2025, 2, "baux", Filtres(departement="13", statut="SIGNEE,EN_COURS",
                                                   type_reservataire="ETAT"))
    assert lien_detail("reservataire", "ETAT-13", selection) == (
        "mises-a-disposition?annee=2025&trimestre=2&vue=baux&departement=13&type=ETAT"
        "&statut=SIGNEE,EN_COURS&par=reservataire&cle=ETAT-13")
    assert lien_detail(None, None, Selection(2025, 4, "mad", Filtres()),
                       periode="trimestre") == (
        "mises-a-disposition?annee=2025&trimestre=4&periode=trimestre")
    # a heatmap's cell: the second key narrows a filter
    assert lien_detail("type_reservataire", "ETAT", Selection(2025, 2, "mad", Filtres(
        bailleur="OLS01,OLS02")), bailleur="OLS02") == (
        "mises-a-disposition?annee=2025&trimestre=2&bailleur=OLS02&par=type_reservataire"
        "&cle=ETAT")
    # a key with signs a URL must escape
    assert parametres_detail(selection, "epci", "NON_VENTILE")["cle"] == "NON_VENTILE"
    assert lien_detail("bailleur", "A&B 1", Selection(2025, 1, "mad", Filtres())).endswith(
        "par=bailleur&cle=A%26B+1")


def test_bilan_mene_aux_lignes_de_ses_chiffres(exemple):
    """The Bilan trimestriel narrowed to one réservataire (what a click on its bar does) links
    to its rows, and each axis's keys link to theirs."""
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update(annee="2025", trimestre="2", reservataire="ETAT-13")
    at.switch_page("pages/bilan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    n = _chiffre(exemple, 2025, 2, "reservataire", "ETAT-13", reservataire="ETAT-13")
    liens = [p.proto for p in at.get("page_link") if p.proto.page == "mises-a-disposition"]
    assert len(liens) == 1
    assert liens[0].label == (f"Voir les {nombre(n)} mises à disposition — Réservataire Préfet "
                              "des Bouches-du-Rhône — contingent préfectoral (ETAT-13)")
    assert liens[0].query_string == (
        "annee=2025&trimestre=2&reservataire=ETAT-13&par=reservataire&cle=ETAT-13")
    # the expander of links, one table per axis
    assert at.expander[-1].label == "Les mises à disposition derrière chaque chiffre"
    par_trimestre = at.dataframe[-1].value
    assert list(par_trimestre.columns) == ["Libellé", "Clé", "Mises à disposition", "Lien"]
    assert list(par_trimestre["Clé"]) == ["2025-T1", "2025-T2"]
    assert list(par_trimestre["Lien"]) == [
        f"mises-a-disposition?annee=2025&trimestre=2&reservataire=ETAT-13&par=trimestre&cle={c}"
        for c in ("2025-T1", "2025-T2")]
    assert sum(par_trimestre["Mises à disposition"]) == n
