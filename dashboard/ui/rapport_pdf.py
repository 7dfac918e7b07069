"""The « Rapport PDF » button of the Bilan trimestriel: the PDF is made when clicked (Chromium
prints it in a few seconds, its steps shown in words), then offered for download. Without
Chromium on the server, a French note replaces the button."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.exports import RienAExporter, pdf, trimestriel
from dashboard.formatting import nombre
from dashboard.metrics import Filtres

# The last PDF made in this session, with the selection it was made for.
CLE_SESSION = "rapport_pdf"


def bouton_rapport_pdf(annee: int, trimestre: int, vue: str, filtres: Filtres,
                       ouvrir: Callable[[], object]) -> None:
    """« Rapport PDF » for the selection: a click makes it (a status box says each step, then
    its size), then « Télécharger le rapport PDF » offers it. ``ouvrir()`` gives the database
    connection."""
    raison = pdf.indisponibilite()
    if raison:
        st.caption(raison)
        return
    selection = (annee, trimestre, vue, repr(filtres))
    if st.button("Rapport PDF (A4 paysage)", key="pack_pdf_preparer",
                 icon=":material/picture_as_pdf:", width="stretch"):
        with st.status("Rapport PDF en préparation…", expanded=True) as statut:
            barre = st.progress(0.0, text="Rapport PDF en préparation…")

            def progression(etape: str, fraction: float) -> None:
                statut.update(label=etape)
                barre.progress(min(max(fraction, 0.0), 1.0), text=etape)

            try:
                contenu = pdf.rapport_pdf(ouvrir(), annee, trimestre, vue, filtres,
                                          progression=progression)
            except (pdf.PDFIndisponible, RienAExporter) as exc:
                statut.update(label="Rapport PDF non produit", state="error")
                st.error(str(exc))
                return
            statut.update(label=f"Rapport PDF prêt ({nombre(len(contenu) / 1024, 0)} Ko).",
                          state="complete", expanded=False)
        st.session_state[CLE_SESSION] = (selection, contenu)
    fait = st.session_state.get(CLE_SESSION)
    if fait and fait[0] == selection:
        st.download_button("Télécharger le rapport PDF", fait[1],
                           file_name=trimestriel.nom_fichier(annee, trimestre, "pdf"),
                           mime="application/pdf", key="pack_pdf", icon=":material/download:",
                           on_click="ignore", width="stretch")
