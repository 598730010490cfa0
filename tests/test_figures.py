"""The figures show the trace's numbers, and only what the current step has revealed."""

import re
from itertools import pairwise

import numpy as np
import pytest

import backprop as bp
from backprop.figures import layer_gradient, network_diagram, style

SIZES = [(2, 2, 2), (3, 4, 2, 1), (1, 1), (5, 16, 3)]


def _trace(sizes, seed=0):
    net = bp.Network.random(sizes, "tanh", "sigmoid", seed=seed, init="normal")
    rng = np.random.default_rng(seed)
    return bp.backward(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]))


def _named(fig, name):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


@pytest.mark.parametrize("sizes", SIZES)
def test_revealed_heatmap_is_the_outer_product_of_the_strips_beside_it(sizes):
    """Once layer l is reached going back, the cells are ∂C/∂Wˡ, the row strip δˡ, the column strip aˡ⁻¹,
    and every cell equals its row's δ times its column's a (the outer product, recomputed here)."""
    trace = _trace(sizes)
    L = trace.L
    for l in range(1, L + 1):
        fig = layer_gradient(trace, l, bp.step(L, 2 * L + 2))
        G = np.asarray(_named(fig, f"dC_dW{l}").z)
        delta = np.asarray(_named(fig, f"delta{l}").z)[:, 0]
        a_prev = np.asarray(_named(fig, f"a{l - 1}").z)[0]
        np.testing.assert_array_equal(G, trace.dC_dW(l))
        np.testing.assert_array_equal(delta, trace.delta(l))
        np.testing.assert_array_equal(a_prev, trace.a(l - 1))
        np.testing.assert_allclose(G, np.array([[d * a for a in a_prev] for d in delta]), rtol=0, atol=0)


@pytest.mark.parametrize("sizes", SIZES)
def test_heatmaps_fill_in_one_layer_at_a_time_going_back(sizes):
    """At every step, layer l's cells hold numbers exactly when the backward pass has reached l;
    before that they are empty ('?' and the empty colour), never the real values."""
    trace = _trace(sizes)
    L = trace.L
    for i in range(bp.n_steps(L)):
        moment = bp.step(L, i)
        for l in range(1, L + 1):
            heat = _named(layer_gradient(trace, l, moment), f"dC_dW{l}")
            G = np.asarray(heat.z)
            if moment.shows_backward(l):
                np.testing.assert_array_equal(G, trace.dC_dW(l))
            else:
                assert not np.any(G), f"step {i}: layer {l} shows values before it is computed"
                assert heat.colorscale == tuple(tuple(c) for c in style.EMPTY_SCALE)
                if heat.text is not None:
                    assert {t for row in heat.text for t in row} == {"?"}


def test_every_cell_has_a_click_target_carrying_its_indices():
    """The overlay markers sit on the cell centres (the categories "j+1", "k+1" the heatmap uses) and carry
    (l, k, j) 0-based."""
    trace = _trace((3, 4, 2))
    fig = layer_gradient(trace, 1, bp.step(2, 0))
    cells, heat = _named(fig, "cells"), _named(fig, "dC_dW1")
    got = {(int(c[0]), int(c[1]), int(c[2])) for c in cells.customdata}
    assert got == {(1, k, j) for k in range(4) for j in range(3)}
    assert all(
        heat.x[int(c[2])] == x and heat.y[int(c[1])] == y
        for c, x, y in zip(cells.customdata, cells.x, cells.y, strict=True)
    )
    assert list(heat.x) == ["1", "2", "3"] and list(heat.y) == ["1", "2", "3", "4"]


def test_selected_cell_is_outlined():
    trace = _trace((3, 4, 2))
    fig = layer_gradient(trace, 1, bp.step(2, 6), selected=(1, 2, 0))
    (rect,) = fig.layout.shapes
    assert (rect.x0, rect.x1, rect.y0, rect.y1) == (-0.5, 0.5, 1.5, 2.5)
    assert layer_gradient(trace, 2, bp.step(2, 6), selected=(1, 2, 0)).layout.shapes == ()


