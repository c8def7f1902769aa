"""Figures carry the artists trial statisticians expect (pharmaverse TLG conventions)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.report.plots import consort_diagram, forest_plot, km_plot, numbers_at_risk

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def save(fig, name):
    ARTIFACTS.mkdir(exist_ok=True)
    fig.savefig(ARTIFACTS / name, dpi=150, bbox_inches="tight")
    plt.close(fig)


def survfit_table(time, event):
    """A survfit-like table (time, n_risk, n_event, n_censor, surv, lower, upper) computed
    here by hand so the plot tests do not depend on the survival module."""
    df = pd.DataFrame({"time": time, "event": event})
    rows, n, surv = [], len(df), 1.0
    for t, g in df.groupby("time"):
        d = int(g["event"].sum())
        c = len(g) - d
        surv *= 1 - d / n
        rows.append({"time": float(t), "n_risk": n, "n_event": d, "n_censor": c, "surv": surv,
                     "lower": surv * 0.9, "upper": min(1.0, surv * 1.1)})
        n -= len(g)
    return pd.DataFrame(rows)


@pytest.fixture
def curves():
    rng = np.random.default_rng(7)
    out = {}
    for label, median, n in (("Systemic therapy", 69, 205), ("Resection", 75, 202)):
        t = rng.exponential(median / np.log(2), n)
        c = rng.uniform(48, 132, n)
        out[label] = survfit_table(np.round(np.minimum(t, c), 1), (t <= c).astype(int))
    return out


def test_numbers_at_risk_from_table():
    table = pd.DataFrame({"time": [2.0, 5.0, 9.0], "n_risk": [10, 7, 3]})
    assert numbers_at_risk(table, [0, 2, 3, 9, 12]).tolist() == [10, 10, 7, 3, 0]


def test_km_plot_steps_censor_marks_and_risk_table(curves):
    at_risk = pd.DataFrame({label: numbers_at_risk(tab, [0, 24, 48, 72, 96, 120])
                            for label, tab in curves.items()}).T
    fig = km_plot(curves, at_risk, annotation="HR 0.86 (90% CI 0.69–1.07)", xmax=120,
                  title="Overall survival", tail_min_at_risk=None)
    main = next(a for a in fig.axes if a.get_label() == "km")
    risk = next(a for a in fig.axes if a.get_label() == "numbers at risk")
    steps = [line for line in main.get_lines() if line.get_drawstyle() == "steps-post"]
    assert len(steps) == 2
    for line in steps:  # curves start at (0, 1)
        assert line.get_xdata()[0] == 0 and line.get_ydata()[0] == 1
    marks = [line for line in main.get_lines() if line.get_marker() == "+"]
    assert [len(m.get_xdata()) for m in marks] == [int((t["n_censor"] > 0).sum()) for t in curves.values()]
    cells = [(round(t.get_position()[0]), t.get_text()) for t in risk.texts]
    expected = [(int(c), str(int(v))) for label in at_risk.index
                for c, v in at_risk.loc[label].items()]
    assert cells == expected
    assert list(main.get_xticks()) == [0, 24, 48, 72, 96, 120]
    assert risk.get_shared_x_axes().joined(main, risk)
    assert any("HR 0.86" in child.txt._text.get_text() for child in main.artists)
    assert matplotlib.rcParams["font.size"] == matplotlib.rcParamsDefault["font.size"]
    save(fig, "km_plot.png")


def test_km_plot_computes_at_risk_and_draws_on_given_axes(curves):
    fig, ax = plt.subplots(figsize=(7, 5))
    out = km_plot(curves, ax=ax, risk_times=[0, 36, 72], show_ci=False, xmax=100)
    assert out is fig
    risk = next(a for a in fig.axes if a.get_label() == "numbers at risk")
    first = list(curves)[0]
    expected = numbers_at_risk(curves[first], [0, 36, 72]).astype(str).tolist()
    assert [t.get_text() for t in risk.texts][:3] == expected
    assert expected[0] == "205"
    assert not ax.collections  # no CI bands
    plt.close(fig)


def forest_table():
    rows = [
        ("All patients", "All patients", 205, 202, 115, 106, 0.86, 0.69, 1.07, np.nan),
        ("Menopausal status", "Premenopausal", 60, 58, 35, 28, 0.62, 0.38, 1.01, 0.04),
        ("Menopausal status", "Postmenopausal", 145, 144, 80, 78, 0.98, 0.72, 1.34, 0.04),
        ("Subtype", "HER2+", 40, 41, 15, 14, 1.2, 0.55, 2.6, 0.7),
        ("Subtype", "Other", 3, 2, 0, 0, np.nan, np.nan, np.nan, 0.7),
    ]
    cols = ["variable", "level", "n_control", "n_experimental", "events_control",
            "events_experimental", "hr", "lower", "upper", "p_interaction"]
    return pd.DataFrame(rows, columns=cols)


def test_forest_plot_axis_reference_line_and_text_columns():
    ax = forest_plot(forest_table(), conf_level=0.90)
    fig = ax.figure
    assert ax.get_xscale() == "log"
    lines = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    verticals = [seg for c in lines for seg in c.get_segments() if seg[0][0] == seg[1][0] == 1.0]
    assert len(verticals) == 1
    squares = [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    assert len(squares) == 4  # overall + 3 estimable subgroups; the NE row has none
    sizes = [float(c.get_sizes()[0]) for c in squares]  # area grows with n: 407, 118, 289, 81
    assert sizes[0] > sizes[2] > sizes[1] > sizes[3]
    left = next(a for a in fig.axes if a.get_label() == "forest text left")
    right = next(a for a in fig.axes if a.get_label() == "forest text right")
    left_text = [t.get_text() for t in left.texts]
    right_text = [t.get_text() for t in right.texts]
    assert left_text[:3] == ["All patients", "115/205", "106/202"]
    assert "0.86 (0.69–1.07)" in right_text
    assert "0.62 (0.38–1.01)" in right_text
    assert "NE" in right_text
    assert "0.040" in right_text and "0.70" in right_text
    assert "HR (90% CI)" in right_text
    assert any("Favours arm B" in t.get_text() for t in ax.texts)
    # rows: overall at the top (y = 0), variable headers above their levels
    y_of = {t.get_text(): t.get_position()[1] for t in left.texts}
    assert y_of["All patients"] == 0 and y_of["Menopausal status"] < y_of["   Premenopausal"]
    save(fig, "forest_plot.png")


def test_forest_plot_requires_columns():
    with pytest.raises(ValueError, match="lacks columns"):
        forest_plot(forest_table().drop(columns="events_control"))


def _consort_counts(follow_up=True):
    counts = {
        "registered": 570, "not_randomised": 163, "randomised": 407,
        "not_randomised_reasons": {"Progressive disease": 90, "Patient refusal": 73},
        "arms": {
            "A": {"label": "Systemic therapy alone", "randomised": 205, "itt": 205,
                  "per_protocol": 199, "safety": 204, "surgery": 3, "detail": {},
                  "procedure": "Primary tumour resection",
                  "per_protocol_excluded": {"Primary tumour resection within 12 months": 6}},
            "B": {"label": "Resection + systemic therapy", "randomised": 202, "itt": 202,
                  "per_protocol": 190, "safety": 200, "surgery": 190,
                  "detail": {"Complete (R0)": 170, "Incomplete (R1/R2)": 20},
                  "procedure": "Primary tumour resection",
                  "per_protocol_excluded": {"Resection not performed": 12}},
        },
    }
    if follow_up:
        counts["arms"]["A"]["follow_up"] = {"events": 115, "censored_at_cutoff": 61, "censored_earlier": 29}
        counts["arms"]["B"]["follow_up"] = {"events": 103, "censored_at_cutoff": 71, "censored_earlier": 28}
    return counts


def test_consort_diagram_has_the_four_stages_and_per_protocol_reasons():
    ax = consort_diagram(_consort_counts())
    boxes = [t.get_text() for t in ax.texts if t.get_gid() == "consort box"]
    assert len(boxes) == 9
    stages = [t.get_text() for t in ax.texts if t.get_gid() == "consort stage"]
    assert stages == ["Enrolment", "Allocation", "Follow-up", "Analysis"]
    joined = "\n".join(boxes)
    for needle in ("Registered\nn = 570", "Not randomised: n = 163", "Progressive disease: n = 90",
                   "Randomised\nn = 407", "Allocated to Systemic therapy alone (arm A)\nn = 205",
                   "Primary tumour resection performed: n = 190", "Complete (R0): n = 170",
                   "Primary tumour resection not performed: n = 12", "Died: n = 115", "Alive at data cut-off: n = 71",
                   "Primary tumour resection (not per protocol): n = 3",
                   "Analysed (full analysis set): n = 202", "excluded: n = 6",
                   "Primary tumour resection within 12 months: n = 6"):
        assert needle in joined, needle
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == 2 + 2 * 3
    save(ax.figure, "consort.png")


def test_consort_diagram_is_as_tall_as_its_content():
    """No empty band: the gap between consecutive boxes is the same small gap everywhere,
    and the figure ends just below the last box."""
    from helpers.report.plots.consort import GAP_IN

    for follow_up in (True, False):
        ax = consort_diagram(_consort_counts(follow_up))
        fig = ax.figure
        renderer = fig.canvas.get_renderer()
        extents = sorted((t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts
                          if t.get_gid() == "consort box"), key=lambda e: -e.y1)
        rows = []  # boxes side by side share a row
        for e in extents:
            if rows and abs(rows[-1][0].y1 - e.y1) < 1:
                rows[-1].append(e)
            else:
                rows.append([e])
        for upper, lower in zip(rows, rows[1:]):
            gap = (min(e.y0 for e in upper) - max(e.y1 for e in lower)) / fig.dpi
            assert gap < GAP_IN + 0.15, f"gap of {gap:.2f} in between boxes"
        bottom = min(e.y0 for e in extents) / fig.dpi
        assert bottom < 0.3, f"{bottom:.2f} in empty below the last box"
        plt.close(fig)


def test_plots_accept_survival_module_results():
    """The survival engineer's KaplanMeier.table and subgroup_analysis().table plug in."""
    survival = pytest.importorskip("helpers.survival")
    rng = np.random.default_rng(3)
    n = 160
    df = pd.DataFrame({"arm": np.repeat(["A", "B"], n // 2), "meno": rng.choice(["Pre", "Post"], n)})
    t = rng.exponential(60, n)
    c = rng.uniform(20, 100, n)
    df["time"], df["event"] = np.minimum(t, c), (t <= c).astype(int)
    curves = {arm: km.table for arm, km in survival.km_by_group(df, "time", "event", "arm").items()}
    fig = km_plot(curves, risk_times=[0, 24, 48, 72])
    risk = next(a for a in fig.axes if a.get_label() == "numbers at risk")
    assert [t.get_text() for t in risk.texts][:2] == ["80", str(int((df.query("arm == 'A'")["time"] >= 24).sum()))]
    plt.close(fig)
    sub = survival.subgroup_analysis(df, "time", "event", "arm", "B", {"meno": "Menopausal status"})
    ax = forest_plot(sub.table)
    left = next(a for a in ax.figure.axes if a.get_label() == "forest text left")
    assert "Menopausal status" in [t.get_text() for t in left.texts]
    plt.close(ax.figure)


def test_arm_colours_are_seaborns_colorblind_palette():
    """helpers.report.plots._style spells the palette out to avoid importing seaborn in every kernel."""
    import seaborn as sns

    from helpers.report.plots._style import COLORBLIND, arm_colors

    assert list(COLORBLIND) == sns.color_palette("colorblind").as_hex()
    assert list(arm_colors(["A", "B"]).values()) == list(COLORBLIND[:2])


def test_km_plot_shows_the_names_it_is_given(curves):
    keyed = dict(zip(("Arm A", "Arm B"), curves.values()))
    names = {"Arm A": "Systemic therapy alone", "Arm B": "Resection + systemic therapy"}
    fig = km_plot(keyed, labels=names)
    main = next(a for a in fig.axes if a.get_label() == "km")
    risk = next(a for a in fig.axes if a.get_label() == "numbers at risk")
    assert [t.get_text() for t in main.get_legend().get_texts()] == list(names.values())
    assert [t.get_text() for t in risk.get_yticklabels()] == list(names.values())
    plt.close(fig)


def test_endpoint_annotation_says_which_arm_versus_which_and_the_strata():
    from helpers.data.trial_data import analysis_frame, load_trial_data
    from helpers.analyses.endpoint import EndpointSettings, analyse_endpoint, endpoint_ard
    from helpers.ard import ArdBuilder, ArdView
    from helpers.report.endpoint import km_annotation
    from helpers.report.format import fill_stat_fmt

    data = load_trial_data(Path(__file__).resolve().parents[1] / "data")
    frame = analysis_frame(data, "OS")

    def annotation(strata):
        settings = EndpointSettings(strata=strata, hr_conf_level=0.9)
        analysis = analyse_endpoint(frame, paramcd="OS", settings=settings)
        b = ArdBuilder("03_overall_survival", population="ITTFL")
        endpoint_ard(b, analysis, cox_id="cox.primary")
        view = ArdView(fill_stat_fmt(b.frame()))
        return analysis, km_annotation(view, "OS", arm_labels=analysis.arm_labels, settings=settings)

    stratified, text = annotation(("ER",))
    names = stratified.arm_labels
    assert f"{names['B'].lower()}\n  vs {names['A'].lower()}," in text
    assert "stratified by ER" in text and "HR 0." in text and "(90% CI " in text
    assert stratified.curve_labels() == {"Arm A": names["A"], "Arm B": names["B"]}
    assert "unstratified" in annotation(())[1]


def test_power_curve_hr_axis_increases_and_labels_stay_off_the_curves():
    from helpers.report.plots.power import power_curve_plot

    ax = power_curve_plot(359, observed_hr=0.867, observed_events=218)
    assert not ax.xaxis_inverted()
    renderer = ax.figure.canvas.get_renderer()
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 100]
    points = np.vstack([ax.transData.transform(np.column_stack(line.get_data())) for line in curves])
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        inside = ((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                  & (points[:, 1] > box.y0) & (points[:, 1] < box.y1))
        assert not inside.any(), f"label {text.get_text()!r} sits on a power curve"
    save(ax.figure, "power_curve_labels.png")


def _forest_table(level_names):
    rows = [{"variable": "All patients", "level": "All patients", "n_control": 205,
             "n_experimental": 202, "events_control": 115, "events_experimental": 103,
             "hr": 0.87, "lower": 0.66, "upper": 1.14}]
    for i, level in enumerate(level_names):
        rows.append({"variable": "site", "label": "Metastatic site", "level": level,
                     "n_control": 50 + i, "n_experimental": 48, "events_control": 30,
                     "events_experimental": 25, "hr": 0.8 + 0.1 * i, "lower": 0.5, "upper": 1.3,
                     "p_interaction": 0.4})
    return pd.DataFrame(rows)


def test_forest_plot_wraps_long_labels_keeps_order_and_notes_a_non_primary_overall_row():
    levels = ["Visceral and bone and brain metastases at registration", "Bone only", "Other"]
    primary = {"hr": 0.87, "lower": 0.69, "upper": 1.09, "conf_level": 0.9,
               "strata": ["ER", "HER2", "METGR"]}
    ax = forest_plot(_forest_table(levels), conf_level=0.95, primary=primary)
    fig = ax.figure
    left = next(a for a in fig.axes if a.get_label() == "forest text left")
    labels = [t.get_text().strip() for t in left.texts if "/" not in t.get_text()]
    level_texts = [t for t in labels if t.split("\n")[0] in
                   {lv.split()[0] for lv in levels} or t.startswith(("Visceral", "Bone", "Other"))]
    assert [t.split("\n")[0].split()[0] for t in level_texts] == ["Visceral", "Bone", "Other"]
    wrapped = next(t for t in left.texts if t.get_text().strip().startswith("Visceral"))
    assert "\n" in wrapped.get_text()
    renderer = fig.canvas.get_renderer()
    counts = [t for t in left.texts if "/" in t.get_text()]
    label_box = wrapped.get_window_extent(renderer)
    for count in counts:  # the counts column is not overprinted
        assert not label_box.overlaps(count.get_window_extent(renderer)), count.get_text()
    from helpers.report.plots import figure_notes

    assert not [t for t in fig.texts if t.get_gid() == "forest overall note"]  # not drawn in it
    notes = figure_notes(fig)  # printed under it
    assert len(notes) == 1 and "unstratified" in notes[0] and "90% CI" in notes[0]
    assert "stratified by ER, HER2, METGR" in notes[0]
    save(fig, "forest_wrapped.png")
    same = forest_plot(_forest_table(levels), conf_level=0.9, strata=primary["strata"],
                       primary=primary)
    assert not figure_notes(same.figure)
    plt.close(same.figure)


def test_consort_counts_of_the_bundled_data_follow_up_and_per_protocol_reasons():
    """Follow-up and per-protocol exclusions add up to the arms' counts (computed from ADSL
    and ADTTE)."""
    from helpers.data.trial_data import load_trial_data
    from helpers.analyses.populations import consort_counts

    data = load_trial_data(Path(__file__).resolve().parents[1] / "data")
    counts = consort_counts(data.adsl, data.adtte, pp_reasons={"B": "Resection not performed"})
    for code, arm in counts["arms"].items():
        follow = arm["follow_up"]
        assert sum(follow.values()) == arm["itt"], code
        assert arm["per_protocol"] + sum(arm["per_protocol_excluded"].values()) == arm["randomised"]
    b = counts["arms"]["B"]
    assert b["per_protocol_excluded"].get("Resection not performed", 0) == b["randomised"] - b["surgery"]


def test_forest_overall_note_when_the_primary_strata_are_unknown():
    from helpers.report.plots.forest import overall_note

    note = overall_note(0.95, [], {"conf_level": 0.9})
    assert note == "All patients: unstratified Cox model, 95% CI; not the primary analysis (90% CI)."
    assert overall_note(0.9, ["ER"], {"conf_level": 0.9, "strata": ["ER"]}) is None
    assert overall_note(0.9, ["ER"], None) is None


def test_secondary_km_panels_name_the_arms():
    from helpers.data.trial_data import analysis_frame, load_trial_data
    from helpers.analyses.endpoint import analyse_endpoint
    from helpers.report.plots.km_panels import km_panels

    data = load_trial_data(Path(__file__).resolve().parents[1] / "data")
    analyses = {code: analyse_endpoint(analysis_frame(data, code), paramcd=code) for code in ("MPFS",)}
    names = list(analyses["MPFS"].arm_labels.values())
    fig = km_panels(analyses)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == names
    risk = next(a for a in fig.axes if a.get_label() == "numbers at risk")
    assert [t.get_text() for t in risk.get_yticklabels()] == names
    assert all(a.get_legend() is None for a in fig.axes if a.get_label() == "km")
    plt.close(fig)
