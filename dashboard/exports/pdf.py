"""The quarterly report as a PDF (A4 landscape): the machine's Chromium prints the report laid
out for paper (``impression.rapport_impression``), charts as vectors (plotly draws SVG, which
Chromium prints as paths and text, never as a bitmap).

The browser is driven through the DevTools protocol by ``choreographer`` (the library kaleido
uses for the PNG images), with the browser of ``images.chemin_chromium`` (``$FLUX_CHROMIUM``,
``$BROWSER_PATH``, Debian's ``/usr/bin/chromium``): nothing is ever downloaded — no browser, no
script, no font. The report is written to a private temporary file and opened as ``file://``;
the tab blocks every network address (``Network.setBlockedURLs``) and the browser's proxy is a
closed local port, so no request can leave the machine while printing.

Steps: lay the report out (Python), start Chromium, open the report, wait until plotly has drawn
every chart (each chart counts itself in its ``newPlot`` promise), cut the long tables where
their page ends (``miseEnPage`` in the report, measured by the browser), print
(``Page.printToPDF``, footer « page 3 / 12 »). ``progression(etape, fraction)`` is told each
step in French, always from the caller's thread (the browser runs in its own thread and event
loop, whatever the caller runs: Streamlit, pytest, the command line).

Without Chromium (or choreographer), ``rapport_pdf`` raises ``PDFIndisponible`` with a French
message, which the page and the command line show.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dashboard.exports import images, impression, trimestriel
from dashboard.metrics import Filtres

DELAI_SECONDES = 120             # the whole print, browser start included
DELAI_GRAPHIQUES_SECONDES = 60   # plotly drawing every chart
MM_PAR_POUCE = 25.4
# Every request but the report's own file is refused (belt: the tab; braces: the proxy).
ADRESSES_BLOQUEES = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]
PROXY_FERME = "http://127.0.0.1:9"
# Schemes that never leave the machine (the report's file, inline data, the browser's own).
SCHEMAS_LOCAUX = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")

Progression = Callable[[str, float], None]

# choreographer's warnings (English, on stderr: « Wait expired, Browser is being closed… ») say
# nothing the French message of PDFIndisponible does not.
logging.getLogger("choreographer").setLevel(logging.ERROR)


class PDFIndisponible(RuntimeError):
    """No PDF can be made on this machine, or the print failed (the message says why, in
    French)."""


def indisponibilite(candidats: tuple[str, ...] | None = None) -> str | None:
    """Why no PDF can be made here (French), or None when it can."""
    try:
        import choreographer  # noqa: F401
    except ImportError:
        return ("Rapport PDF indisponible : le module « choreographer » n'est pas installé "
                "(pip install -r requirements.txt).")
    chemin = images.chemin_chromium(candidats)
    if chemin is None:
        return ("Rapport PDF indisponible : aucun navigateur Chromium n'est installé sur cette "
                "machine (paquet Debian « chromium », ou variable FLUX_CHROMIUM).")
    if not (os.path.isfile(chemin) and os.access(chemin, os.X_OK)):
        return f"Rapport PDF indisponible : Chromium introuvable à l'emplacement « {chemin} »."
    return None


def pied_de_page(titre: str) -> str:
    """The footer Chromium writes on every page: the report's title, « page 3 / 12 »."""
    return ("<div style=\"width:100%; margin:0 12mm; display:flex; justify-content:space-between;"
            " font-family:'DejaVu Sans', Arial, sans-serif; font-size:7.5pt; color:#555;"
            " font-variant-ligatures:none;\">"
            f"<span>{html.escape(titre)} · Gestion en flux</span>"
            "<span>page <span class=\"pageNumber\"></span> / "
            "<span class=\"totalPages\"></span></span></div>")


