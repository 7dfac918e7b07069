"""The cache of figures and formatted tables (dashboard.ui.figures) and the data version read
once per script run (dashboard.ui.donnees.version): what is reused, and what makes it stale —
new values, an import rolled back, a changed correspondence."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import donnees, figures
from dashboard.ui.connexion import connexion
from data_loaders import annuler  # the package entry point (stable across refactors)
from data_loaders.correspondances import Definition, definir


@pytest.fixture(autouse=True)
def cache_vide():
    figures.vider()
    yield
    figures.vider()


def _fabrique(df: pd.DataFrame, vue: str):
    return lambda taille: ("figure", df["n"].sum(), vue, taille)


# Builds counted here: a module global, since the builder's closure is part of its key.
_APPELS: list[str] = []


def _compteur():
    _APPELS.clear()

    def fabrique(df, vue="mad"):
        def construire(taille):
            _APPELS.append(taille)
            return {"n": int(df["n"].sum()), "vue": vue, "taille": taille}
        return construire

    return _APPELS, fabrique


# --- the key ---------------------------------------------------------------------------------


def _fabrique_de(df):
    return lambda t: df


def test_empreinte_meme_code_memes_valeurs_meme_cle():
    a = pd.DataFrame({"cle": ["A", "B"], "n": [1, 2]})
    b = a.copy()
    assert figures.empreinte(_fabrique(a, "mad"), ("normale",)) == \
        figures.empreinte(_fabrique(b, "mad"), ("normale",))


def test_empreinte_meme_contenu_autre_disposition_en_memoire():
    # a frame sorted by the page, then the same frame read back from Streamlit's cache
    # (unpickled) on the next rerun: other memory layout, same content, same key
    import pickle

    trie = pd.DataFrame({"cle": ["B", "A", "C"], "ecart": [2.0, -1.0, 0.5]}).sort_values("ecart")
    relu = pickle.loads(pickle.dumps(trie))
    assert figures.empreinte(_fabrique(trie, "mad"), ("normale",)) == \
        figures.empreinte(_fabrique(relu, "mad"), ("normale",))


@pytest.mark.parametrize("autre", [
    pd.DataFrame({"cle": ["A", "B"], "n": [1, 3]}),      # one value
    pd.DataFrame({"cle": ["A", "C"], "n": [1, 2]}),      # one key
    pd.DataFrame({"cle": ["B", "A"], "n": [2, 1]}),      # the order of the rows
    pd.DataFrame({"cle": ["A", "B"], "m": [1, 2]}),      # a column's name
    pd.DataFrame({"cle": ["A", "B"], "n": [1.0, 2.0]}),  # a dtype
    pd.DataFrame({"cle": ["A", "B"], "n": [1, 2]}, index=[5, 6]),  # the index
])
def test_empreinte_change_avec_le_contenu(autre):
    a = pd.DataFrame({"cle": ["A", "B"], "n": [1, 2]})
    assert figures.empreinte(_fabrique_de(a), ("normale",)) != \
        figures.empreinte(_fabrique_de(autre), ("normale",))


@pytest.mark.parametrize("un, autre", [
    (pd.array([1, None], dtype="Int64"), pd.array([1, 2], dtype="Int64")),
    (pd.array(["a", None], dtype="str"), pd.array(["a", "b"], dtype="str")),
    (pd.Categorical(["a", "b"]), pd.Categorical(["b", "a"])),
    (pd.to_datetime(["2025-03-31", None]), pd.to_datetime(["2025-03-31", "2025-06-30"])),
    (pd.array([1, "x"], dtype=object), pd.array(["1", "x"], dtype=object)),
])
def test_empreinte_types_pandas(un, autre):
    cle = figures.empreinte(_fabrique_de(pd.DataFrame({"v": un})), ("normale",))
    assert cle is not None
    assert cle == figures.empreinte(_fabrique_de(pd.DataFrame({"v": un})), ("normale",))
    assert cle != figures.empreinte(_fabrique_de(pd.DataFrame({"v": autre})), ("normale",))


def test_empreinte_change_avec_les_autres_valeurs_et_les_arguments():
    a = pd.DataFrame({"cle": ["A"], "n": [1]})
    base = figures.empreinte(_fabrique(a, "mad"), ("normale",))
    assert figures.empreinte(_fabrique(a, "baux"), ("normale",)) != base
    assert figures.empreinte(_fabrique(a, "mad"), ("presentation",)) != base
    # same values, another builder (another code): another key
    assert figures.empreinte(lambda taille, df=a, vue="mad": (df, vue, taille),
                             ("normale",)) != base


def test_empreinte_sans_cle_pour_ce_que_pickle_ne_sait_pas_ecrire():
    verrou = threading.Lock()
    assert figures.empreinte(lambda t: (verrou, t), ("normale",)) is None


# --- the cache -------------------------------------------------------------------------------


def test_une_figure_construite_une_fois_par_contenu(exemple):
    appels, fabrique = _compteur()
    df = pd.DataFrame({"n": [1, 2]})
    premiere = figures.figure(fabrique(df), "normale")
    # a rerun: the same data read again from the engine's cache (another DataFrame object)
    assert figures.figure(fabrique(df.copy()), "normale") is premiere
    assert appels == ["normale"]
    figures.figure(fabrique(df), "presentation")
    figures.figure(fabrique(pd.DataFrame({"n": [1, 5]})), "normale")
    figures.figure(fabrique(df, vue="baux"), "normale")
    assert appels == ["normale", "presentation", "normale", "normale"]
    assert figures.statistiques()["figures_reprises"] == 1


def test_une_fabrique_non_ecrivable_est_appelee_sans_cache(exemple):
    appels, _ = _compteur()
    verrou = threading.Lock()

    def fabrique(taille):
        _APPELS.append(taille)
        return verrou

    figures.figure(fabrique, "normale")
    figures.figure(fabrique, "normale")
    assert len(appels) == 2 and figures.statistiques()["figures_en_cache"] == 0


def test_une_valeur_changee_en_place_change_la_cle(exemple):
    appels, _ = _compteur()
    options = {"vue": "mad"}

    def fabrique(taille):
        _APPELS.append(taille)
        return dict(options)

    assert figures.figure(fabrique, "normale") == {"vue": "mad"}
    options["vue"] = "baux"
    assert figures.figure(fabrique, "normale") == {"vue": "baux"}
    assert len(appels) == 2


def test_tableau_en_cache_envoye_comme_le_dataframe(exemple):
    from streamlit import dataframe_util

    appels, _ = _compteur()
    df = pd.DataFrame({"libelle": ["Nice", "Toulon"], "taux": ["12,5 %", "—"]}, index=[4, 2])

    def formater():
        _APPELS.append("tableau")
        return df.rename(columns={"taux": "Taux de réalisation"})

    premier = figures.tableau(formater)
    assert figures.tableau(formater) is premier            # immutable: shared as it is
    assert appels == ["tableau"]
    # the bytes st.dataframe sends for it are those it sends for the DataFrame itself
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(premier) == \
        dataframe_util.convert_pandas_df_to_arrow_bytes(formater())


def test_une_construction_a_la_fois_par_cle(exemple):
    appels, _ = _compteur()
    df = pd.DataFrame({"n": [1]})

    def fabrique(taille, df=df):
        _APPELS.append(taille)
        time.sleep(0.2)         # long enough for the other threads to ask meanwhile
        return object()

    resultats = []
    fils = [threading.Thread(target=lambda: resultats.append(figures.figure(fabrique, "x")))
            for _ in range(4)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert len(appels) == 1 and len({id(r) for r in resultats}) == 1


def test_cache_borne(exemple, monkeypatch):
    monkeypatch.setattr(figures._FIGURES, "taille", 3)
    for i in range(5):
        figures.figure(lambda t, i=i: (i, t), "normale")
    assert figures.statistiques()["figures_en_cache"] == 3


# --- stale after a change of the data --------------------------------------------------------


def test_figure_reconstruite_apres_une_annulation_d_import(exemple):
    appels, fabrique = _compteur()
    df = pd.DataFrame({"n": [1, 2]})
    figures.figure(fabrique(df), "normale")
    figures.figure(fabrique(df), "normale")
    assert len(appels) == 1
    con = connexion()
    dernier = con.execute("SELECT max(import_id) FROM journal_imports "
                          "WHERE statut = 'ACTIVE'").fetchone()[0]
    annuler(con, dernier)
    figures.figure(fabrique(df), "normale")
    assert len(appels) == 2
    tableau = figures.tableau(lambda: df.assign(m=1))
    assert figures.statistiques()["tableaux_construits"] == 1 and tableau.num_rows == 2


def test_figure_reconstruite_apres_une_correspondance_changee(exemple):
    appels, fabrique = _compteur()
    df = pd.DataFrame({"n": [1, 2]})
    figures.figure(fabrique(df), "normale")
    avant = donnees.version()
    definir(connexion(), [Definition("OLS01", "Préfecture des Bouches-du-Rhône (test)",
                                     "ETAT-13")])
    assert donnees.version() != avant
    figures.figure(fabrique(df), "normale")
    assert len(appels) == 2


# --- on a page: one version query a run, nothing rebuilt on a warm rerun ---------------------


def _compter(monkeypatch, module, nom: str) -> list:
    """``module.nom`` replaced by the same function recording the first argument of each call
    (None without one): the list of calls."""
    appels = []
    origine = getattr(module, nom)

    def compte(*args, **kwargs):
        appels.append(args[0] if args else None)
        return origine(*args, **kwargs)

    monkeypatch.setattr(module, nom, compte)
    return appels


def _compter_versions(monkeypatch) -> list:
    return _compter(monkeypatch, donnees, "version_donnees")


def test_rerun_chaud_du_bilan_une_requete_de_version_rien_reconstruit(exemple, monkeypatch):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/bilan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    construits = figures.statistiques()
    assert construits["figures_construites"] >= 10 and construits["tableaux_construits"] >= 10
    graphiques = [e.proto.spec for e in at.get("plotly_chart")]

    lectures = _compter_versions(monkeypatch)
    at.run()
    assert not at.exception
    assert len(lectures) == 1          # was one query per engine call (13 on this page)
    apres = figures.statistiques()
    assert apres["figures_construites"] == construits["figures_construites"]
    assert apres["tableaux_construits"] == construits["tableaux_construits"]
    assert apres["figures_reprises"] >= len(graphiques)
    # the page sends the same charts as when they were built
    assert [e.proto.spec for e in at.get("plotly_chart")] == graphiques


def test_rerun_du_bilan_apres_une_annulation_reconstruit_les_figures(exemple):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/bilan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    avant = figures.statistiques()["figures_construites"]
    con = connexion()
    dernier = con.execute("SELECT max(import_id) FROM journal_imports "
                          "WHERE statut = 'ACTIVE' AND type_donnees = 'mises_a_disposition'"
                          ).fetchone()[0]
    annuler(con, dernier)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert figures.statistiques()["figures_construites"] >= 2 * avant


def test_version_hors_d_une_execution_lue_a_chaque_appel(exemple, monkeypatch):
    lectures = _compter_versions(monkeypatch)
    donnees.version()
    donnees.version()
    assert len(lectures) == 2


# --- a cached figure's to_dict(), computed once ----------------------------------------------


def test_figure_en_cache_serialisee_comme_l_originale(exemple):
    import pickle

    import plotly.graph_objects as go
    import plotly.io as pio

    df = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})

    def fabrique(taille, df=df):
        return go.Figure(go.Bar(x=df["x"].tolist(), y=df["y"].tolist()),
                         layout={"height": 300 if taille == "normale" else 600})

    assert figures.empreinte(fabrique, ("normale",)) is not None  # closes over a module: go
    originale = fabrique("normale")
    en_cache = figures.figure(fabrique, "normale")
    assert isinstance(en_cache, go.Figure)
    assert en_cache.to_dict() == originale.to_dict()
    assert pio.to_json(en_cache, validate=False) == pio.to_json(originale, validate=False)
    # what Streamlit does with it: to_dict(), then JSON; a caller's top-level change stays its own
    vue = en_cache.to_dict()
    vue["layout"] = {}
    assert en_cache.to_dict()["layout"]["height"] == 300
    assert pickle.loads(pickle.dumps(en_cache)).to_dict() == originale.to_dict()
    assert figures.figure(fabrique, "normale") is en_cache


def test_json_d_une_figure_en_cache_ecrit_une_fois(exemple, monkeypatch):
    import plotly.graph_objects as go
    import plotly.io as pio
    import plotly.io._json as pio_json

    ecrits = _compter(monkeypatch, pio_json, "to_json_plotly")

    def fabrique(taille):
        return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"height": 300})

    originale = fabrique("normale")
    attendu = pio.to_json(originale, validate=False)
    assert len(ecrits) == 1
    en_cache = figures.figure(fabrique, "normale")
    # what st.plotly_chart does at each draw: to_dict(), then to_json of that dict
    for _ in range(3):
        assert pio.to_json(en_cache.to_dict(), validate=False) == attendu
    assert len(ecrits) == 2             # written once for the cached figure, then remembered
    # a dict a caller changed is not the cached figure any more: written for what it holds
    change = en_cache.to_dict()
    change["layout"] = {"height": 500}
    assert '"height":500' in pio.to_json(change, validate=False).replace(" ", "")
    assert len(ecrits) == 3
    assert pio.to_json(en_cache.to_dict(), validate=False) == attendu
    # other options are not served from the memo
    assert pio.to_json(en_cache, validate=False, pretty=True) != attendu


def _parties_comptees(obtenir, annee, filtres):
    _APPELS.append(annee)
    df = obtenir(annee)
    return [{"donnees": df, "figure": lambda t, df=df: int(df["n"].sum())}]


def _obtenir(annee):
    return pd.DataFrame({"n": [annee, 1]})


def test_contenu_construit_une_fois_par_selection_et_version(exemple):
    from dashboard.metrics import Filtres

    _APPELS.clear()
    premier = figures.contenu(_parties_comptees, _obtenir, 2025, Filtres())
    assert figures.contenu(_parties_comptees, _obtenir, 2025, Filtres()) is premier
    figures.contenu(_parties_comptees, _obtenir, 2024, Filtres())
    figures.contenu(_parties_comptees, _obtenir, 2025, Filtres(departement=("13",)))
    assert _APPELS == [2025, 2024, 2025]
    # new data: built again
    con = connexion()
    dernier = con.execute("SELECT max(import_id) FROM journal_imports "
                          "WHERE statut = 'ACTIVE'").fetchone()[0]
    annuler(con, dernier)
    assert figures.contenu(_parties_comptees, _obtenir, 2025, Filtres()) is not premier
    assert _APPELS == [2025, 2024, 2025, 2025]


def test_cadres_d_un_contenu_empreinte_calculee_une_fois(exemple, monkeypatch):
    from dashboard.metrics import Filtres

    parties = figures.contenu(_parties_comptees, _obtenir, 2025, Filtres())
    cadre = parties[0]["donnees"]
    calculs = _compter(monkeypatch, figures, "_contenu_pandas")
    cle = figures.empreinte(_fabrique(cadre, "mad"), ("normale",))
    # the same frame from a cache: its digest recorded when the content was built
    assert figures.empreinte(_fabrique(cadre, "mad"), ("normale",)) == cle
    assert calculs == []
    # another frame of the same content: hashed, and the same key
    assert figures.empreinte(_fabrique(cadre.copy(), "mad"), ("normale",)) == cle
    assert len(calculs) == 1


def test_page_bilan_parties_reprises_au_rerun(exemple):
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page("pages/bilan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    construits = figures.statistiques()["contenus_construits"]
    assert construits >= 2     # the parts of the bilan, the EPCI map's part, the links' tables
    at.run()
    assert not at.exception
    stats = figures.statistiques()
    assert stats["contenus_construits"] == construits
    assert stats["contenus_repris"] >= construits


# --- calcul(): DataFrames kept in the process, handed out as copies ----------------------------


def _compter_appels(monkeypatch) -> list:
    return _compter(monkeypatch, donnees, "_appel")


def test_calcul_garde_le_dataframe_et_rend_des_copies(exemple, monkeypatch):
    donnees.vider()
    appels = _compter_appels(monkeypatch)
    premier = donnees.calcul("bilan", 2025, 2, "bailleur")
    attendu = premier.copy(deep=True)
    # a caller changing its copy in every way pandas allows changes nobody else's
    premier.loc[premier.index[0], "droits_prevus"] = -1
    premier["nouvelle"] = 1
    premier.index.name = "renomme"
    premier.columns.name = "renommees"
    second = donnees.calcul("bilan", 2025, 2, "bailleur")
    pd.testing.assert_frame_equal(second, attendu)
    assert appels == ["bilan"]
    donnees.calcul("bilan", 2025, 3, "bailleur")     # other arguments: another entry
    assert appels == ["bilan", "bilan"]


def test_calcul_relu_apres_une_annulation(exemple, monkeypatch):
    donnees.vider()
    appels = _compter_appels(monkeypatch)
    avant = donnees.calcul("total", 2025, 4)
    con = connexion()
    dernier = con.execute("SELECT max(import_id) FROM journal_imports WHERE statut = 'ACTIVE' "
                          "AND type_donnees = 'mises_a_disposition'").fetchone()[0]
    annuler(con, dernier)
    apres = donnees.calcul("total", 2025, 4)
    assert appels == ["total", "total"]       # read again, not served from the process
    assert list(apres.columns) == list(avant.columns)


def test_pas_de_ramasse_miettes_complet_apres_chaque_execution():
    # gc.collect(2) after every run scans the whole heap holding the GIL: with 100 sessions at
    # once it was half the server's CPU (docs/benchmarks.md, issue 13)
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parent.parent / ".streamlit" / "config.toml")
                           .read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
