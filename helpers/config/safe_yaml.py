"""Safe reading of every YAML the project reads (parameter files, study configurations, the
reference YAML of published figures and trials, the book's ``_quarto.yml``).

PyYAML's ``safe_load`` already refuses Python objects, but it silently accepts what makes a
configuration mean something other than it says. :func:`load_yaml` refuses, naming the file,
the line and the key:

- **aliases** beyond :data:`MAX_ALIASES` (``*name`` references; an alias that refers to the
  node it is inside is refused always): a "billion laughs" document of nested aliases
  expands to gigabytes from a few hundred bytes;
- **duplicate keys** (``strata:`` twice): YAML keeps the last silently, so the first is ignored;
- **tags** other than YAML's standard scalars and collections (``!include``, ``!!python/...``,
  ``!!binary``, ``!!set``): the project reads plain data only.

It also records where YAML read an unquoted word as a boolean (``value: no`` is False):
:attr:`YamlDocument.booleans` maps the dotted key (``arms.control.value``,
``subgroups[3].levels[0]``) to the word and its line, and :func:`boolean_hint` turns that into
"write 'no' in quotes" for a caller whose check expected text there.

Only PyYAML is imported here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.core.errors import ParameterError

__all__ = ["MAX_ALIASES", "YamlDocument", "YamlError", "boolean_hint", "load_yaml",
           "load_yaml_file"]

#: At most this many aliases in one document (each may expand what it refers to).
MAX_ALIASES = 10

_STANDARD = "tag:yaml.org,2002:"
#: The tags a document may carry: YAML's standard scalars and collections (and the merge key).
ALLOWED_TAGS = frozenset(_STANDARD + name for name in
                         ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge"))


class YamlError(ParameterError):
    """A YAML file is not valid, or uses what the project refuses; the message names the file,
    the line and the key."""


@dataclass(frozen=True)
class YamlDocument:
    """A parsed document: ``data`` (plain dicts, lists, scalars) and ``booleans`` (dotted key ->
    (the word as written, line) of every value YAML read as a boolean without quotes)."""

    data: Any
    booleans: dict[str, tuple[str, int]] = field(default_factory=dict)


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases while composing, before anything is expanded, and
    refuses an alias to a collection still being composed (a recursive structure). PyYAML
    registers a collection's anchor before composing its children: ``_open`` holds the anchors
    of the collections being composed."""

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self.source = source
        self.aliases = 0
        self._open: list[str | None] = []

    def compose_node(self, parent, index):  # noqa: ANN001 (PyYAML's signature)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            line = event.start_mark.line + 1
            if event.anchor in self._open:
                raise YamlError(f"{self.source}: line {line}: alias *{event.anchor} refers to the "
                                "node it is inside (a recursive structure)")
            if self.aliases > MAX_ALIASES:
                raise YamlError(f"{self.source}: line {line}: more than {MAX_ALIASES} aliases "
                                f"(*{event.anchor}); write the values out (nested aliases can "
                                "expand a small file without bound)")
        return super().compose_node(parent, index)

    def compose_sequence_node(self, anchor):  # noqa: ANN001
        self._open.append(anchor)
        try:
            return super().compose_sequence_node(anchor)
        finally:
            self._open.pop()

    def compose_mapping_node(self, anchor):  # noqa: ANN001
        self._open.append(anchor)
        try:
            return super().compose_mapping_node(anchor)
        finally:
            self._open.pop()


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"({node.id} key)"


def _walk(node: yaml.Node, path: str, source: str, booleans: dict, seen: set) -> None:
    """Check tags and duplicate keys below ``node``; record boolean words by dotted key."""
    where = f"{source}: line {node.start_mark.line + 1}"
    named = f" (key {path!r})" if path else ""
    if node.tag not in ALLOWED_TAGS:
        tag = node.tag.replace(_STANDARD, "!!")
        raise YamlError(f"{where}{named}: tag {tag!r} is not accepted; the project reads "
                        "plain YAML data (text, numbers, booleans, dates, lists, mappings)")
    if id(node) in seen:  # an alias to a node already checked (bounded by MAX_ALIASES)
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STANDARD + "bool" and not node.style:
            booleans[path] = (node.value, node.start_mark.line + 1)
        return
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", source, booleans, seen)
        return
    first_line: dict[tuple, int] = {}
    for key, value in node.value:
        if key.tag == _STANDARD + "merge":
            _walk(value, path, source, booleans, seen)
            continue
        _walk(key, path, source, {}, set())
        text = _key_text(key)
        dotted = f"{path}.{text}" if path else text
        ident = (key.tag, key.value) if isinstance(key, yaml.ScalarNode) else (key.tag, id(key))
        if ident in first_line:
            raise YamlError(f"{source}: line {key.start_mark.line + 1}: key {dotted!r} appears "
                            f"twice (lines {first_line[ident]} and {key.start_mark.line + 1}); "
                            "YAML would silently keep the second: remove one")
        first_line[ident] = key.start_mark.line + 1
        _walk(value, dotted, source, booleans, seen)


def load_yaml(text: str | bytes, source: str) -> YamlDocument:
    """Parse one YAML document from ``text`` (read from ``source``, named in errors) with the
    checks of the module docstring; an empty document has ``data`` None."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlError(f"{source}: not valid YAML: not UTF-8 text ({exc.reason} at byte "
                            f"{exc.start})") from None
    loader = _Loader(text, source)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None)
        booleans: dict[str, tuple[str, int]] = {}
        _walk(node, "", source, booleans, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise YamlError(f"{source}: not valid YAML: {line}{exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return YamlDocument(data, booleans)


def load_yaml_file(path: str | os.PathLike) -> YamlDocument:
    """:func:`load_yaml` of the file at ``path`` (errors name the path; an unreadable file,
    a directory or a symbolic-link loop is a YamlError saying so)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise YamlError(f"{path}: is a directory, not a YAML file") from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read ({exc.strerror})") from None
    return load_yaml(raw, str(path))


def boolean_hint(booleans: Mapping[str, tuple[str, int]], key: str) -> str:
    """"; YAML reads the unquoted no (line 7) as the boolean False: write 'no' in quotes" when
    the value at dotted ``key`` (or an item of it) was a boolean word; else ""."""
    for name, (word, line) in booleans.items():
        if name == key or name.startswith((f"{key}[", f"{key}.")):
            value = yaml.safe_load(word)
            return (f"; YAML reads the unquoted {word} (line {line}) as the boolean {value}: "
                    f"write '{word}' in quotes")
    return ""
