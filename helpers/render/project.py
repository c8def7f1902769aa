"""The Quarto book project (``_quarto.yml``) as the renderers need it: chapters in reading
order with their parts, title block, bibliography, output names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .common import RenderError


@dataclass(frozen=True)
class Chapter:
    """One chapter: its path in the project (``index.qmd``, ``notebooks/03_x.ipynb``) and the
    title of the part it opens, if any."""
    path: str
    part: str | None = None


@dataclass(frozen=True)
class BookProject:
    """What ``_quarto.yml`` says about the book."""
    chapters: list[Chapter]
    metadata: dict  # title, subtitle, author (pandoc metadata)
    bibliography: str | None
    output_dir: str
    output_file: str


def _load(config: Path) -> dict:
    from helpers.config.safe_yaml import YamlError, load_yaml

    try:
        return load_yaml(config.read_bytes(), str(config)).data or {}
    except OSError as exc:
        raise RenderError(f"{config}: no Quarto project to render ({exc.strerror})") from None
    except YamlError as exc:  # not valid YAML, a duplicate key, an alias bomb, a custom tag
        raise RenderError(str(exc)) from None


def output_dir_name(config: Path) -> str:
    """``project: output-dir`` of ``config`` (default ``_book``); must be a plain name."""
    project = _load(config).get("project") or {}
    name = str(project.get("output-dir", "_book"))
    if "/" in name or name.startswith("."):
        raise RenderError(f"{config}: project output-dir must be a plain directory name, got {name!r}")
    return name


def _chapters(items: list, config: Path, part: str | None = None) -> list[Chapter]:
    out: list[Chapter] = []
    for item in items:
        if isinstance(item, str):
            out.append(Chapter(item, part))
            part = None
        elif isinstance(item, dict) and "part" in item:
            out += _chapters(item.get("chapters") or [], config, str(item["part"]))
        else:
            raise RenderError(f"{config}: book: chapters: entry {item!r} is neither a file nor a part")
    return out


def read_book_project(config: Path) -> BookProject:
    """Read the book project ``config`` (``_quarto.yml``); RenderError naming the key when it
    is not a book with chapters."""
    data = _load(config)
    book = data.get("book")
    if not isinstance(book, dict) or not book.get("chapters"):
        raise RenderError(f"{config}: book: chapters is missing (the fallback renders Quarto books)")
    metadata = {key: book[key] for key in ("title", "subtitle", "author", "date") if key in book}
    return BookProject(
        chapters=_chapters(book["chapters"], config),
        metadata=metadata,
        bibliography=data.get("bibliography"),
        output_dir=output_dir_name(config),
        output_file=str(book.get("output-file", "book")),
    )
