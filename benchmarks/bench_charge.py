"""Load benchmark: the club shares the Bilan trimestriel's link during a visio (issue 13).

    python benchmarks/bench_charge.py           # N = 10, 50, 100 over 10 s, then 100 at once
    python benchmarks/bench_charge.py --sessions 10,50 --etalement 10 --sans-simultane
    python benchmarks/bench_charge.py --base data/flux.duckdb   # a copy of another database
    python benchmarks/bench_charge.py --option runner.postScriptGC=true   # a server option

Starts the app (``streamlit run app.py``) on 127.0.0.1, on a free port, on a copy of the sample
database (built in a temporary folder), then opens sessions exactly as a browser does, over
Streamlit's own protocol: GET the page's address, open the websocket ``/_stcore/stream``, send a
``BackMsg`` ``rerun_script`` (the page's name and query string, as the browser sends them on
load), and read the ``ForwardMsg``s until ``script_finished``. A session's time is from its GET to
its ``script_finished``: the whole page computed and sent (the browser's own drawing excluded,
and so is the download of the JavaScript bundle, which a browser caches after its first visit).

Reference, measured in the same run: **one session alone** (the same page, the same path, on the
same warm server), 5 times before and 5 times after the load; each N is reported as its median,
90th percentile and maximum, and as ratios to that reference — ratios hold on a noisy machine
where milliseconds do not. Target of the issue: with 100 sessions arriving within 10 s, every
page complete within 5 × one session alone.

Arrivals: N sessions spread evenly over ``--etalement`` seconds (session i starts at i × E / N),
then, as a variant, the largest N all at once. The server's CPU time (all its threads, from
/proc: in total and per page) and the load average are printed beside each series, and the
server's CPU at rest before them: the machine is shared. The client (this process, asyncio and
the ``websockets`` package that Streamlit depends on) parses every message; its own CPU time is
printed under the table. Results in docs/benchmarks.md.

Bounded: at most ``--max-sessions`` sessions per series, a timeout per session and one for the
whole run; every websocket is closed, the server is stopped (by its process id) at the end,
even on an error or Ctrl-C. Traffic goes only to 127.0.0.1. A script, not a test: no assertion
on times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "benchmarks"))

import numpy as np  # noqa: E402
from machine import machine as decrire_machine  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

HOTE = "127.0.0.1"
CIBLE_RATIO = 5.0
FINI_POUR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
FINI = ForwardMsg.FINISHED_SUCCESSFULLY


@dataclass
class Resultat:
    """One session: its time to a complete page (s), or why it has none."""

    duree: float | None = None
    erreur: str | None = None
    octets: int = 0
    messages: int = 0
    graphiques: int = 0
    tableaux: int = 0
    reruns: int = 0           # script runs ended early for a rerun (st.rerun of amorcer)
    debut: float = 0.0
    fin: float = 0.0


@dataclass
class Serie:
    nom: str
    n: int
    etalement: float
    resultats: list[Resultat] = field(default_factory=list)
    mur: float = 0.0             # wall time of the whole series (s)
    cpu_serveur: float = 0.0     # server CPU time during the series (s, all threads)
    cpu_client: float = 0.0      # this process's CPU time during the series (s)
    charge_avant: str = ""
    charge_apres: str = ""


# --- the server -------------------------------------------------------------------------------


def _port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOTE, 0))
        return s.getsockname()[1]


def _charge() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _cpu_processus(pid: int) -> float:
    """CPU time (user + system, every thread) of process `pid`, in seconds (Linux /proc)."""
    try:
        champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _memoire_processus(pid: int) -> str:
    try:
        for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ligne.startswith("VmRSS"):
                return f"{int(ligne.split()[1]) / 1024:.0f} Mo"
    except OSError:
        pass
    return "?"


def demarrer_serveur(base: Path, port: int, journal: Path,
                     options: list[str] | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("FLUX_ROLES",)}
    env["FLUX_DB"] = str(base)
    commande = [sys.executable, "-m", "streamlit", "run", str(RACINE / "app.py"),
                f"--server.address={HOTE}", f"--server.port={port}", "--server.headless=true",
                "--server.fileWatcherType=none", "--server.runOnSave=false",
                "--browser.gatherUsageStats=false"] + [f"--{o}" for o in options or ()]
    with open(journal, "wb") as sortie:
        return subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def attendre_serveur(processus: subprocess.Popen, port: int, journal: Path,
                     delai: float) -> None:
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise SystemExit(f"le serveur s'est arrêté (code {processus.returncode}) :\n"
                             + journal.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"http://{HOTE}:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"le serveur ne répond pas après {delai:.0f} s")


def arreter_serveur(processus: subprocess.Popen) -> None:
    """Stop the server started here, by its process id: SIGTERM, then SIGKILL after 10 s."""
    if processus.poll() is not None:
        return
    processus.send_signal(signal.SIGTERM)
    try:
        processus.wait(timeout=10)
    except subprocess.TimeoutExpired:
        processus.kill()
        processus.wait(timeout=10)


# --- one browser session ----------------------------------------------------------------------


async def _get(port: int, chemin: str) -> tuple[int, dict[str, str]]:
    """GET http://127.0.0.1:port/chemin (HTTP/1.1, Connection: close): status and cookies set."""
    lecteur, ecrivain = await asyncio.open_connection(HOTE, port)
    try:
        ecrivain.write(f"GET {chemin} HTTP/1.1\r\nHost: {HOTE}:{port}\r\n"
                       "Accept: text/html\r\nAccept-Language: fr-FR\r\nConnection: close\r\n\r\n"
                       .encode("ascii"))
        await ecrivain.drain()
        brut = await lecteur.read()
    finally:
        ecrivain.close()
        try:
            await ecrivain.wait_closed()
        except OSError:
            pass
    entete = brut.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    statut = int(entete[0].split()[1])
    cookies = {}
    for ligne in entete[1:]:
        nom, _, valeur = ligne.partition(":")
        if nom.strip().lower() == "set-cookie":
            cle, _, reste = valeur.strip().partition("=")
            cookies[cle] = reste.split(";", 1)[0]
    return statut, cookies


