"""The quarterly bilan pack (issue 6): the workbook's figures are the engine's, the HTML report
holds the figures and loads nothing from the network, PNG through Debian's Chromium (never a
download), and the command line. Same hand-made database as test_export_bilan_annuel."""

import io
import struct
from datetime import date
from html.parser import HTMLParser

import openpyxl
import plotly.graph_objects as go
import pytest
from test_export_bilan_annuel import remplir

from dashboard import metrics, store
from dashboard.cli import main
from dashboard.exports import RienAExporter, images, trimestriel
from dashboard.formatting import EN_TETES


@pytest.fixture
def db(tmp_path):
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    remplir(con, nom_bailleur_1="<script>alert(1)</script> Habitat")
    con.close()
    return chemin


@pytest.fixture
def con(db):
    c = store.connect(db)
    yield c
    c.close()


def test_classeur_une_feuille_par_axe_chiffres_du_moteur(con):
    wb = openpyxl.load_workbook(io.BytesIO(trimestriel.classeur(con, 2025, 4)))
    assert wb.sheetnames == ["Présentation", "Par réservataire", "Par type de réservataire",
                             "Par bailleur", "Par département", "Par EPCI", "Par trimestre",
                             "Hors flux", "Publics prioritaires", "Contrôles"]
    for axe, nom in trimestriel.FEUILLES_AXES.items():
        ws = wb[nom]
        entetes = [c.value for c in ws[1]]
        assert entetes[:4] == ["Clé", "Libellé", "Droits annuels", "Droits prévus"], nom
        assert ws.freeze_panes == "A2"
        moteur = metrics.bilan(con, 2025, 4, axe)
        lignes = {l[0]: l for l in ws.iter_rows(min_row=2, values_only=True)}
        i_mad = entetes.index(EN_TETES["mises_a_disposition"])
        i_droits = entetes.index(EN_TETES["droits_prevus"])
        for r in moteur.to_dict("records"):
            assert lignes[r["cle"]][i_mad] == r["mises_a_disposition"], (nom, r["cle"])
            if r["droits_prevus"] == r["droits_prevus"]:          # not NaN
                assert lignes[r["cle"]][i_droits] == pytest.approx(r["droits_prevus"])
        assert lignes["TOTAL"][i_mad] == 5                         # 4 ETAT13 + 1 ALS
    # By hand, réservataire ETAT13 at 31/12/2025: droits 3 + 5 = 8, 4 MAD, 2 baux, écart −4.
    ws = wb["Par réservataire"]
    entetes = [c.value for c in ws[1]]
    etat = {l[0]: l for l in ws.iter_rows(min_row=2, values_only=True)}["ETAT13"]
    assert etat[entetes.index("Droits prévus")] == pytest.approx(8.0)
    assert etat[entetes.index("Écart")] == pytest.approx(-4.0)
    assert etat[entetes.index("Baux signés")] == 2
    assert ws.cell(row=2, column=entetes.index("Taux de réalisation") + 1).number_format == "0.0%"
    hors_flux = {l[0]: l for l in wb["Hors flux"].iter_rows(min_row=2, values_only=True)}
    assert hors_flux["OLS1"][2] == 1                               # R7, a mutation
    presentation = {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}
    assert presentation["Fin de la période"].date() == date(2025, 12, 31)


def test_annees_et_trimestres_sans_separateur_de_milliers(con):
    """Excel shows 2025, never "2 025": years and quarters are written with the format "0"."""
    wb = openpyxl.load_workbook(io.BytesIO(trimestriel.classeur(con, 2025, 4)))
    ws = wb["Contrôles"]
    entetes = [c.value for c in ws[1]]
    assert entetes[9:11] == ["Type de périmètre", "Code du périmètre"]   # not "Perimetre type"
    annee = ws.cell(row=2, column=entetes.index("Année") + 1)
    assert annee.value == 2025 and annee.number_format == "0"
    trimestres = [ws.cell(row=r, column=entetes.index("Trimestre") + 1)
                  for r in range(2, ws.max_row + 1)]
    remplis = [c for c in trimestres if c.value is not None]
    assert remplis and all(c.number_format == "0" for c in remplis)
    # a count keeps its thousands separator
    assert wb["Par réservataire"]["E2"].number_format == "#,##0"


