"""The published-figures YAML is packaged and addressable by dotted paths."""

import pytest

from helpers.config import reference


def test_published_loads_package_yaml():
    data = reference.published()
    assert data["population"]["registered"]["value"] == 570
    data["population"]["registered"]["value"] = 0  # a copy: the cache is not mutated
    assert reference.published_value("population.registered") == 570


def test_published_value_paths_and_ci_bounds():
    assert reference.published_value("results.os.hazard_ratio") == 0.857
    assert reference.published_value("results.os.hazard_ratio.ci_lower") == 0.686
    assert reference.published_value("results.os.hazard_ratio.ci_upper") == 1.072
    assert reference.published_value("results.os.hazard_ratio.ci_level") == 0.90
    assert reference.published_value("design.required_events") == 359


def test_missing_or_group_paths_raise():
    with pytest.raises(KeyError, match="results.os.nothing"):
        reference.published_value("results.os.nothing")
    with pytest.raises(KeyError, match="group"):
        reference.published_value("results.os")


def test_published_figures_skip_uncertain_and_text():
    paths = {r["path"]: r["value"] for r in reference.published_figures()}
    assert paths["results.lrfs.hazard_ratio.ci_upper"] == 0.527
    assert "results.lrfs.p_two_sided" not in paths  # text "< 0.0001"
    assert not any(p.startswith("results.other") for p in paths)
    with_uncertain = {r["path"] for r in reference.published_figures(include_uncertain=True)}
    assert "results.other.proportions_81_5_vs_67_3.arm_a" in with_uncertain
