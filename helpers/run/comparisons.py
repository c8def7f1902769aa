"""A study with several comparisons (``comparisons`` of its configuration) runs the notebook
set once per comparison: each into ``RUN/<slug>/`` (``arm-a-vs-arm-b``), a run directory of
its own with its run record (``parameters.comparison``), published on its own. A parameter
file that sets ``comparison`` runs that comparison alone into its ``output_dir`` (and renders
as one book). A study with one comparison runs as before."""

from __future__ import annotations

from dataclasses import replace

from helpers.config.params import ParameterFile

__all__ = ["comparison_files"]


def comparison_files(pfile: ParameterFile) -> list[tuple[str, ParameterFile]]:
    """(slug, parameter file) of each comparison to run; ``[("", pfile)]`` for one."""
    from helpers.config.study import load_study

    if "comparison" in pfile.parameters or any("study" in o or "comparison" in o
                                               for o in pfile.overrides.values()):
        return [("", pfile)]
    study = load_study(pfile.parameters.get("study"))
    slugs = study.comparison_slugs
    if len(slugs) < 2:
        return [("", pfile)]
    out = []
    for slug in slugs:
        parameters = {**pfile.parameters, "comparison": slug,
                      "output_dir": str(pfile.output_dir / slug),
                      "run_label": f"{pfile.run_label} {slug}"}
        out.append((slug, replace(pfile, parameters=parameters)))
    return out