def rapport_pdf(con, annee: int, trimestre: int, vue: str = "mad",
                filtres: Filtres | None = None, aujourd_hui: date | None = None,
                progression: Progression | None = None,
                candidats: tuple[str, ...] | None = None,
                requetes_externes: list[str] | None = None) -> bytes:
    """The quarterly report as PDF bytes: a cover, then one page per part (more when a table
    continues), « page n / N » at the foot of each. Raises ``RienAExporter`` when the selection
    is empty, ``PDFIndisponible`` without Chromium or when the print fails.

    ``requetes_externes``, when given, receives every address the page asked for outside the
    machine (all of them blocked; none expected)."""
    signaler = progression or (lambda etape, fraction: None)
    raison = indisponibilite(candidats)
    if raison:
        raise PDFIndisponible(raison)
    signaler("Calcul des chiffres…", 0.05)
    source = impression.rapport_impression(con, annee, trimestre, vue, filtres, aujourd_hui)
    return imprimer(source, trimestriel.titre(annee, trimestre), signaler,
                    chemin=images.chemin_chromium(candidats),
                    requetes_externes=requetes_externes)


def imprimer(source: str, titre: str, progression: Progression | None = None,
             chemin: str | None = None, requetes_externes: list[str] | None = None) -> bytes:
    """Print the report laid out for paper (``source``) with Chromium at ``chemin``."""
    signaler = progression or (lambda etape, fraction: None)
    chemin = chemin or images.chemin_chromium()
    if chemin is None:
        raise PDFIndisponible(indisponibilite() or "Rapport PDF indisponible.")
    etapes: queue.Queue = queue.Queue()
    resultat: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="rapport-pdf-") as dossier:
        fichier = Path(dossier) / "rapport.html"
        fichier.write_text(source, encoding="utf-8")

        def travail() -> None:   # its own event loop, whatever the caller's thread runs
            try:
                resultat["pdf"] = asyncio.run(asyncio.wait_for(
                    _imprimer(fichier.as_uri(), chemin, titre, etapes.put,
                              resultat.setdefault("requetes", [])),
                    DELAI_SECONDES))
            except BaseException as exc:  # noqa: BLE001 - reported below, in French
                resultat["erreur"] = exc
            finally:
                etapes.put(None)

        fil = threading.Thread(target=travail, name="impression-pdf", daemon=True)
        fil.start()
        # the steps told from this thread (Streamlit's widgets live in the script's thread)
        while (etape := etapes.get()) is not None:
            signaler(*etape)
        fil.join()
    if requetes_externes is not None:
        requetes_externes.extend(resultat.get("requetes", []))  # type: ignore[arg-type]
    if "erreur" in resultat:
        exc = resultat["erreur"]
        if isinstance(exc, PDFIndisponible):
            raise exc
        if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
            raise PDFIndisponible(f"Rapport PDF impossible à produire : Chromium n'a pas fini "
                                  f"en {DELAI_SECONDES} secondes.") from exc
        if _arret_du_navigateur(exc):
            # choreographer's own message suggests downloading a Chrome: never here
            raise PDFIndisponible(f"Rapport PDF impossible à produire : le Chromium de "
                                  f"« {chemin} » ne démarre pas ou s'est arrêté "
                                  f"({type(exc).__name__}).") from exc
        raise PDFIndisponible(f"Rapport PDF impossible à produire : {type(exc).__name__} : "
                              f"{exc}") from exc
    signaler("Rapport PDF prêt.", 1.0)
    return resultat["pdf"]  # type: ignore[return-value]


