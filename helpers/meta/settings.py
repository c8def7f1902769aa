"""The meta-analysis's typed settings (built once from the run parameters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MetaSettings"]


@dataclass(frozen=True)
class MetaSettings:
    """Pooling ``method`` (FE, DL, REML, PM), ``hksj`` (Hartung-Knapp-Sidik-Jonkman),
    ``include_uncertain`` (pool versions flagged uncertain), ``versions`` (trial id ->
    version, as sorted pairs) and the chapter's CI level ``conf_level`` (two-sided)."""

    method: str = "REML"
    hksj: bool = False
    include_uncertain: bool = False
    versions: tuple[tuple[str, str], ...] = ()
    conf_level: float = 0.95

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> MetaSettings:
        """From the validated run parameters ``meta_method``, ``meta_hksj``,
        ``meta_include_uncertain``, ``meta_versions`` and ``conf_level``."""
        return cls(params["meta_method"], bool(params["meta_hksj"]),
                   bool(params["meta_include_uncertain"]),
                   tuple(sorted(dict(params["meta_versions"]).items())),
                   float(params["conf_level"]))

    @property
    def version_map(self) -> dict[str, str]:
        return dict(self.versions)

    @property
    def pooling(self) -> dict[str, Any]:
        """Keyword arguments of ``helpers.meta.pooling.pool``."""
        return {"method": self.method, "hksj": self.hksj, "conf_level": self.conf_level}
