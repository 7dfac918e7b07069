"""What machine a benchmark ran on: the figures printed and kept in docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path


def machine(*paquets: str) -> dict:
    """CPU model, cores, memory, system, Python and the versions of the given packages."""
    cpu = platform.processor() or ""
    try:
        for ligne in Path("/proc/cpuinfo").read_text().splitlines():
            if ligne.startswith("model name"):
                cpu = ligne.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memoire = ""
    try:
        for ligne in Path("/proc/meminfo").read_text().splitlines():
            if ligne.startswith("MemTotal"):
                memoire = f"{int(ligne.split()[1]) / 1024 / 1024:.1f} Go"
    except OSError:
        pass
    description = {"cpu": cpu, "coeurs": os.cpu_count(), "memoire": memoire,
                   "systeme": platform.platform(), "python": platform.python_version()}
    for paquet in paquets:
        try:
            description[paquet] = metadata.version(paquet)
        except metadata.PackageNotFoundError:
            description[paquet] = "absent"
    return description
