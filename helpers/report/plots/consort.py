"""CONSORT 2010 flow diagram (enrolment, allocation, follow-up, analysis) drawn with matplotlib.

The layout is measured, not guessed: every box is drawn, its height read from the renderer,
and the stages stacked top to bottom with fixed gaps; the figure is as tall as its content,
so there is no empty band whatever the number of reasons.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt

from helpers.report.names import arm_name, bare

from ._style import PRINT_STYLE

STAGES = ("Enrolment", "Allocation", "Follow-up", "Analysis")
WIDTH_IN = 7.5
GAP_IN = 0.32          # vertical gap between boxes (inches)
STAGE_X = (0.005, 0.045)  # the stage labels' column (figure fraction)
MAIN_X = 0.33          # centre of the enrolment column
SIDE_X = 0.47          # left edge of the "not randomised" box
ARM_X = {"A": 0.30, "B": 0.74}
_BOX = {"boxstyle": "square,pad=0.45", "facecolor": "white", "edgecolor": "0.2", "linewidth": 0.9}


def _n(n) -> str:
    return f"n = {n}"


def _lines(items: Mapping[str, int], indent: str = "   ") -> list[str]:
    return [f"{indent}{reason}: {_n(n)}" for reason, n in items.items()]


def _arm_texts(arm: Mapping, code: str) -> dict[str, str]:
    """The allocation, follow-up and analysis boxes of one arm."""
    allocated = [f"Allocated to {arm['label']} ({arm.get('name') or f'arm {code}'})",
                 _n(arm["randomised"])]
    if arm.get("surgery") is not None and code == "B":
        procedure = arm.get("procedure") or "Protocol procedure"
        allocated.append(f"{procedure} performed: {_n(arm['surgery'])}")
        allocated += _lines(arm.get("detail", {}))
        not_performed = arm.get("not_performed", None)
        if not_performed is None:
            not_performed = arm["randomised"] - arm["surgery"]
        allocated.append(f"{procedure} not performed: {_n(not_performed)}")
    elif arm.get("surgery") not in (None, 0, "0"):
        allocated.append(f"{arm.get('procedure') or 'Protocol procedure'} (not per protocol): "
                         f"{_n(arm['surgery'])}")
    texts = {"Allocation": "\n".join(allocated)}
    follow = arm.get("follow_up")
    if follow is not None:
        lines = [f"Died: {_n(follow['events'])}"]
        if follow["censored_earlier"] in (0, "0"):  # every censoring at the cut-off
            lines.append(f"Alive at data cut-off: {_n(follow['censored_at_cutoff'])}")
        elif follow["censored_at_cutoff"] in (0, "0"):  # no censoring called a cut-off
            lines += ["Censored (alive at last contact):", f"   {_n(follow['censored_earlier'])}"]
        else:
            lines += [f"Alive at data cut-off: {_n(follow['censored_at_cutoff'])}",
                      "Censored before the data cut-off",
                      f"   (last known alive): {_n(follow['censored_earlier'])}"]
        texts["Follow-up"] = "\n".join(lines)
    analysed = [f"Analysed (full analysis set): {_n(arm['itt'])}"]
    if arm.get("per_protocol") is not None:
        analysed.append(f"Per-protocol set: {_n(arm['per_protocol'])}")
        excluded = arm.get("per_protocol_excluded") or {}
        if excluded:
            analysed.append(f"   excluded: {_n(arm.get('per_protocol_excluded_n') or sum(excluded.values()))}")
            analysed += _lines(excluded, indent="      ")
    if arm.get("safety") is not None:
        analysed.append(f"Safety set: {_n(arm['safety'])}")
    texts["Analysis"] = "\n".join(analysed)
    return texts


def consort_flow(view, arm_labels: Mapping[str, str], flags: Mapping[str, str | None],
                 procedure: str | None = None, columns: tuple | None = ("SURGFL", "RESECT"),
                 other_labels: Mapping[str, str] | None = None) -> dict:
    """The mapping ``consort_diagram`` draws, from the population chapter's ARD rows (``flow``,
    ``flow.follow_up``, ``flow.per_protocol_excluded``, ``populations``, ``surgery``;
    ``helpers.analyses.populations.flow_ard``) with every count as printed (``stat_fmt``).
    ``flags``: "itt", "per_protocol", "safety" -> the set's ADSL flag (None: no such set);
    ``procedure``: the label of the study's protocol procedure (``study.procedure``; None: the
    allocation boxes count none), ``columns`` its flag and detail in the ARD; the arms'
    names in the allocation boxes ("arm A", "control arm") from ``view.arm_names``;
    ``other_labels``: the sponsor's arm value -> its label, for the arms not compared."""
    set_keys = {flag: key for key, flag in flags.items() if flag}
    def n(analysis_id: str, **where) -> str:
        return view.fmt(analysis_id, "n", **where)

    def pairs(rows, key: str) -> dict:
        return {getattr(r, key): r.stat_fmt for r in rows.itertuples()}

    reasons = view.rows("flow", variable="not_randomised", stat_name="n")
    out = {"registered": n("flow", variable="registered"),
           "not_randomised": n("flow", variable="not_randomised", variable_level=""),
           "not_randomised_reasons": pairs(reasons[reasons["variable_level"] != ""],
                                           "variable_level"),
           "randomised": n("flow", variable="randomised", group1_level=""), "arms": {},
           "other_arms": {(other_labels or {}).get(value, value): n_ for value, n_ in pairs(
               view.rows("flow", variable="excluded_arm", stat_name="n"), "variable_level").items()}}
    arms = view.rows("flow", variable="randomised", stat_name="n")
    for code in arms.loc[arms["group1_level"] != "", "group1_level"]:
        arm = {"label": arm_labels.get(code, code),
               "name": bare(arm_name(code, view.arm_names)),
               "randomised": n("flow", variable="randomised", group1_level=code)}
        arm.update(dict.fromkeys(flags))
        for r in view.rows("populations", group1_level=code, stat_name="n").itertuples():
            if r.variable in set_keys:
                arm[set_keys[r.variable]] = r.stat_fmt
        follow = view.rows("flow.follow_up", group1_level=code, stat_name="n")
        if len(follow):
            arm["follow_up"] = pairs(follow, "variable")
        excluded = view.rows("flow.per_protocol_excluded", group1_level=code, stat_name="n")
        arm["per_protocol_excluded"] = pairs(excluded[excluded["variable_level"] != ""],
                                             "variable_level")
        arm["per_protocol_excluded_n"] = pairs(excluded[excluded["variable_level"] == ""],
                                               "variable_level").get("")
        surgery = view.rows("surgery", group1_level=code, stat_name="n")
        flag, detail = columns or (None, None)
        performed = pairs(surgery[surgery["variable"] == flag], "variable_level")
        arm["surgery"], arm["not_performed"] = ((performed.get("Y"), performed.get("N"))
                                                if procedure else (None, None))
        arm["procedure"] = procedure
        arm["detail"] = pairs(surgery[surgery["variable"] == detail], "variable_level")
        out["arms"][code] = arm
    return out


