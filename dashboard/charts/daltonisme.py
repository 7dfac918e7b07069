"""How far apart two colours look, with normal vision and with a colour-vision deficiency.

Used to choose and to check the palettes of ``theme`` (see its docstring and the tests):

- ``simuler(couleur, vision)``: the sRGB colour as seen with ``protanopie``, ``deuteranopie`` or
  ``tritanopie`` — the full-severity (1.0) matrices of Machado, Oliveira & Fernandes (2009), "A
  Physiologically-based Model for Simulation of Color Vision Deficiency", applied to linear RGB.
- ``ecart(a, b, vision)``: the CIEDE2000 colour difference ΔE₀₀ of the two colours as seen with
  that vision (CIELAB, D65 white). Rules of thumb for chart marks: below ~10 two areas are easily
  confused; above ~20 they are told apart at a glance.
- ``ecart_minimal(couleurs, visions)``: the smallest ΔE₀₀ over every pair and every vision, with
  the pair and the vision that reach it.

Pure Python and NumPy; no figure depends on it at run time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

VISIONS = ("normale", "protanopie", "deuteranopie", "tritanopie")
# The deficiencies that matter most (about 1 man in 12 in France has a red–green deficiency;
# tritanopia is rare, about 1 in 10 000).
VISIONS_ROUGE_VERT = ("normale", "protanopie", "deuteranopie")

_MACHADO = {
    "protanopie": np.array([
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]),
    "deuteranopie": np.array([
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]),
    "tritanopie": np.array([
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ]),
}
_RGB_VERS_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
_BLANC_D65 = np.array([0.95047, 1.0, 1.08883])


def rgb(couleur: str) -> np.ndarray:
    """``"#000091"`` → sRGB components in [0, 1]."""
    h = couleur.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"couleur invalide : {couleur!r} (attendu : #RRGGBB)")
    return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def _lineaire(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _gamma(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simuler(couleur: str, vision: str = "normale") -> np.ndarray:
    """sRGB components (0–1) of ``couleur`` as seen with ``vision`` (one of ``VISIONS``)."""
    if vision not in VISIONS:
        raise ValueError(f"vision inconnue : {vision!r} ({', '.join(VISIONS)})")
    c = rgb(couleur)
    if vision == "normale":
        return c
    return _gamma(_MACHADO[vision] @ _lineaire(c))


def lab(composantes: np.ndarray) -> tuple[float, float, float]:
    """CIELAB (D65) of sRGB components in [0, 1]."""
    xyz = (_RGB_VERS_XYZ @ _lineaire(np.asarray(composantes, dtype=float))) / _BLANC_D65
    seuil = (6 / 29) ** 3
    f = np.where(xyz > seuil, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return (float(116 * f[1] - 16), float(500 * (f[0] - f[1])), float(200 * (f[1] - f[2])))


def delta_e_2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 difference of two CIELAB colours (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_moy = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_moy**7 / (c_moy**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    d_l = l2 - l1
    d_c = c2p - c1p
    if c1p * c2p == 0:
        d_h = 0.0
    else:
        d_h = h2p - h1p
        if d_h > 180:
            d_h -= 360
        elif d_h < -180:
            d_h += 360
    d_hh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(d_h / 2))
    l_moy = (l1 + l2) / 2
    cp_moy = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_moy = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_moy = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_moy = (h1p + h2p + 360) / 2
    else:
        h_moy = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_moy - 30))
         + 0.24 * math.cos(math.radians(2 * h_moy))
         + 0.32 * math.cos(math.radians(3 * h_moy + 6))
         - 0.20 * math.cos(math.radians(4 * h_moy - 63)))
    d_theta = 30 * math.exp(-(((h_moy - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_moy**7 / (cp_moy**7 + 25**7))
    s_l = 1 + 0.015 * (l_moy - 50) ** 2 / math.sqrt(20 + (l_moy - 50) ** 2)
    s_c = 1 + 0.045 * cp_moy
    s_h = 1 + 0.015 * cp_moy * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_hh / s_h) ** 2
                     + r_t * (d_c / s_c) * (d_hh / s_h))


def ecart(a: str, b: str, vision: str = "normale") -> float:
    """ΔE₀₀ between two ``#RRGGBB`` colours as seen with ``vision``."""
    return delta_e_2000(lab(simuler(a, vision)), lab(simuler(b, vision)))


def ecart_minimal(
    couleurs, visions=VISIONS_ROUGE_VERT
) -> tuple[float, str, str, str]:
    """``(ΔE₀₀, couleur_a, couleur_b, vision)`` of the closest pair of ``couleurs``."""
    couleurs = list(couleurs)
    if len(couleurs) < 2:
        raise ValueError("il faut au moins deux couleurs")
    return min(
        (ecart(a, b, v), a, b, v)
        for v in visions
        for a, b in itertools.combinations(couleurs, 2)
    )


def contraste(a: str, b: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""

    def luminance(c: str) -> float:
        r, g, bl = _lineaire(rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    clair, fonce = sorted((luminance(a), luminance(b)), reverse=True)
    return (clair + 0.05) / (fonce + 0.05)