def test_hover_text_uses_lecture_notation_with_one_based_indices():
    """Hover reads the 1-based indices from the category axes: ∂C/∂W²_{k,j} = value, or 'not yet computed'."""
    trace = _trace((3, 4, 2))
    fig = layer_gradient(trace, 2, bp.step(2, 6))
    assert _named(fig, "dC_dW2").hovertemplate == "∂C/∂W<sup>2</sup><sub>%{y},%{x}</sub> = %{z:.4~g}<extra></extra>"
    assert _named(fig, "delta2").hovertemplate == "δ<sup>2</sup><sub>%{y}</sub> = %{z:.4~g}<extra></extra>"
    assert _named(fig, "a1").hovertemplate == "a<sup>1</sup><sub>%{x}</sub> = %{z:.4~g}<extra></extra>"
    cells = _named(fig, "cells")
    assert cells.hovertemplate == "∂C/∂W<sup>2</sup><sub>%{y},%{x}</sub> = %{customdata[3]:.4~g}<extra></extra>"
    assert [c[3] for c in cells.customdata] == trace.dC_dW(2).ravel().tolist()
    before = layer_gradient(trace, 2, bp.step(2, 0))
    assert _named(before, "cells").hovertemplate.endswith("= not yet computed<extra></extra>")
    assert _named(before, "dC_dW2").hovertemplate.endswith("= not yet computed<extra></extra>")


def _nodes(fig):
    return _named(fig, "nodes")


@pytest.mark.parametrize("sizes", SIZES)
def test_diagram_colours_nodes_by_a_forward_by_delta_back_and_leaves_the_rest_empty(sizes):
    """Node fills: empty until the forward pass reaches the layer, then aˡ's colour, then δˡ's colour
    once the backward pass reaches it (recomputed here with the same colour scales)."""
    trace = _trace(sizes)
    L, n = trace.L, trace.network.sizes
    a_all = np.concatenate([trace.a(l) for l in range(L + 1)])
    low, high = min(0.0, a_all.min()), max(1.0, a_all.max())
    d_lim = style.limit(*[trace.delta(l) for l in range(1, L + 1)])
    for i in range(bp.n_steps(L)):
        moment = bp.step(L, i)
        fill = list(_nodes(network_diagram(trace, moment)).marker.color)
        pos = 0
        for l in range(L + 1):
            for k in range(n[l]):
                if l >= 1 and moment.shows_backward(l):
                    want = style.diverging([trace.delta(l)[k]], d_lim)[0]
                elif moment.shows_forward(l):
                    want = style.sequential([trace.a(l)[k]], low, high)[0]
                else:
                    want = style.EMPTY_FILL
                assert fill[pos] == want, (i, l, k)
                pos += 1
        assert pos == len(fill) == sum(n)


def test_diagram_hover_gives_the_trace_numbers():
    trace = _trace((2, 3, 1))
    hover = _nodes(network_diagram(trace, bp.step(2, 5))).hovertext  # step 5: backward through layer 1
    # node 2 of layer 1 is the 2 + 2 = 4th node (0-based index 3)
    assert f"a<sup>1</sup><sub>2</sub> = {trace.a(1)[1]:.4g}" in hover[3]
    assert f"δ<sup>1</sup><sub>2</sub> = {trace.delta(1)[1]:.4g}" in hover[3]
    assert "not yet computed" in _nodes(network_diagram(trace, bp.step(2, 0))).hovertext[3]


def test_diagram_highlights_the_path_of_the_selected_weight():
    """The orange path: edge j→k of layer l and, below the output, k's edges to every node of layer l+1."""
    trace = _trace((2, 3, 4, 1))
    fig = network_diagram(trace, bp.step(3, 0), selected=(2, 1, 0))
    xs = np.asarray(_named(fig, "path").x)
    assert xs[~np.isnan(xs)].tolist() == [1, 2] + [2, 3] * 1  # the edge into node k, then the one output
    fig = network_diagram(trace, bp.step(3, 0), selected=(1, 2, 1))
    assert np.isnan(np.asarray(_named(fig, "path").x)).sum() == 1 + 4  # j→k, then k→m for m = 1..4
    outlined = [i for i, c in enumerate(_nodes(fig).marker.line.color) if c == style.HIGHLIGHT]
    # nodes in order: layer 0 (0, 1), layer 1 (2, 3, 4), layer 2 (5..8), layer 3 (9)
    assert outlined == [1, 4, 5, 6, 7, 8]  # j = 2 of layer 0, k = 3 of layer 1, every m of layer 2


def test_edges_cover_every_weight_once():
    """Each j → k of each layer is one segment between the two nodes' positions, and nothing else."""
    trace = _trace((3, 5, 2))
    fig = network_diagram(trace, bp.step(2, 0))
    got = []
    assert [t.mode for t in fig.data if t.mode == "lines"] == []  # no line trace: one path per colour bin
    for shape in fig.layout.shapes:
        assert (shape.type, shape.xref, shape.yref, shape.layer) == ("path", "x", "y", "below")
        moves = re.findall(r"M([-\d.e]+),([-\d.e]+)L([-\d.e]+),([-\d.e]+)", shape.path)
        assert "".join(f"M{a},{b}L{c},{d}" for a, b, c, d in moves) == shape.path  # nothing else in it
        got += [tuple(float(v) for v in m) for m in moves]
    pos = [(np.asarray(n) - 1) / 2 - np.arange(n) for n in (3, 5, 2)]
    want = [
        (l - 1, pos[l - 1][j], l, pos[l][k])
        for l, (n_in, n_out) in enumerate([(3, 5), (5, 2)], start=1)
        for k in range(n_out)
        for j in range(n_in)
    ]
    assert sorted(got) == sorted(want)