def consort_diagram(counts: Mapping, ax=None):
    """CONSORT diagram with its four stages labelled at the left: enrolment (registered, not
    randomised with reasons, randomised), allocation per arm (in arm B the protocol procedure
    performed and its detail) and, in a side box, the randomised arms not compared with their
    counts, follow-up per arm (deaths, alive at cut-off, censored earlier;
    when ``counts`` has ``follow_up``) and analysis (full analysis set, per-protocol set with
    the reasons for exclusion, safety set).

    ``counts`` as returned by :func:`helpers.analyses.populations.consort_counts` (``adtte`` given for the
    follow-up stage). Draws on a new figure as tall as its content (``ax`` given: on that
    Axes, which is resized to the content's aspect). Returns the Axes (axis off, x in figure
    fraction, y in inches from the bottom); every box is a Text artist with gid
    ``"consort box"``, every stage label one with gid ``"consort stage"``.
    """
    with plt.rc_context(PRINT_STYLE):
        if ax is None:
            fig = plt.figure(figsize=(WIDTH_IN, 8.0))
            ax = fig.add_axes((0, 0, 1, 1))
        fig = ax.figure
        ax.set_axis_off()
        renderer = fig.canvas.get_renderer()

        def box(x, text, ha="center"):
            artist = ax.text(x, 0, text, ha=ha, va="top", gid="consort box", bbox=_BOX,
                             multialignment="left", transform=ax.transData)
            return artist

        def height_in(artist) -> float:
            artist.draw(renderer)
            extent = artist.get_bbox_patch().get_window_extent(renderer)
            return extent.height / fig.dpi

        # the boxes, stage by stage (rows: a list of (x, text, ha))
        reasons = counts.get("not_randomised_reasons") or {}
        arms = [(code, ARM_X.get(code, 0.5), _arm_texts(arm, code))
                for code, arm in counts["arms"].items()]
        rows = [
            ("Enrolment", [box(MAIN_X, f"Registered\n{_n(counts['registered'])}")]),
            ("Enrolment", [box(SIDE_X, "\n".join([f"Not randomised: {_n(counts['not_randomised'])}",
                                                   *_lines(reasons)]), ha="left")]),
            ("Enrolment", [box(MAIN_X, f"Randomised\n{_n(counts['randomised'])}")]),
        ]
        others = counts.get("other_arms") or {}
        if others:  # every randomised arm is in the diagram: those not compared in a side box
            rows.append(("Allocation", [box(SIDE_X, "\n".join([
                "Allocated to arms not compared", "(not analysed here)",
                *_lines(others)]), ha="left")]))
        for stage in STAGES[1:]:
            texts = [(x, t[stage]) for _, x, t in arms if stage in t]
            if texts:
                rows.append((stage, [box(x, text) for x, text in texts]))

        # stack the rows from the top (y in inches, measured downwards first)
        ax.set_xlim(0, 1)
        ax.set_ylim(-100, 0)  # provisional, for measuring
        tops, bottoms, y = [], [], -0.15
        for _, artists in rows:
            h = max(height_in(a) for a in artists)
            tops.append(y)
            bottoms.append(y - h)
            y -= h + GAP_IN
        total = -y - GAP_IN + 0.15
        if ax.get_position().bounds == (0, 0, 1, 1):
            fig.set_size_inches(WIDTH_IN, total)
        ax.set_ylim(-total, 0)
        for top, (_, artists) in zip(tops, rows):
            for a in artists:
                a.set_y(top - 0.06)  # the box's padding lies outside the text

        def edges(artist):
            extent = artist.get_bbox_patch().get_window_extent(renderer)
            (_, y0), (_, y1) = ax.transData.inverted().transform(
                [[extent.x0, extent.y0], [extent.x1, extent.y1]])
            return y0, y1

        def arrow(start, end):
            ax.annotate("", xy=end, xytext=start, arrowprops={
                "arrowstyle": "-|>", "color": "0.2", "lw": 0.9, "shrinkA": 0, "shrinkB": 0})

        fig.canvas.draw()
        registered, side, randomised = (r[1][0] for r in rows[:3])
        arrow((MAIN_X, edges(registered)[0]), (MAIN_X, edges(randomised)[1]))

        def side_arrow(box_artist):
            mid = sum(edges(box_artist)) / 2
            left = ax.transData.inverted().transform(
                [[box_artist.get_bbox_patch().get_window_extent(renderer).x0, 0]])[0][0]
            arrow((MAIN_X, mid), (left, mid))

        side_arrow(side)
        first_arm = 3
        if others:
            other_box = rows[3][1][0]
            ax.plot([MAIN_X, MAIN_X], [edges(randomised)[0], sum(edges(other_box)) / 2],
                    color="0.2", lw=0.9)
            side_arrow(other_box)
            first_arm = 4
        arm_rows = rows[first_arm:]
        if arm_rows:
            above = edges(rows[first_arm - 1][1][0])[0] if others else edges(randomised)[0]
            split = (above + max(edges(a)[1] for a in arm_rows[0][1])) / 2
            xs = [a.get_position()[0] for a in arm_rows[0][1]]
            ax.plot([MAIN_X, MAIN_X], [edges(randomised)[0], split], color="0.2", lw=0.9)
            ax.plot([min(xs), max(xs)], [split, split], color="0.2", lw=0.9)
            for a in arm_rows[0][1]:
                arrow((a.get_position()[0], split), (a.get_position()[0], edges(a)[1]))
            for upper, lower in zip(arm_rows, arm_rows[1:]):
                for a, b in zip(upper[1], lower[1]):
                    arrow((a.get_position()[0], edges(a)[0]), (b.get_position()[0], edges(b)[1]))

        # the stage labels: one band per stage, as tall as its rows
        for stage in STAGES:
            spans = [(top, bottom) for (s, _), top, bottom in zip(rows, tops, bottoms) if s == stage]
            if not spans:
                continue
            top, bottom = spans[0][0] + 0.05, spans[-1][1] - 0.05
            ax.add_patch(plt.Rectangle((STAGE_X[0], bottom), STAGE_X[1] - STAGE_X[0], top - bottom,
                                       facecolor="#dbe8f5", edgecolor="#6d8fb3", lw=0.8))
            ax.text(sum(STAGE_X) / 2, (top + bottom) / 2, stage, rotation=90, ha="center",
                    va="center", fontweight="bold", gid="consort stage")
    return ax
