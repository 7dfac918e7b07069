"""The quarterly report as PDF (issue 13): printed by the machine's Chromium (never downloaded),
read back with pypdf. A4 landscape; a cover with the period, the filters, the date of the data
and the key figures; one page per part of the HTML report (its title, its takeaway, its chart
as vectors and its table), a long table going on on « (suite du tableau) » pages; « page n / N »
at the foot of every page; nothing requested outside the machine; the command line and the
page's button."""

import http.server
import io
import re
import subprocess
import threading
import unicodedata
from datetime import date
from typing import ClassVar

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from test_export_bilan_annuel import remplir

from dashboard import metrics, store
from dashboard.cli import main
from dashboard.exports import RienAExporter, images, impression, pdf, trimestriel
from dashboard.initialisation import ouvrir

A4_PAYSAGE_POINTS = (841.89, 595.28)      # 297 × 210 mm at 72 points per inch
ESPACE_FINE = "\u202f"                     # the thousands separator and the space before %


def _fr(valeur: float, decimales: int) -> str:
    """A figure the French way, written here without the product's formatting: 2 290,1."""
    return f"{valeur:,.{decimales}f}".replace(",", ESPACE_FINE).replace(".", ",")


def _texte(page) -> str:
    return unicodedata.normalize("NFC", page.extract_text())


def _une_ligne(texte: str) -> str:
    """Lines joined by one space (the fine spaces of the figures kept)."""
    return re.sub(r"[ \n\t]+", " ", texte).strip()


@pytest.fixture(scope="module")
def exemple_pdf(base_exemple):
    """The sample database's report au 30/06/2025, as PDF (read back) and as HTML."""
    con = ouvrir(base_exemple)
    requetes: list[str] = []
    try:
        contenu = pdf.rapport_pdf(con, 2025, 2, aujourd_hui=date(2025, 7, 15),
                                  requetes_externes=requetes)
        rapport = trimestriel.rapport_html(con, 2025, 2, aujourd_hui=date(2025, 7, 15))
        par_reservataire = metrics.bilan(con, 2025, 2, "reservataire")
        par_bailleur = metrics.bilan(con, 2025, 2, "bailleur")
        total = metrics.total(con, 2025, 2).iloc[0]
    finally:
        con.close()
    return {"pdf": contenu, "lecteur": PdfReader(io.BytesIO(contenu)), "html": rapport,
            "requetes": requetes, "reservataire": par_reservataire, "bailleur": par_bailleur,
            "total": total}


def _parties_du_rapport_html(rapport: str) -> list[str]:
    """The titles of the HTML report's parts (one <section> each), in order."""
    titres = re.findall(r"<section id=\"[^\"]+\">\s*<h2>([^<]*)</h2>", rapport)
    return [t.replace("&#x27;", "'").replace("&amp;", "&") for t in titres]


def test_a4_paysage_page_de_garde_et_une_partie_par_page(exemple_pdf):
    lecteur = exemple_pdf["lecteur"]
    pages = [_texte(p) for p in lecteur.pages]
    n = len(pages)
    for page in lecteur.pages:
        largeur, hauteur = float(page.mediabox.width), float(page.mediabox.height)
        assert (largeur, hauteur) == pytest.approx(A4_PAYSAGE_POINTS, abs=1.5)
    # « page n / N » at the foot of every page
    for i, texte in enumerate(pages, start=1):
        assert texte.rstrip().endswith(f"page {i} / {n}"), (i, texte[-80:])
    # the cover, then each part of the HTML report (11 on the sample: 10 parts of the page and
    # the map of the EPCI) on a page of its own, its title at the top; a table longer than its
    # page goes on over the following pages, titled « … (suite du tableau) »
    parties = _parties_du_rapport_html(exemple_pdf["html"])
    assert len(parties) == 11
    assert pages[0].startswith("GESTION EN FLUX")
    debuts: list[str] = []
    for i, texte in enumerate(pages[1:], start=2):
        premiere_ligne = texte.split("\n", 1)[0]
        if premiere_ligne.endswith(" (suite du tableau)"):
            assert debuts, i
            assert premiere_ligne == f"{debuts[-1]} (suite du tableau)", i
        else:
            debuts.append(premiere_ligne)
    assert debuts == parties
    assert n == 1 + len(parties) + sum(t.split("\n", 1)[0].endswith("(suite du tableau)")
                                       for t in pages)
    # the PDF's bookmarks: the contents and each part (not their continuations)
    titre, signets = lecteur.outline
    assert titre.title == "Bilan trimestriel au 30/06/2025"
    assert [s.title for s in signets] == ["Sommaire", *parties]
    # the contents of the cover give each part's page
    couverture = _une_ligne(pages[0])
    for titre in parties:
        numero = next(i for i, t in enumerate(pages, start=1) if t.split("\n", 1)[0] == titre)
        assert f"{titre} — page {numero}" in couverture, titre


