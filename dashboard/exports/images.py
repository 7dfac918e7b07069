"""A chart as a PNG image: plotly + kaleido, rendered by the Chromium installed on the machine.

Kaleido (≥ 1) drives a Chrome through ``choreographer``. Here it is always given the browser's
path explicitly (``chemin_chromium``: ``$FLUX_CHROMIUM``, else ``$BROWSER_PATH``, else Debian's
``/usr/bin/chromium`` and the usual names): kaleido's own browser download
(``kaleido.get_chrome``) is never called, and neither MathJax nor plotly.js is fetched from a
CDN (MathJax disabled, plotly.js read from the plotly package). Without Chromium or kaleido,
``png`` raises ``ImagesIndisponibles`` with a French message, which the page and the command
line show instead of crashing.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from pathlib import Path

# Where to look for a Chromium when no environment variable names one, in order.
CANDIDATS_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                      "chromium", "chromium-browser")
VARIABLES_CHROMIUM = ("FLUX_CHROMIUM", "BROWSER_PATH")
LARGEUR, HAUTEUR = 1280, 720            # a 16:9 slide
DELAI_SECONDES = 60


class ImagesIndisponibles(RuntimeError):
    """No image can be made on this machine (the message says why, in French)."""


def chemin_chromium(candidats: tuple[str, ...] | None = None) -> str | None:
    """The Chromium to render with: the path named by ``$FLUX_CHROMIUM`` or ``$BROWSER_PATH``
    (used as is, even if wrong, so that a misconfiguration is reported), else the first
    executable of ``candidats`` (default ``CANDIDATS_CHROMIUM``); None when there is none."""
    for variable in VARIABLES_CHROMIUM:
        if os.environ.get(variable):
            return os.environ[variable]
    for candidat in CANDIDATS_CHROMIUM if candidats is None else candidats:
        chemin = candidat if os.path.isabs(candidat) else shutil.which(candidat)
        if chemin and os.path.isfile(chemin) and os.access(chemin, os.X_OK):
            return chemin
    return None


def indisponibilite(candidats: tuple[str, ...] | None = None) -> str | None:
    """Why no image can be made here (French), or None when images are available."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return ("Image PNG indisponible : le module « kaleido » n'est pas installé "
                "(pip install -r requirements.txt).")
    chemin = chemin_chromium(candidats)
    if chemin is None:
        return ("Image PNG indisponible : aucun navigateur Chromium n'est installé sur cette "
                "machine (paquet Debian « chromium », ou variable FLUX_CHROMIUM).")
    if not (os.path.isfile(chemin) and os.access(chemin, os.X_OK)):
        return f"Image PNG indisponible : Chromium introuvable à l'emplacement « {chemin} »."
    return None


def png(figure, largeur: int = LARGEUR, hauteur: int | None = None, echelle: float = 2,
        candidats: tuple[str, ...] | None = None) -> bytes:
    """The plotly ``figure`` as PNG bytes: ``largeur`` × ``hauteur`` CSS pixels (default: the
    figure's own height — long bar charts are taller — else ``HAUTEUR``), × ``echelle`` pixels
    per CSS pixel (2: sharp on a projector and in print)."""
    raison = indisponibilite(candidats)
    if raison:
        raise ImagesIndisponibles(raison)
    import kaleido

    hauteur = hauteur or getattr(getattr(figure, "layout", None), "height", None) or HAUTEUR
    options = {"format": "png", "width": int(largeur), "height": int(hauteur),
               "scale": echelle}
    # Explicit browser path, no MathJax (kaleido would load it from a CDN), plotly.js from the
    # installed plotly package (kaleido's default when plotly is installed).
    kopts = {"path": chemin_chromium(candidats), "mathjax": False,
             "plotlyjs": str(_plotly_js())}
    # A map makes plotly.js ask for its world outline (world_110m.json, from its CDN unless
    # told otherwise): read the empty one of static/ (dashboard/reference_cartes.py).
    from dashboard.reference_cartes import url_topojson_fichier

    topojson = url_topojson_fichier()
    resultat: dict[str, object] = {}

    def rendre() -> None:   # its own event loop, whatever the caller's thread runs
        try:
            resultat["png"] = asyncio.run(asyncio.wait_for(
                kaleido.calc_fig(figure, opts=options, kopts=kopts, topojson=topojson),
                DELAI_SECONDES))
        except BaseException as exc:  # noqa: BLE001 - reported below, in French
            resultat["erreur"] = exc

    fil = threading.Thread(target=rendre, name="rendu-png", daemon=True)
    fil.start()
    fil.join()
    if "erreur" in resultat:
        exc = resultat["erreur"]
        raise ImagesIndisponibles(f"Image PNG impossible à produire : {type(exc).__name__} : "
                                  f"{exc}") from exc
    return resultat["png"]  # type: ignore[return-value]


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