async def _imprimer(adresse: str, chemin: str, titre: str, signaler, requetes: list[str]) -> bytes:
    import choreographer

    signaler(("Démarrage de Chromium…", 0.2))
    async with choreographer.Browser(path=chemin, headless=True,
                                     proxy_server=PROXY_FERME) as navigateur:
        onglet = await navigateur.create_tab("about:blank")

        async def noter(evenement) -> None:
            url = evenement.get("params", {}).get("request", {}).get("url", "")
            if not url.startswith(SCHEMAS_LOCAUX):
                requetes.append(url)

        onglet.subscribe("Network.requestWillBeSent", noter, repeating=True)
        await _commande(onglet, "Network.enable")
        await _commande(onglet, "Network.setBlockedURLs", {"urls": ADRESSES_BLOQUEES})
        await _commande(onglet, "Page.enable")
        await _commande(onglet, "Runtime.enable")
        # plotly draws the charts while the report loads (most of the time of a PDF)
        signaler(("Dessin des graphiques…", 0.3))
        charge = onglet.subscribe_once("Page.loadEventFired")
        await _commande(onglet, "Page.navigate", {"url": adresse})
        await charge
        attendus = await _evaluer(onglet, "document.querySelectorAll('.plotly-graph-div')"
                                          ".length")
        debut = time.monotonic()
        while await _evaluer(onglet, "window.graphiquesDessines || 0") < attendus:
            if time.monotonic() - debut > DELAI_GRAPHIQUES_SECONDES:
                raise PDFIndisponible("Rapport PDF impossible à produire : les graphiques n'ont "
                                      f"pas été dessinés en {DELAI_GRAPHIQUES_SECONDES} "
                                      "secondes.")
            await asyncio.sleep(0.1)
        signaler(("Mise en page…", 0.7))
        # two frames: the last chart's SVG is painted before the page is measured
        await _evaluer(onglet, "new Promise((ok) => requestAnimationFrame(() => "
                               "requestAnimationFrame(() => ok(true))))")
        mise_en_page = await _evaluer(onglet, "window.miseEnPage()")
        await _evaluer(onglet, "new Promise((ok) => requestAnimationFrame(() => "
                               "requestAnimationFrame(() => ok(true))))")
        if mise_en_page.get("debordements"):
            raise PDFIndisponible("Rapport PDF impossible à produire : contenu trop grand pour "
                                  "sa page (" + ", ".join(mise_en_page["debordements"]) + ").")
        signaler(("Impression du PDF…", 0.8))
        largeur, hauteur = impression.FORMAT_PAGE_MM
        marges = impression.MARGES_MM
        reponse = await _commande(onglet, "Page.printToPDF", {
            "paperWidth": largeur / MM_PAR_POUCE, "paperHeight": hauteur / MM_PAR_POUCE,
            "marginTop": marges["haut"] / MM_PAR_POUCE,
            "marginBottom": marges["bas"] / MM_PAR_POUCE,
            "marginLeft": marges["gauche"] / MM_PAR_POUCE,
            "marginRight": marges["droite"] / MM_PAR_POUCE,
            "preferCSSPageSize": True, "printBackground": True,
            "displayHeaderFooter": True, "headerTemplate": "<span></span>",
            "footerTemplate": pied_de_page(titre), "generateDocumentOutline": True,
            "generateTaggedPDF": True,
        })
        return base64.b64decode(reponse["result"]["data"])


def _arret_du_navigateur(exc: BaseException) -> bool:
    """The browser did not start, or stopped (choreographer's errors)."""
    from choreographer import errors

    return isinstance(exc, (errors.BrowserFailedError, errors.BrowserClosedError,
                            errors.BrowserDepsError, errors.ChromeNotFoundError,
                            errors.ChannelClosedError))


async def _commande(onglet, commande: str, parametres: dict | None = None) -> dict:
    reponse = await onglet.send_command(commande, params=parametres)
    if "error" in reponse:
        raise PDFIndisponible(f"Rapport PDF impossible à produire : Chromium a refusé "
                              f"{commande} ({reponse['error'].get('message', reponse['error'])}).")
    return reponse


async def _evaluer(onglet, expression: str):
    reponse = await _commande(onglet, "Runtime.evaluate", {
        "expression": expression, "returnByValue": True, "awaitPromise": True})
    resultat = reponse.get("result", {})
    if "exceptionDetails" in resultat:
        details = resultat["exceptionDetails"]
        texte = details.get("exception", {}).get("description") or details.get("text")
        raise PDFIndisponible(f"Rapport PDF impossible à produire : erreur dans la page "
                              f"({texte}).")
    return resultat.get("result", {}).get("value")