def test_page_de_garde_periode_filtres_date_des_donnees_chiffres_cles(exemple_pdf):
    couverture = _une_ligne(_texte(exemple_pdf["lecteur"].pages[0]))
    assert "Bilan trimestriel au 30/06/2025" in couverture
    assert "Du 01/01/2025 au 30/06/2025 (cumul depuis le 1er janvier)" in couverture
    assert "Filtres aucun (toute la région)" in couverture
    assert re.search(r"Données dernier import des mises à disposition : "
                     r"\d\d/\d\d/\d{4} \d\d:\d\d", couverture)
    assert "Édité le 15/07/2025" in couverture
    t = exemple_pdf["total"]
    assert f"Droits prévus {_fr(t['droits_prevus'], 0)}" in couverture
    assert f"Mises à disposition {_fr(t['mises_a_disposition'], 0)}" in couverture
    taux = _fr(100 * t["mises_a_disposition"] / t["droits_prevus"], 1)
    assert f"Taux de réalisation {taux}{ESPACE_FINE}%" in couverture


def test_tableau_et_phrase_cle_en_francais(exemple_pdf):
    """The réservataire part: its takeaway, and its table's row for Action Logement Services
    with the engine's figures written the French way (by hand here)."""
    pages = [_texte(p) for p in exemple_pdf["lecteur"].pages]
    page = next(t for t in pages if t.startswith(
        "Droits prévus et mises à disposition par réservataire\n"))
    df = exemple_pdf["reservataire"]
    als = df[df["libelle"] == "Action Logement Services"].iloc[0]
    ligne = (f"Action Logement Services {_fr(als['droits_prevus'], 1)} "
             f"{_fr(als['mises_a_disposition'], 0)} {_fr(als['ecart'], 1)} "
             f"{_fr(100 * als['mises_a_disposition'] / als['droits_prevus'], 1)}{ESPACE_FINE}% "
             f"{_fr(als['baux_signes'], 0)}")
    assert ligne in page, ligne
    taux = round(100 * als["mises_a_disposition"] / als["droits_prevus"])
    assert (f"Action Logement Services est à {taux}{ESPACE_FINE}% de ses droits au 30/06/2025."
            in page)


def test_graphiques_vectoriels(exemple_pdf):
    """Plotly's SVG printed as text and paths: a bailleur's name is found twice on its page
    (the chart's axis and the table); no page holds a bitmap but the heatmap's cells (plotly
    draws a heatmap as an image), a small part of its page."""
    lecteur = exemple_pdf["lecteur"]
    pages = [_texte(p) for p in lecteur.pages]
    page = next(t for t in pages if t.startswith("Écart par bailleur\n"))
    nom = min(exemple_pdf["bailleur"]["libelle"], key=len)      # never wrapped
    assert page.count(nom) == 2, nom
    carte = next(t for t in pages if t.startswith("Carte des EPCI"))
    assert "Blanc : aucune donnée pour ce territoire" in carte   # the map's note, in its SVG
    aire_page = A4_PAYSAGE_POINTS[0] * A4_PAYSAGE_POINTS[1]
    images_par_page = {}
    for i, p in enumerate(lecteur.pages, start=1):
        xobjets = p.get("/Resources", {}).get("/XObject", {}) or {}
        dessinees = []

        def noter(operateur, arguments, cm, tm, dessinees=dessinees, xobjets=xobjets):
            if operateur == b"Do" and xobjets[arguments[0]].get_object().get(
                    "/Subtype") == "/Image":
                dessinees.append(abs(cm[0] * cm[3]))

        p.extract_text(visitor_operand_before=noter)
        if dessinees:
            images_par_page[i] = dessinees
    heatmap = next(i for i, t in enumerate(pages, start=1)
                   if t.startswith("Taux de réalisation par bailleur et type de réservataire\n"))
    assert set(images_par_page) <= {heatmap}
    assert all(aire < 0.2 * aire_page for aire in images_par_page.get(heatmap, []))