def _couverture(con, vue):
    wb = openpyxl.load_workbook(io.BytesIO(trimestriel.classeur(con, 2025, 4, vue)))
    return {r[0]: r[1] for r in wb["Présentation"].iter_rows(values_only=True) if r[0]}


def test_definitions_selon_le_decompte(con):
    """The « baux » view counts the baux signés by date of bail in the columns « Mises à
    disposition », « Écart », « Taux de réalisation » (DOMAIN §4.3): its cover says so."""
    mad, baux = _couverture(con, "mad"), _couverture(con, "baux")
    assert mad["Décompte"] == "mises à disposition (date de mise à disposition)"
    assert mad["Mises à disposition"] == (
        "Logements du flux orientés vers le réservataire, datés du 1er janvier à la fin du "
        "trimestre (date de mise à disposition), quelle que soit leur issue.")
    assert mad["Écart"] == "Mises à disposition − droits prévus (négatif : en retard)."
    assert mad["Taux de réalisation"] == "Mises à disposition ÷ droits prévus."
    assert baux["Décompte"] == "baux signés (date du bail)"
    assert baux["Mises à disposition"].startswith(
        "Dans ce décompte « baux signés » : baux signés (issue « Bail signé »)")
    assert "date du bail va du 1er janvier à la fin du trimestre" in baux["Mises à disposition"]
    assert baux["Écart"] == "Baux signés − droits prévus (négatif : en retard)."
    assert baux["Taux de réalisation"] == "Baux signés ÷ droits prévus."
    assert "date du bail" in baux["Part prévue / part réelle"]
    assert baux["Droits prévus"] == mad["Droits prévus"]


def test_a_retenir_au_titre_de_la_partie(con):
    couverture = _couverture(con, "mad")
    assert not [c for c in couverture if c.startswith("À retenir (")]
    # by hand: 5 MAD (4 ETAT13 + 1 ALS) for 3 + 5 + 2 (ALS 20 % of 10) = 10 droits prévus
    assert couverture["À retenir — Cumul trimestre par trimestre"] == (
        "Au 31/12/2025 : 5 mises à disposition pour 10 droits prévus (50\u202f%).")
    assert "À retenir — Par EPCI" in couverture


class _Ressources(HTMLParser):
    """Every src / href attribute of the document's tags (script content is not parsed)."""

    def __init__(self):
        super().__init__()
        self.liens: list[str] = []
        self.scripts = 0
        self.balises: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.balises.append(tag)
        if tag == "script":
            self.scripts += 1
        for nom, valeur in attrs:
            if nom in ("src", "href", "srcset", "data", "poster") and valeur:
                self.liens.append(valeur)


def test_rapport_html_autonome_avec_les_chiffres(con):
    texte = trimestriel.rapport_html(con, 2025, 4, aujourd_hui=date(2026, 1, 15))
    analyse = _Ressources()
    analyse.feed(texte)
    externes = [l for l in analyse.liens if l.lower().startswith(("http:", "https:", "//"))]
    assert externes == []
    assert analyse.liens == []          # no src / href at all: nothing to load, even locally
    assert "link" not in analyse.balises and "img" not in analyse.balises
    assert "@import" not in texte and "fonts.googleapis" not in texte
    # plotly.js embedded once, one plot per non-empty part
    assert texte.count("* plotly.js v") == 1            # the library's banner: embedded once
    # (8 parts, the map of the EPCI after the EPCI part, and the publics prioritaires per
    # réservataire: ETAT13's 2 baux; the part per bailleur is empty: no bail of a réservataire
    # with the 25 % target nor of a non-reserved dwelling)
    assert texte.count("Plotly.newPlot(") == 10
    # figures of the total (by hand: droits 3 + 5 + ALS 20 % of 10 = 2 → 10; 5 MAD; 3 baux)
    assert "Bilan trimestriel au 31/12/2025" in texte
    assert ">10</div>" in texte and ">5</div>" in texte
    assert "Édité le 15/01/2026" in texte
    # a hostile name is escaped, never run
    assert "<script>alert(1)</script>" not in texte
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Habitat" in texte


def test_rien_a_exporter(con):
    with pytest.raises(RienAExporter, match="2019"):
        trimestriel.classeur(con, 2019, 2)
    with pytest.raises(RienAExporter):
        trimestriel.rapport_html(con, 2019, 2)


