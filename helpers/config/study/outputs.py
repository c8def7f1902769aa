"""The study configuration's ``outputs`` key: what the standard outputs of the pharmaverse TLG
catalogue (chapter 12 and the safety chapter; ``studies/README.md``) read from a trial's ADaM.

Every key is optional; an output whose data or key is absent is left out of the book with a
line saying what it needs. The protocol procedure that DST01 and DTHT01 count is the study's
one ``study.procedure`` (``helpers.config.study.book.Procedure``), set on ``Disposition``
when the configuration is read. Example (a trial whose experimental arm has a protocol surgery)::

    outputs:
      disposition:
        treated: SAFFL                  # ADSL flag: treated as allocated
        crossover: {paramcd: PTRFS, event: Protocol surgery, label: ...}
        discontinued: DCSREAS           # ADSL reason for discontinuation (incl. lost to follow-up)
      deaths: {paramcd: OS, cause: ADTTE.EVNTDESC, within_days: 30}
      safety: {ctcae_version: "4.0", meddra_version: "26.0", related: [AERELSRG, AERELSYS],
               discontinuation: {variable: AEACN, value: DRUG WITHDRAWN}}

Only PyYAML's parsed values are read here (no pandas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers.config.study.book import Procedure
from helpers.config.validators import (column_text as _column, list_value as _list,
                                       positive_float as _positive, text as _text)

__all__ = ["Crossover", "Deaths", "Disposition", "SafetyOutputs", "StandardOutputs",
           "parse_outputs"]


@dataclass(frozen=True)
class Crossover:
    """Control-arm patients who had the experimental arm's procedure: an event of endpoint
    ``paramcd`` whose ADTTE.EVNTDESC is ``event`` (or an ADSL Y/N ``flag``)."""

    label: str
    paramcd: str | None = None
    event: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class Disposition:
    treated: str | None = None
    procedure: Procedure | None = None  # the study's ``study.procedure``, not a key of its own
    crossover: Crossover | None = None
    discontinued: str | None = None


@dataclass(frozen=True)
class Deaths:
    """Deaths by arm and cause: the events of ``paramcd`` (default the primary endpoint); the
    cause from ``cause`` ("ADSL.DTHCAUS" or "ADTTE.EVNTDESC"); deaths within ``within_days``
    of the procedure (its ``date`` and ADTTE.ADT of the death)."""

    paramcd: str | None = None
    cause: str | None = None
    within_days: float = 30.0


@dataclass(frozen=True)
class SafetyOutputs:
    ctcae_version: str | None = None
    meddra_version: str | None = None
    related: tuple = ()
    discontinuation_variable: str | None = None
    discontinuation_value: str | None = None


@dataclass(frozen=True)
class StandardOutputs:
    disposition: Disposition = field(default_factory=Disposition)
    deaths: Deaths = field(default_factory=Deaths)
    safety: SafetyOutputs = field(default_factory=SafetyOutputs)


def _table_column(value: Any) -> str:
    text = _text(value)
    table, _, column = text.partition(".")
    if table not in ("ADSL", "ADTTE") or not column:
        raise ValueError(f"expected ADSL.<column> or ADTTE.<column>, got {text!r}")
    _column(column)
    return text


def parse_outputs(reader: Any, procedure: Procedure | None = None) -> StandardOutputs:
    """``reader``: the study configuration's ``_Reader`` of the ``outputs`` mapping (or None);
    ``procedure``: the study's protocol procedure (``study.procedure``)."""
    if reader is None:
        return StandardOutputs(disposition=Disposition(procedure=procedure))
    reader.check_keys(("disposition", "deaths", "safety"))
    disposition = Disposition(procedure=procedure)
    d = reader.sub("disposition", required=False)
    if d is not None:
        if "procedure" in d.data:
            d.fail("the protocol procedure is one key of the study: move it to study.procedure "
                   "(label, flag, detail, arm, reason, date, per_protocol_reasons)", "procedure")
        d.check_keys(("treated", "crossover", "discontinued"))
        crossover = None
        c = d.sub("crossover", required=False)
        if c is not None:
            c.check_keys(("paramcd", "event", "flag", "label"))
            crossover = Crossover(c.get("label", _text, "Crossover"), c.get("paramcd", _text, None),
                                  c.get("event", _text, None), c.get("flag", _column, None))
            if (crossover.flag is None) == (crossover.paramcd is None or crossover.event is None):
                c.fail("give either flag (an ADSL Y/N column) or paramcd and event (ADTTE.EVNTDESC)")
        disposition = Disposition(d.get("treated", _column, None), procedure, crossover,
                                  d.get("discontinued", _column, None))
    deaths = Deaths()
    t = reader.sub("deaths", required=False)
    if t is not None:
        t.check_keys(("paramcd", "cause", "within_days"))
        deaths = Deaths(t.get("paramcd", _text, None), t.get("cause", _table_column, None),
                        t.get("within_days", _positive, 30.0))
    safety = SafetyOutputs()
    s = reader.sub("safety", required=False)
    if s is not None:
        s.check_keys(("ctcae_version", "meddra_version", "related", "discontinuation"))
        related = tuple(s.get("related", lambda v: [_column(x) for x in _list(v)], []))
        dv = dval = None
        dis = s.sub("discontinuation", required=False)
        if dis is not None:
            dis.check_keys(("variable", "value"))
            dv, dval = dis.get("variable", _column), dis.get("value", _text)
        safety = SafetyOutputs(s.get("ctcae_version", _text, None),
                               s.get("meddra_version", _text, None), related, dv, dval)
    return StandardOutputs(disposition, deaths, safety)