def test_rien_demande_hors_de_la_machine(exemple_pdf):
    assert exemple_pdf["requetes"] == []
    assert exemple_pdf["pdf"].startswith(b"%PDF-")


# --- a small hand-made database: faster prints ---------------------------------------------


@pytest.fixture
def db(tmp_path):
    chemin = tmp_path / "flux.duckdb"
    con = store.connect(chemin)
    remplir(con)
    con.close()
    return chemin


def test_etapes_en_francais_dans_le_fil_de_l_appelant(db, jamais_de_telechargement):
    etapes = []
    con = store.connect(db)
    try:
        contenu = pdf.rapport_pdf(con, 2025, 4, progression=lambda e, f: etapes.append(
            (e, f, threading.get_ident())))
    finally:
        con.close()
    assert contenu.startswith(b"%PDF-")
    libelles = [e for e, _, _ in etapes]
    for attendu in ("Mise en page…", "Impression du PDF…"):
        assert attendu in libelles
    assert libelles.index("Mise en page…") < libelles.index("Impression du PDF…")
    assert etapes[-1][:2] == ("Rapport PDF prêt.", 1.0)
    fractions = [f for _, f, _ in etapes]
    assert fractions == sorted(fractions)
    assert {fil for _, _, fil in etapes} == {threading.get_ident()}


class _Temoin(http.server.BaseHTTPRequestHandler):
    """A local web server's handler that notes every path asked for."""

    demandes: ClassVar[list[str]] = []

    def do_GET(self):
        type(self).demandes.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_aucune_requete_ne_sort_pendant_l_impression(db, tmp_path, jamais_de_telechargement):
    """A report that would load an image from a (local) web server: the print asks for it, the
    tab refuses it, the server never sees it. Control: the same page opened by Chromium without
    the block reaches the server."""
    serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Temoin)
    _Temoin.demandes = []
    threading.Thread(target=serveur.serve_forever, daemon=True).start()
    adresse = f"http://127.0.0.1:{serveur.server_address[1]}/fuite.png"
    try:
        con = store.connect(db)
        try:
            source = impression.rapport_impression(con, 2025, 4)
        finally:
            con.close()
        source = source.replace("</body>", f"<img src=\"{adresse}\" alt=\"\"></body>")
        requetes: list[str] = []
        contenu = pdf.imprimer(source, "essai", requetes_externes=requetes)
        assert contenu.startswith(b"%PDF-")
        assert requetes == [adresse]
        assert _Temoin.demandes == []
        # control
        fichier = tmp_path / "rapport.html"
        fichier.write_text(source, encoding="utf-8")
        subprocess.run([images.chemin_chromium(), "--headless", "--no-sandbox",
                        "--disable-gpu", f"--user-data-dir={tmp_path / 'profil'}",
                        "--virtual-time-budget=5000", "--dump-dom", fichier.as_uri()],
                       capture_output=True, timeout=120, check=False)
        assert _Temoin.demandes == ["/fuite.png"]
    finally:
        serveur.shutdown()
        serveur.server_close()


def test_sans_chromium_message_en_francais(db, monkeypatch):
    monkeypatch.setenv("FLUX_CHROMIUM", "/nulle/part/chromium")
    assert pdf.indisponibilite() == ("Rapport PDF indisponible : Chromium introuvable à "
                                     "l'emplacement « /nulle/part/chromium ».")
    for variable in images.VARIABLES_CHROMIUM:
        monkeypatch.delenv(variable, raising=False)
    assert pdf.indisponibilite(candidats=()) == (
        "Rapport PDF indisponible : aucun navigateur Chromium n'est installé sur cette machine "
        "(paquet Debian « chromium », ou variable FLUX_CHROMIUM).")
    con = store.connect(db)
    try:
        with pytest.raises(pdf.PDFIndisponible, match="aucun navigateur Chromium"):
            pdf.rapport_pdf(con, 2025, 4, candidats=())
        with pytest.raises(RienAExporter):
            pdf.rapport_pdf(con, 2019, 2)
    finally:
        con.close()