# --- PNG -------------------------------------------------------------------------------------


def _taille_png(contenu: bytes) -> tuple[int, int]:
    assert contenu[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", contenu[16:24])


def test_png_par_le_chromium_de_debian(jamais_de_telechargement):
    assert images.chemin_chromium() == "/usr/bin/chromium"
    figure = go.Figure(go.Bar(x=["T1", "T2"], y=[3, 5]))
    assert _taille_png(images.png(figure, largeur=400, hauteur=300, echelle=1)) == (400, 300)


def test_png_sans_chromium_message_en_francais(jamais_de_telechargement):
    with pytest.raises(images.ImagesIndisponibles, match="aucun navigateur Chromium"):
        images.png(go.Figure(), candidats=())


def test_png_chemin_configure_absent(jamais_de_telechargement, monkeypatch):
    monkeypatch.setenv("FLUX_CHROMIUM", "/nulle/part/chromium")
    assert "introuvable à l'emplacement « /nulle/part/chromium »" in images.indisponibilite()


# --- the command line ------------------------------------------------------------------------


def test_cli_trimestriel_xlsx_et_html(db, tmp_path, capsys):
    xlsx = tmp_path / "pack.xlsx"
    assert main(["export", "bilan-trimestriel", "--annee", "2025", "--trimestre", "4",
                 "--bailleur", "OLS2", "--out", str(xlsx), "--db", str(db)]) == 0
    wb = openpyxl.load_workbook(xlsx)
    lignes = {l[0]: l for l in wb["Par bailleur"].iter_rows(min_row=2, values_only=True)}
    assert set(lignes) == {"OLS2", "TOTAL"}
    html = tmp_path / "pack.html"
    assert main(["export", "bilan-trimestriel", "--annee", "2025", "--trimestre", "T2",
                 "--out", str(html), "--db", str(db)]) == 0
    assert "Bilan trimestriel au 30/06/2025" in html.read_text(encoding="utf-8")
    assert "pack.html écrit" in capsys.readouterr().out


def test_cli_graphique_png(db, tmp_path, jamais_de_telechargement):
    sortie = tmp_path / "bailleurs.png"
    assert main(["export", "graphique", "--annee", "2025", "--trimestre", "4", "--graphique",
                 "bailleur", "--out", str(sortie), "--db", str(db)]) == 0
    largeur, _ = _taille_png(sortie.read_bytes())
    assert largeur == 2 * images.LARGEUR


def test_cli_graphique_sans_chromium(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FLUX_CHROMIUM", str(tmp_path / "pas-de-chromium"))
    sortie = tmp_path / "g.png"
    assert main(["export", "graphique", "--annee", "2025", "--trimestre", "4", "--graphique",
                 "bailleur", "--out", str(sortie), "--db", str(db)]) == 1
    assert "Image PNG indisponible" in capsys.readouterr().err
    assert not sortie.exists()


@pytest.mark.parametrize("arguments, statut", [
    (["bilan-trimestriel", "--annee", "2019", "--trimestre", "2", "--out", "x.xlsx"], 1),
    (["bilan-trimestriel", "--annee", "2025", "--trimestre", "2", "--out", "x.odt"], 2),
    (["bilan-trimestriel", "--annee", "2025", "--trimestre", "5", "--out", "x.xlsx"], 2),
    (["graphique", "--annee", "2025", "--trimestre", "2", "--graphique", "camembert",
      "--out", "x.png"], 2),
])
def test_cli_statuts(db, tmp_path, monkeypatch, arguments, statut):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(["export", *arguments, "--db", str(db)])
    except SystemExit as exc:
        code = exc.code
    assert code == statut
    assert not list(tmp_path.glob("x.*"))


def test_les_cles_de_graphique_sont_celles_du_bilan(con):
    """`export graphique --graphique CLE` offers every part of the bilan, in page order: a part
    added to contenu_bilan.parties without its key would not be exportable."""
    from dashboard import contenu_bilan

    parties = contenu_bilan.parties(contenu_bilan.lecteur(con), 2025, 4)
    assert tuple(p.cle for p in parties) == trimestriel.cles_graphiques() == (
        "reservataire", "type", "bailleur", "croise", "cumuls", "epci", "entonnoir", "hors_flux",
        "prioritaires", "prioritaires_bailleurs")
