"""Fonts for Japanese (and other CJK) text in figures and in the PDF.

A trial may be Japanese: arm labels, subgroup levels or site names may be Japanese. The
Latin fonts of the supplement (DejaVu Sans in figures, Typst's Libertinus Serif in the PDF) have
no CJK glyphs, so a CJK font is listed after them as a fallback: Noto Sans CJK JP from the
Debian package ``fonts-noto-cjk`` (``make setup`` installs it where it can, ``.ci/run`` does).
Without it figures still draw (Japanese as empty boxes, with matplotlib's "Glyph missing"
warning) and Typst falls back to whatever system font has the glyphs.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

#: The CJK fallback family (Japanese glyph variants) and the Debian package that has it.
CJK_FAMILY = "Noto Sans CJK JP"
CJK_PACKAGE = "fonts-noto-cjk"
#: matplotlib's bundled sans-serif, the supplement's Latin figure font.
LATIN_FIGURE_FAMILY = "DejaVu Sans"

__all__ = ["CJK_FAMILY", "CJK_PACKAGE", "cjk_font_file", "figure_font_family", "typst_font_dirs",
           "typst_font_rules"]


@functools.lru_cache(maxsize=None)
def cjk_font_file(family: str = CJK_FAMILY) -> Path | None:
    """The font file holding ``family`` (e.g. ``/usr/share/fonts/opentype/noto/
    NotoSansCJK-Regular.ttc``), or None when it is not installed.

    Found through matplotlib's font list; when its cache predates the font's installation, the
    system font folders are scanned once and the CJK fonts found there added to it.
    """
    from matplotlib import font_manager

    def lookup() -> Path | None:
        regular = [f for f in font_manager.fontManager.ttflist
                   if f.name == family and f.style == "normal"]
        best = sorted(regular, key=lambda f: abs(int(f.weight) - 400) if str(f.weight).isdigit() else 0)
        return Path(best[0].fname) if best else None

    found = lookup()
    if found is None:
        for path in font_manager.findSystemFonts():
            if "cjk" in Path(path).name.lower():
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = lookup()
    return found


def figure_font_family() -> list[str]:
    """matplotlib's ``font.family`` for the supplement's figures: DejaVu Sans, then the CJK
    fallback when installed (matplotlib >= 3.6 takes each glyph from the first family that has
    it). Warns once, naming the package, when the CJK font is missing."""
    if cjk_font_file() is None:
        _warn_missing()
        return [LATIN_FIGURE_FAMILY]
    return [LATIN_FIGURE_FAMILY, CJK_FAMILY]


def typst_font_dirs() -> list[str]:
    """Folders Typst should search besides the system's (``font_paths``): the CJK font's folder
    (e.g. a conda environment's ``fonts/``); empty when it is not installed."""
    path = cjk_font_file()
    return [str(path.parent)] if path is not None else []


def typst_font_rules() -> str:
    """Typst rules putting the CJK font after Typst's default serif (body) and monospace (code)
    fonts, so Japanese is set in Noto Sans CJK JP, not in an arbitrary system fallback."""
    if cjk_font_file() is None:
        _warn_missing()
        return "// no CJK font installed: Typst falls back to any system font with the glyphs\n"
    return (f'#set text(font: ("Libertinus Serif", "{CJK_FAMILY}"))\n'
            f'#show raw: set text(font: ("DejaVu Sans Mono", "{CJK_FAMILY}"))\n')


@functools.lru_cache(maxsize=None)
def _warn_missing() -> None:
    warnings.warn(f"font {CJK_FAMILY!r} is not installed (Debian: apt-get install {CJK_PACKAGE}): "
                  "Japanese labels are drawn as empty boxes in figures", stacklevel=3)