def _message_rerun(page: str, requete: str, port: int) -> bytes:
    """The BackMsg a browser sends once its websocket is open: run the page of its address."""
    adresse = f"http://{HOTE}:{port}/{page}" + (f"?{requete}" if requete else "")
    msg = BackMsg(rerun_script=ClientState(
        query_string=requete, page_name=page, page_script_hash="",
        context_info=ContextInfo(timezone="Europe/Paris", timezone_offset=-60, locale="fr-FR",
                                 url=adresse, is_embedded=False, color_scheme="light")))
    return msg.SerializeToString()


async def session(port: int, page: str, requete: str, delai: float) -> Resultat:
    """One browser opening the page: GET, websocket, rerun_script, ForwardMsgs until the script
    has finished; the time from the GET to ``script_finished``."""
    r = Resultat()
    r.debut = time.perf_counter()
    try:
        async with asyncio.timeout(delai):
            statut, cookies = await _get(port, f"/{page}" + (f"?{requete}" if requete else ""))
            if statut != 200:
                r.erreur = f"HTTP {statut}"
                return r
            xsrf = cookies.get("_streamlit_xsrf")
            async with connect(
                f"ws://{HOTE}:{port}/_stcore/stream", origin=f"http://{HOTE}:{port}",
                subprotocols=["streamlit"] + ([xsrf] if xsrf else []),
                additional_headers=({"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
                                    if cookies else None),
                compression=None, max_size=None, open_timeout=delai, ping_interval=None,
                close_timeout=2,
            ) as ws:
                await ws.send(_message_rerun(page, requete, port))
                async for brut in ws:
                    r.octets += len(brut)
                    r.messages += 1
                    msg = ForwardMsg()
                    msg.ParseFromString(brut)
                    genre = msg.WhichOneof("type")
                    if genre == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        element = msg.delta.new_element.WhichOneof("type")
                        if element == "plotly_chart":
                            r.graphiques += 1
                        elif element == "dataframe":
                            r.tableaux += 1
                        elif element == "exception":
                            r.erreur = "exception : " + msg.delta.new_element.exception.message
                    elif genre == "page_not_found":
                        r.erreur = "page introuvable"
                    elif genre == "script_finished":
                        if msg.script_finished == FINI_POUR_RERUN:
                            r.reruns += 1
                            continue
                        if msg.script_finished != FINI:
                            r.erreur = r.erreur or f"script_finished = {msg.script_finished}"
                        r.fin = time.perf_counter()
                        r.duree = r.fin - r.debut
                        break
                else:
                    r.erreur = r.erreur or "websocket fermée avant la fin du script"
    except TimeoutError:
        r.erreur = f"délai de {delai:.0f} s dépassé"
    except Exception as exc:  # noqa: BLE001 - a failed session is counted, not fatal
        r.erreur = f"{type(exc).__name__} : {exc}"
    if r.erreur:
        r.duree = None
    return r


async def _serie(port: int, page: str, requete: str, n: int, etalement: float,
                 delai: float) -> list[Resultat]:
    async def arrivee(i: int) -> Resultat:
        await asyncio.sleep(etalement * i / n if etalement else 0.0)
        return await session(port, page, requete, delai)

    return list(await asyncio.gather(*(arrivee(i) for i in range(n))))


def mesurer_serie(nom: str, pid: int, port: int, page: str, requete: str, n: int,
                  etalement: float, delai: float) -> Serie:
    s = Serie(nom, n, etalement, charge_avant=_charge())
    cpu_serveur, cpu_client, debut = _cpu_processus(pid), time.process_time(), time.perf_counter()
    s.resultats = asyncio.run(asyncio.wait_for(
        _serie(port, page, requete, n, etalement, delai), etalement + delai + 30))
    s.mur = time.perf_counter() - debut
    s.cpu_serveur = _cpu_processus(pid) - cpu_serveur
    s.cpu_client = time.process_time() - cpu_client
    s.charge_apres = _charge()
    return s


# --- report -----------------------------------------------------------------------------------


def _ms(secondes: float) -> str:
    return f"{secondes * 1000:,.0f}".replace(",", "\u202f") + " ms"


def _stats(durees: list[float]) -> tuple[float, float, float]:
    return statistics.median(durees), float(np.percentile(durees, 90)), max(durees)


def imprimer(series: list[Serie], reference: float,
             attendus: tuple[int, int]) -> bool | None:
    print("| série | N | arrivées | médiane | p90 | max | médiane ÷ réf. | p90 ÷ réf. | "
          "max ÷ réf. | pages complètes | CPU serveur (cœurs) | CPU par page | "
          "charge avant → après |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    cible_tenue: bool | None = None   # None: no series of 100 sessions spread over time
    for s in series:
        durees = [r.duree for r in s.resultats if r.duree is not None]
        completes = [r for r in s.resultats if r.duree is not None
                     and (r.graphiques, r.tableaux) == attendus]
        arrivees = f"sur {s.etalement:g} s" if s.etalement else "toutes à la fois"
        cores = s.cpu_serveur / s.mur if s.mur else float("nan")
        if durees:
            med, p90, mx = _stats(durees)
            chiffres = (f"{_ms(med)} | {_ms(p90)} | {_ms(mx)} | ×{med / reference:.1f} | "
                        f"×{p90 / reference:.1f} | ×{mx / reference:.1f}")
            if s.n >= 100 and s.etalement:
                tenue_ici = mx <= CIBLE_RATIO * reference and len(completes) == s.n
                cible_tenue = tenue_ici if cible_tenue is None else cible_tenue and tenue_ici
        else:
            chiffres = "— | — | — | — | — | —"
            if s.n >= 100 and s.etalement:
                cible_tenue = False
        print(f"| {s.nom} | {s.n} | {arrivees} | {chiffres} | {len(completes)}/{s.n} | "
              f"{s.cpu_serveur:.1f} s en {s.mur:.1f} s ({cores:.2f}) | "
              f"{_ms(s.cpu_serveur / s.n)} | "
              f"{s.charge_avant.split()[0]} → {s.charge_apres.split()[0]} |", flush=True)
    print("CPU du client de mesure (ce processus) : " + ", ".join(
        f"{s.nom} {s.cpu_client:.1f} s" for s in series))
    erreurs: dict[str, int] = {}
    for s in series:
        for r in s.resultats:
            if r.erreur:
                cle = f"{s.nom} : {r.erreur[:160]}"
                erreurs[cle] = erreurs.get(cle, 0) + 1
    for cle, n in erreurs.items():
        print(f"  échec ×{n} — {cle}")
    return cible_tenue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sessions simultanées du Bilan trimestriel "
                                                 "(protocole websocket de Streamlit).")
    parser.add_argument("--sessions", default="10,50,100",
                        help="nombres de sessions par série (défaut 10,50,100)")
    parser.add_argument("--etalement", type=float, default=10.0,
                        help="les arrivées d'une série sont étalées sur ce nombre de secondes")
    parser.add_argument("--sans-simultane", action="store_true",
                        help="sans la variante « toutes à la fois » (plus grand N)")
    parser.add_argument("--page", default="bilan", help="chemin de la page (défaut bilan)")
    parser.add_argument("--requete", default="",
                        help="chaîne de requête du lien partagé, ex. annee=2025&trimestre=2")
    parser.add_argument("--references", type=int, default=5,
                        help="sessions seules mesurées avant et après la charge (défaut 5)")
    parser.add_argument("--delai-session", type=float, default=120.0,
                        help="délai maximal d'une session, en secondes (défaut 120)")
    parser.add_argument("--delai-total", type=float, default=900.0,
                        help="durée maximale du passage, en secondes (défaut 900)")
    parser.add_argument("--max-sessions", type=int, default=200,
                        help="plafond du nombre de sessions d'une série (défaut 200)")
    parser.add_argument("--base", type=Path,
                        help="une base existante (copiée) au lieu de la base d'exemple")
    parser.add_argument("--option", action="append", default=[], metavar="CLE=VALEUR",
                        help="option de Streamlit pour le serveur, ex. runner.postScriptGC=true "
                             "(répétable)")
    args = parser.parse_args(argv)
    tailles = [int(x) for x in args.sessions.split(",") if x.strip()]
    if not tailles or min(tailles) < 1 or max(tailles) > args.max_sessions:
        parser.error(f"--sessions : entre 1 et {args.max_sessions} sessions par série")

    fin_au_plus_tard = time.monotonic() + args.delai_total
    dossier = Path(tempfile.mkdtemp(prefix="bench_charge_"))
    serveur = None
    try:
        base = dossier / "flux.duckdb"
        debut = time.perf_counter()
        if args.base:
            shutil.copyfile(args.base, base)
        else:
            from dashboard.initialisation import initialiser

            con, _ = initialiser(base, exemple=True)
            con.close()
        m = decrire_machine("streamlit", "duckdb", "pandas", "plotly", "websockets")
        print(f"Machine : {m['cpu']}, {m['coeurs']} cœurs, {m['memoire']} ; Python "
              f"{m['python']}, Streamlit {m['streamlit']}, DuckDB {m['duckdb']}, pandas "
              f"{m['pandas']}, plotly {m['plotly']}, websockets {m['websockets']}")
        print(f"Base prête en {time.perf_counter() - debut:.1f} s ; page /{args.page}"
              + (f"?{args.requete}" if args.requete else "") + f" ; charge au début : {_charge()}")

        port = _port_libre()
        journal = dossier / "serveur.log"
        serveur = demarrer_serveur(base, port, journal, args.option)
        if args.option:
            print(f"Options du serveur : {', '.join(args.option)}")
        attendre_serveur(serveur, port, journal, 60)
        pid = serveur.pid

        def une(delai: float | None = None) -> Resultat:
            r = asyncio.run(session(port, args.page, args.requete, delai or args.delai_session))
            if r.erreur:
                raise SystemExit(f"la session seule échoue : {r.erreur}\n"
                                 + journal.read_text(errors="replace")[-3000:])
            return r

        premiere = une()
        print(f"Première session (serveur neuf, caches vides) : {_ms(premiere.duree)} "
              f"({premiere.graphiques} graphiques, {premiere.tableaux} tableaux, "
              f"{premiere.messages} messages, {premiere.octets / 1e6:.1f} Mo)")
        une()  # the second one settles what the first left (st.rerun of amorcer, lazy imports)
        attendus = (premiere.graphiques, premiere.tableaux)
        avant = [une() for _ in range(args.references)]
        ref_avant = statistics.median(r.duree for r in avant)
        print(f"Session seule (référence), {args.references} fois avant la charge : médiane "
              f"{_ms(ref_avant)} (de {_ms(min(r.duree for r in avant))} à "
              f"{_ms(max(r.duree for r in avant))}) ; {avant[0].messages} messages, "
              f"{avant[0].octets / 1e6:.1f} Mo par page", flush=True)

        cpu, debut = _cpu_processus(pid), time.perf_counter()
        time.sleep(3)
        repos = (_cpu_processus(pid) - cpu) / (time.perf_counter() - debut)
        print(f"CPU du serveur au repos (sessions fermées) : {repos:.2f} cœur", flush=True)

        plan = [(f"étalée {n}", n, args.etalement) for n in tailles]
        if not args.sans_simultane:
            plan.append((f"simultanée {max(tailles)}", max(tailles), 0.0))
        series = []
        for nom, n, etalement in plan:
            reste = fin_au_plus_tard - time.monotonic()
            if reste < etalement + 30:
                print(f"(série « {nom} » sautée : délai total bientôt atteint)")
                continue
            series.append(mesurer_serie(nom, pid, port, args.page, args.requete, n, etalement,
                                        min(args.delai_session, reste - etalement - 5)))
            time.sleep(2)   # closed sessions leave the server before the next series
        apres = [une() for _ in range(args.references)]
        ref_apres = statistics.median(r.duree for r in apres)
        reference = statistics.median([r.duree for r in avant + apres])
        print(f"Session seule après la charge : médiane {_ms(ref_apres)} ; référence retenue "
              f"(médiane des {2 * args.references}) : {_ms(reference)}")
        print(f"Mémoire du serveur à la fin : {_memoire_processus(pid)} ; charge à la fin : "
              f"{_charge()}\n")
        tenue = imprimer(series, reference, attendus)
        print(f"\nCible (100 sessions arrivées en 10 s, chaque page en au plus "
              f"{CIBLE_RATIO:g} × la session seule = {_ms(CIBLE_RATIO * reference)}) : "
              + {True: "atteinte", False: "manquée", None: "non mesurée (aucune série de 100 "
                 "sessions étalées)"}[tenue])
    finally:
        if serveur is not None:
            arreter_serveur(serveur)
        shutil.rmtree(dossier, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