def test_chromium_qui_ne_demarre_pas(db, tmp_path, monkeypatch, capsys):
    """A « Chromium » that stops at once: a French message naming it (never choreographer's
    advice to download a Chrome), nothing written."""
    faux = tmp_path / "chromium"
    faux.write_text("#!/bin/sh\nexit 3\n")
    faux.chmod(0o755)
    monkeypatch.setenv("FLUX_CHROMIUM", str(faux))
    sortie = tmp_path / "rapport.pdf"
    assert main(["export", "bilan-trimestriel", "--annee", "2025", "--trimestre", "4",
                 "--out", str(sortie), "--db", str(db)]) == 1
    erreur = capsys.readouterr().err
    assert (f"Rapport PDF impossible à produire : le Chromium de « {faux} » ne démarre pas ou "
            "s'est arrêté") in erreur
    assert "get_chrome" not in erreur and "Wait expired" not in erreur
    assert not sortie.exists()


# --- the command line ------------------------------------------------------------------------


def test_cli_pdf_ecrit(db, tmp_path, capsys, jamais_de_telechargement):
    sortie = tmp_path / "rapport.pdf"
    assert main(["export", "bilan-trimestriel", "--annee", "2025", "--trimestre", "4",
                 "--out", str(sortie), "--db", str(db)]) == 0
    assert "rapport.pdf écrit : Bilan trimestriel au 31/12/2025" in capsys.readouterr().out
    lecteur = PdfReader(io.BytesIO(sortie.read_bytes()))
    couverture = _une_ligne(_texte(lecteur.pages[0]))
    # by hand: droits 3 + 5 + ALS 20 % of 10 = 10; 5 MAD (R1 to R4, R6); écart 5 − 10 = −5;
    # baux signés R1 and R4 (R6 is en cours)
    assert "Droits prévus 10 Mises à disposition 5 Écart -5" in couverture
    assert "Baux signés 2" in couverture
    n = len(lecteur.pages)
    assert _texte(lecteur.pages[-1]).rstrip().endswith(f"page {n} / {n}")


@pytest.mark.parametrize("arguments, statut, message", [
    (["--annee", "2025", "--trimestre", "4"], 1,
     "Rapport PDF indisponible : Chromium introuvable"),
    (["--annee", "2019", "--trimestre", "2"], 1, "rien à exporter"),
])
def test_cli_pdf_rien_d_ecrit(db, tmp_path, capsys, monkeypatch, arguments, statut, message):
    if "2025" in arguments:
        monkeypatch.setenv("FLUX_CHROMIUM", str(tmp_path / "pas-de-chromium"))
    sortie = tmp_path / "rapport.pdf"
    assert main(["export", "bilan-trimestriel", *arguments, "--out", str(sortie),
                 "--db", str(db)]) == statut
    assert message in capsys.readouterr().err
    assert not sortie.exists()
    assert not list(tmp_path.glob(".export-*"))


# --- the page ----------------------------------------------------------------------------------


def test_page_bilan_bouton_rapport_pdf(exemple, jamais_de_telechargement):
    at = AppTest.from_file("../pages/bilan.py", default_timeout=180)
    at.query_params.update({"annee": "2025", "trimestre": "2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    bouton = next(b for b in at.button if b.label == "Rapport PDF (A4 paysage)")
    telechargements = [b.proto.label for b in at.get("download_button")]
    assert "Rapport HTML (graphiques)" in telechargements
    assert "Télécharger le rapport PDF" not in telechargements     # made on click only
    bouton.click().run()
    assert not at.exception, [e.value for e in at.exception]
    telechargements = [b.proto.label for b in at.get("download_button")]
    assert "Télécharger le rapport PDF" in telechargements
    assert not at.error


def test_page_bilan_sans_chromium(exemple, monkeypatch):
    monkeypatch.setenv("FLUX_CHROMIUM", "/nulle/part/chromium")
    at = AppTest.from_file("../pages/bilan.py", default_timeout=180)
    at.query_params.update({"annee": "2025", "trimestre": "2"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.label == "Rapport PDF (A4 paysage)"]
    assert any("Rapport PDF indisponible : Chromium introuvable" in c.value for c in at.caption)