# Presenter mode's colours, measured in CIELAB (ΔE ≈ 2.3 is a just-noticeable difference): colour-blind
# viewers are simulated with Machado, Oliveira & Fernandes (2009), severity 1, in linear RGB; a washed-out
# projector as 40 % white light added to every colour.
_CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _linear(colour: str) -> np.ndarray:
    c = np.array([float(v) for v in colour[colour.index("(") + 1 : -1].split(",")[:3]]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def _colour(v: float, projector: bool) -> np.ndarray:
    return _linear(style.diverging([v], 1.0, projector)[0])


def test_presenter_colours_keep_small_values_visible_on_a_washed_out_projector():
    """A value at a tenth of the colour limit: on the normal scale it is nearly white once the projector
    washes it out (ΔE < 7 from the white background); presenter mode's scale keeps it at ΔE > 12."""
    white = np.ones(3)
    for v in (0.1, -0.1):
        normal = _delta_e(0.6 * _colour(v, False) + 0.4 * white, white)
        projected = _delta_e(0.6 * _colour(v, True) + 0.4 * white, white)
        assert normal < 7 < 12 < projected, (v, normal, projected)
    for v in (0.0, 1.0, -1.0):  # zero stays white, the ends stay the same colours
        assert style.diverging([v], 1.0, True) == style.diverging([v], 1.0, False)


@pytest.mark.parametrize("vision", sorted(_CVD))
def test_presenter_colours_keep_signs_apart_for_colour_blind_viewers(vision):
    """+v and −v stay far apart (ΔE > 30) under each simulated colour blindness, down to a tenth of the limit,
    and no value from a tenth of the limit up fades into the white background: ΔE > 18, where the normal
    scale gives 7–11 at a tenth of the limit."""
    M = np.array(_CVD[vision])
    sim = lambda c: np.clip(M @ c, 0, 1)  # noqa: E731
    for v in (0.1, 0.25, 0.5, 1.0):
        assert _delta_e(sim(_colour(v, True)), sim(_colour(-v, True))) > 30, v
    for v in np.linspace(-1, 1, 21):
        if abs(v) >= 0.1 - 1e-12:
            assert _delta_e(sim(_colour(v, True)), np.ones(3)) > 18, v


def test_presenter_mode_reaches_every_diverging_figure():
    trace = bp.backward(bp.Network.random((2, 3, 2), seed=1), [0.5, -0.3], [0.2, 0.9])
    done = bp.step(2, bp.n_steps(2) - 1)
    assert (
        _named(layer_gradient(trace, 1, done, projector=True), "dC_dW1").colorscale
        != _named(layer_gradient(trace, 1, done), "dC_dW1").colorscale
    )
    normal, projected = (list(_nodes(network_diagram(trace, done, projector=p)).marker.color) for p in (False, True))
    assert normal != projected and normal[0] == projected[0]  # input nodes carry no δ: same colour either way


def test_presenter_mode_grows_node_labels_with_their_nodes_and_other_text_with_the_font():
    """Labels inside the diagram's nodes must stay inside: the diagram makes nodes and labels larger together
    (where a layer has room), and for_projector leaves them alone; cell text and annotations grow."""
    trace = bp.backward(bp.Network.random((2, 2, 2), seed=1), [0.5, -0.3], [0.2, 0.9])
    done = bp.step(2, bp.n_steps(2) - 1)
    normal, big = network_diagram(trace, done), network_diagram(trace, done, projector=True)
    n, b = _nodes(normal), _nodes(big)
    assert b.marker.size > n.marker.size and b.textfont.size > n.textfont.size
    assert b.textfont.size / b.marker.size == pytest.approx(n.textfont.size / n.marker.size, rel=0.15)
    shown = style.for_projector(big)
    assert _nodes(shown).textfont.size == b.textfont.size and _nodes(shown).marker.size == b.marker.size
    assert all(a.font.size > 12 for a in shown.layout.annotations)
    assert style.for_projector(layer_gradient(trace, 1, done)).layout.title.subtitle.font.size > 12
    heat = _named(style.for_projector(layer_gradient(trace, 1, done)), "dC_dW1")
    plain = _named(layer_gradient(trace, 1, done), "dC_dW1")
    assert plain.textfont.size < heat.textfont.size <= style.PRESENTER_FONT - 4
    # A layer of 8 labelled nodes has no room to spare: its nodes do not grow into each other.
    wide = bp.backward(bp.Network.random((2, 8, 1), seed=1), [0.5, -0.3], [0.2])
    px = _nodes(network_diagram(wide, bp.step(2, 0), projector=True)).marker.size
    height = network_diagram(wide, bp.step(2, 0)).layout.height
    assert px <= (height - 20) / 9


@pytest.mark.parametrize("sizes", [(2, 2, 2), (3, 5, 4, 2), (8, 16, 16, 8), (1, 1)])
def test_figures_built_without_validation_are_valid_plotly(sizes):
    """network_diagram and layer_gradient skip Plotly's validation for speed (style.figure): every property
    they set must still be one Plotly knows, with a valid value. Validating the same dict must not raise
    and must give the same figure, at every step, with and without a selection and presenter colours."""
    import plotly.graph_objects as go

    net = bp.Network.random(sizes, "tanh", "sigmoid", seed=2)
    rng = np.random.default_rng(0)
    trace = bp.backward(net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1]))
    L = net.L
    figures = []
    for i in range(bp.n_steps(L)):
        m = bp.step(L, i)
        figures.append(network_diagram(trace, m, (L, 0, 0) if i % 2 else None, projector=i % 3 == 0))
        figures += [layer_gradient(trace, l, m, (l, 0, 0), projector=i % 2 == 0) for l in range(1, L + 1)]
    for fig in figures:
        checked = go.Figure(fig.to_dict())  # validates every property: raises on a bad one
        # what st.plotly_chart sends, as the browser reads it
        assert _sent(checked) == _sent(fig)


