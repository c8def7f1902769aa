"""The study's own words: what the book says about the trial it was run on.

The ``study`` section of a study configuration (``studies/README.md``, "The study's words")
names the book's title, subtitle, author and PDF file name, the main publication and the
registration numbers, a bibliography, a folder of Markdown snippets (the preface, "The
trial", chapter introductions), the published figures (``reference``: chapters on
reproduction and design), the table of trials of a meta-analysis (``trials``) and the columns
of a protocol procedure of the experimental arm (``procedure``). Everything is optional: a
study that gives none of it gets a book in general words, without the chapters that need it.

Paths are relative to the study configuration's folder. Only PyYAML-free standard library here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Keys of the ``study`` section read here (``id``, ``title`` and ``reference`` are read by
#: ``helpers.config.study.config``).
BOOK_KEYS = ("book_title", "subtitle", "author", "output_file", "publication", "registrations",
             "bibliography", "text", "trials", "procedure")
PROCEDURE_KEYS = ("label", "flag", "detail", "arm", "reason", "date", "per_protocol_reasons")
#: Which compared arm has the procedure (``study.procedure.arm``).
ARM_ROLES = ("control", "experimental", "both")


@dataclass(frozen=True)
class Procedure:
    """A protocol procedure of one arm (e.g. an operation in the experimental arm): its display
    label, the ADSL Y/N flag saying it was performed, and optional ADSL columns of its detail
    (e.g. completeness), of why it was not done (``reason``) and of its date (``date``). The
    one key of the procedure: the population chapter, operative morbidity and the standard
    outputs (DST01, DTHT01) all read it."""

    label: str
    flag: str
    detail: str | None = None
    arm: str = "experimental"
    reason: str | None = None
    date: str | None = None
    #: Why a patient is outside the per-protocol set: arm code (A control, B experimental)
    #: -> the study's words (``per_protocol_reasons: {control: ..., experimental: ...}``).
    per_protocol_reasons: tuple = ()

    @property
    def columns(self) -> tuple:
        return (self.flag, self.detail)

    @property
    def reasons(self) -> dict:
        return dict(self.per_protocol_reasons)


@dataclass(frozen=True)
class StudyBook:
    """The study's words (see the module docstring). ``folder``: the configuration's folder,
    against which ``text``, ``bibliography`` and ``trials`` are resolved."""

    folder: Path
    book_title: str
    subtitle: str | None = None
    author: str | None = None
    output_file: str = "supplement"
    publication: str | None = None
    registrations: tuple = ()
    bibliography: str | None = None
    text: str | None = None
    trials: str | None = None
    procedure: Procedure | None = None

    def path(self, name: str | None) -> Path | None:
        """``name`` (a key's value) as a path: absolute as given, else from the configuration's
        folder; None for None."""
        if name is None:
            return None
        path = Path(name).expanduser()
        return path if path.is_absolute() else self.folder / path

    def snippet(self, name: str) -> str | None:
        """The study's Markdown snippet ``name`` (``preface``, ``trial``, ``03_overall_survival``)
        from its ``text`` folder (``<name>.md``), or None when the study has none."""
        folder = self.path(self.text)
        if folder is None:
            return None
        file = folder / f"{name}.md"
        return file.read_text(encoding="utf-8").strip() if file.is_file() else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "study"


def parse_book(reader: Any, study_id: str, folder: Path, text_check, list_check,
               column_check) -> StudyBook:
    """The ``StudyBook`` of the ``study`` section read by ``reader`` (a ``_Reader`` of
    ``helpers.config.study.config``); paths that do not exist are errors naming the key."""
    registrations = reader.get("registrations", list_check, [])
    procedure = None
    sub = reader.sub("procedure", required=False)
    if sub is not None:
        sub.check_keys(PROCEDURE_KEYS)
        flag = sub.get("flag", column_check)
        reasons = sub.sub("per_protocol_reasons", required=False)
        words = ()
        if reasons is not None:
            reasons.check_keys(("control", "experimental"))
            words = tuple((code, reasons.get(role, text_check)) for code, role in
                          (("A", "control"), ("B", "experimental")) if role in reasons.data)
        arm = sub.get("arm", text_check, "experimental")
        if arm not in ARM_ROLES:
            sub.fail(f"expected one of {', '.join(ARM_ROLES)}, got {arm!r}", "arm")
        procedure = Procedure(label=sub.get("label", text_check), flag=flag,
                              detail=sub.get("detail", column_check, None), arm=arm,
                              reason=sub.get("reason", column_check, None),
                              date=sub.get("date", column_check, None),
                              per_protocol_reasons=words)
    output_file = reader.get("output_file", text_check, f"{_slug(study_id)}-supplement")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", output_file):
        reader.fail(f"expected a plain file name (letters, digits, . _ -), got {output_file!r}",
                    "output_file")
    book = StudyBook(
        folder=folder,
        book_title=reader.get("book_title", text_check,
                              f"{study_id}: reproducible analysis supplement"),
        subtitle=reader.get("subtitle", text_check, None),
        author=reader.get("author", text_check, None),
        output_file=output_file,
        publication=reader.get("publication", text_check, None),
        registrations=tuple(text_check(item) for item in registrations),
        bibliography=reader.get("bibliography", text_check, None),
        text=reader.get("text", text_check, None),
        trials=reader.get("trials", text_check, None),
        procedure=procedure,
    )
    for key, kind in (("bibliography", "file"), ("trials", "file"), ("text", "folder")):
        path = book.path(getattr(book, key))
        if path is not None and not (path.is_dir() if kind == "folder" else path.is_file()):
            reader.fail(f"{path} is not a {kind}", key)
    return book
