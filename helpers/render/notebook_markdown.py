"""An executed notebook as Quarto-flavoured pandoc Markdown, as Quarto's own first step does.

Markdown cells are kept verbatim (headings with ``{#sec-...}``, citations, callouts, ``@fig-``
references); each code cell becomes a ``::: {.cell}`` div holding its code (with its ``#|``
options, which the Lua filter ``quarto_syntax.lua`` reads) and one ``.cell-output`` div per
output: images are written to files, HTML stays raw HTML (tables become pandoc tables in the
filter), Markdown stays Markdown, text becomes a code block. stderr and cells tagged
``remove-cell`` are left out (the book's ``warning: false``).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from .common import cell_source

#: The largest width (inches) an image is shown at: the Typst page's text width (A4, 2.5 cm
#: margins); HTML shows the same width in CSS inches.
MAX_IMAGE_WIDTH_IN = 6.2
_CSS_PX_PER_INCH = 96


def _fence(text: str, char: str = "`") -> str:
    """A code fence longer than any run of ``char`` in ``text``."""
    longest = max((len(m) for m in re.findall(re.escape(char) + "+", text)), default=0)
    return char * max(3, longest + 1)


def _code_block(text: str, classes: str) -> str:
    fence = _fence(text)
    return f"{fence} {{{classes}}}\n{text.rstrip(chr(10))}\n{fence}"


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def _image(output: dict, media_dir: Path, media_prefix: str, name: str) -> str:
    png = base64.b64decode(_text(output["data"]["image/png"]))
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / f"{name}.png").write_bytes(png)
    width_px = (output.get("metadata", {}).get("image/png", {}) or {}).get("width") \
        or int.from_bytes(png[16:20], "big")  # PNG IHDR width
    width_in = min(float(width_px) / _CSS_PX_PER_INCH, MAX_IMAGE_WIDTH_IN)
    return f"![]({media_prefix}/{name}.png){{width={width_in:.2f}in}}"


def _svg_width_in(svg: str) -> float | None:
    """The width of an SVG in inches from its ``width`` attribute (matplotlib writes points)."""
    match = re.search(r'<svg[^>]*?\swidth="([\d.]+)(pt|px|in)?"', svg)
    if not match:
        return None
    per_inch = {"pt": 72.0, "in": 1.0}.get(match.group(2) or "px", float(_CSS_PX_PER_INCH))
    return float(match.group(1)) / per_inch


def _svg_image(output: dict, media_dir: Path, media_prefix: str, name: str) -> str:
    """A vector figure: ``name.svg`` (shown in HTML and PDF) and, when the output has one,
    ``name.png`` beside it (the Lua filter uses it for Word)."""
    svg = _text(output["data"]["image/svg+xml"])
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / f"{name}.svg").write_text(svg, encoding="utf-8")
    if "image/png" in output["data"]:
        (media_dir / f"{name}.png").write_bytes(base64.b64decode(_text(output["data"]["image/png"])))
    width_in = min(_svg_width_in(svg) or MAX_IMAGE_WIDTH_IN, MAX_IMAGE_WIDTH_IN)
    return f"![]({media_prefix}/{name}.svg){{width={width_in:.2f}in}}"


def _output_markdown(output: dict, media_dir: Path, media_prefix: str, name: str) -> str | None:
    kind = output.get("output_type")
    if kind == "stream":
        return None if output.get("name") == "stderr" else _code_block(_text(output["text"]),
                                                                       ".cell-output-stdout")
    if kind == "error":
        return _code_block("\n".join(output.get("traceback", [])), ".cell-output-error")
    data = output.get("data", {})
    if "image/svg+xml" in data:
        return _svg_image(output, media_dir, media_prefix, name)
    if "image/png" in data:
        return _image(output, media_dir, media_prefix, name)
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    if "text/html" in data:
        html = _text(data["text/html"])
        return f"{_fence(html)}{{=html}}\n{html}\n{_fence(html)}"
    if "text/plain" in data:
        return _code_block(_text(data["text/plain"]), ".cell-output-plain")
    return None


def notebook_markdown(nb: dict, media_dir: Path, media_prefix: str) -> str:
    """The Markdown of executed notebook ``nb``; its images go to ``media_dir`` and are linked
    as ``media_prefix/<cell>-<output>.png``."""
    parts = []
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell_source(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        elif cell.get("cell_type") == "code" and "remove-cell" not in tags:
            blocks = [_code_block(source, ".python .cell-code")]
            for k, output in enumerate(cell.get("outputs", [])):
                md = _output_markdown(output, media_dir, media_prefix, f"cell{index}-{k}")
                if md is not None:
                    blocks.append(f"::::: {{.cell-output}}\n{md}\n:::::")
            parts.append(":::::: {.cell}\n" + "\n\n".join(blocks) + "\n::::::")
    return "\n\n".join(parts) + "\n"