def _sent(fig) -> dict:
    """The figure's JSON as Plotly.js receives it, with typed arrays decoded to lists."""
    import base64
    import json

    import plotly.io as pio

    def decode(v):
        if isinstance(v, dict) and "bdata" in v and "dtype" in v:
            values = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
            shape = v.get("shape", values.shape)
            shape = tuple(int(n) for n in shape.split(",")) if isinstance(shape, str) else shape
            return decode(values.reshape(shape).tolist())
        if isinstance(v, dict):
            return {k: decode(x) for k, x in v.items()}
        if isinstance(v, list):
            return [decode(x) for x in v]
        return "NaN" if isinstance(v, float) and v != v else v  # NaN separates line segments; NaN != NaN

    sent = decode(json.loads(pio.to_json(fig, validate=False)))
    sent["layout"].pop("template", None)  # replaced in the browser by st.plotly_chart's Streamlit theme
    return sent


def test_edge_hover_points_only_where_edges_can_be_told_apart():
    """Up to EDGE_HOVER edges, each has a hover point with its weight; past that, none (the heatmaps' cells
    carry the hover), which keeps the largest network's redraw fast."""
    from backprop.figures.network import EDGE_HOVER

    def names(sizes):
        trace = bp.backward(bp.Network.random(sizes, seed=0), np.zeros(sizes[0]), np.zeros(sizes[-1]))
        return [t.name for t in network_diagram(trace, bp.step(len(sizes) - 1, 0)).data]

    small, large = (2, 16, 12, 2), (8, 16, 16, 8)
    assert sum(a * b for a, b in pairwise(small)) <= EDGE_HOVER < sum(a * b for a, b in pairwise(large))
    assert "edges" in names(small) and "edges" not in names(large) and "nodes" in names(large)


def test_the_largest_diagram_draws_its_edges_as_a_few_paths():
    """The 1,536 edges of the largest network are at most EDGE_BINS path shapes, not a line element each
    (Plotly draws every NaN-separated segment of a line trace as an SVG element of its own, which was most of
    that diagram's redraw); the one line trace left is the chosen weight's path, a few segments."""
    from backprop.figures.network import EDGE_BINS

    sizes = (8, 16, 16, 16, 16, 16, 16, 8)
    trace = bp.backward(bp.Network.random(sizes, seed=0), np.zeros(sizes[0]), np.zeros(sizes[-1]))
    fig = network_diagram(trace, bp.step(len(sizes) - 1, 10), selected=(3, 0, 0))
    assert 1 <= len(fig.layout.shapes) <= EDGE_BINS
    assert sum(s.path.count("M") for s in fig.layout.shapes) == sum(a * b for a, b in pairwise(sizes))
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["path"] and np.isnan(np.asarray(lines[0].x)).sum() == 1 + sizes[4]
