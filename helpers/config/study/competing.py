"""The study configuration's optional ``competing_risks`` key (``studies/README.md``): the
time-to-event endpoint whose first events are split into the event of interest and competing
events, the ADTTE column naming an event row's type, and the codes. Parsed by
``helpers.config.study.config`` (the reader passed in names the file and the key in errors);
checked against the data by ``helpers.data.adam_mapping``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers.config.validators import column_text, list_value, text

__all__ = ["COMPETING_KEYS", "CompetingRisks", "parse_competing_risks"]

COMPETING_KEYS = ("paramcd", "label", "event_type", "event", "competing")


@dataclass(frozen=True)
class CompetingRisks:
    """Competing risks of one time-to-event endpoint (``competing_risks`` key): ADTTE
    ``paramcd``, the ADTTE column ``event_type`` whose value on an event row (CNSR 0) says
    which event ended follow-up, the code of the ``event`` of interest and the ``competing``
    codes (as the data hold them), and the display ``label`` of the endpoint. Censored rows
    (CNSR > 0) are censored whatever ``event_type`` holds."""

    paramcd: str
    event_type: str
    event: str
    competing: tuple
    label: str

    @property
    def codes(self) -> tuple:
        """Every event code: the event of interest first, then the competing ones."""
        return (self.event, *self.competing)


def parse_competing_risks(reader: Any, endpoints: tuple) -> CompetingRisks | None:
    """``CompetingRisks`` from the key's reader (``None``: the study has no such key).
    ``reader`` is the configuration's key reader (``get``, ``fail``, ``check_keys``, ``data``):
    its errors name the file and ``competing_risks.<key>``. ``endpoints``: the study's
    endpoints, whose label is the default ``label``."""
    if reader is None:
        return None
    reader.check_keys(COMPETING_KEYS)
    paramcd = reader.get("paramcd", text)
    if reader.data.get("event_type") is None:
        reader.fail("is required: the ADTTE column whose value on an event row (CNSR 0) names "
                    "the event type (e.g. EVNTDESC); without it the event of interest and the "
                    "competing events cannot be told apart", "event_type")
    event_type = reader.get("event_type", column_text)
    event = reader.get("event", text)
    codes = []
    for i, item in enumerate(reader.get("competing", list_value)):
        try:
            codes.append(text(item))
        except ValueError as exc:
            reader.fail(str(exc), f"competing[{i}]")
    if not codes:
        reader.fail("lists no competing event", "competing")
    if len({event, *codes}) != len(codes) + 1:
        reader.fail(f"event codes repeat: {[event, *codes]}", "competing")
    label = next((e.label for e in endpoints if e.paramcd == paramcd), paramcd)
    return CompetingRisks(paramcd=paramcd, event_type=event_type, event=event,
                          competing=tuple(codes), label=reader.get("label", text, label))
