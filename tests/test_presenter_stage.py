"""Presenter mode's stage, without a browser: which layer it shows large, the sizes it draws at, and the
large and thumbnail gradient figures against the trace's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp
from backprop.figures import layer_gradient, network_diagram, style
from backprop.figures.gradients import STAGE, STAGE_ANNOTATE, THUMB, stage_sizes
from backprop.lesson.progress import Lesson
from backprop.ui import keys, presenter
from backprop.ui.lesson_view import focus_layer, stage_heights


def _named(fig, name):
    (trace,) = [t for t in fig.data if t.name == name]
    return trace


def test_the_stage_shows_the_layer_each_step_works_on():
    """Written out for L = 3 (steps 0…8): start → layer 1 (its a⁰ row is set); forward through l → the layer
    whose aˡ⁻¹ row it fills, the output layer after the last; cost → the output layer; backward through l →
    l; the update → the chosen weight's layer."""
    net = bp.Network.random((2, 3, 3, 2), seed=0)
    lesson = Lesson.start(net, [0.5, 0.1], [0.2, 0.8])
    want = [1, 2, 3, 3, 3, 3, 2, 1, 2]
    got = [
        focus_layer(Lesson(lesson.networks, lesson.x, lesson.y, lesson.cost, lesson.learning_rate, i), (2, 0, 0))
        for i in range(bp.n_steps(3))
    ]
    assert got == want


@pytest.mark.parametrize("height, body", [(720, 18), (768, 19), (900, 22), (1080, 24), (1440, 24), (500, 18)])
def test_body_text_follows_the_window_height_as_the_css_does(height, body):
    assert presenter.body_px(height) == body
    assert f"clamp({presenter.BODY_MIN}px, {presenter.BODY_VH}vh, {presenter.BODY_MAX}px)" in presenter.ROOT_CSS


def test_the_stage_fits_the_smallest_projector_for_four_hidden_layers_of_eight():
    """At 1280×720 (body 18 px): the diagram and the large heatmap of an 8 × 8 layer, with its numbers at
    body size, leave room for a row of thumbnails at least 70 px high, inside the 720 px."""
    net = bp.Network.random((8, 8, 8, 8, 8, 8), seed=0)
    lesson = Lesson.start(net, np.full(8, 0.5), np.full(8, 0.5))
    diagram, big, thumb = stage_heights(lesson, 720, 18)
    fig = layer_gradient(lesson.trace, 3, bp.step(5, 9), projector=True, size=STAGE, body_px=18)
    assert fig.layout.height <= big  # the estimate holds for the figure as built
    assert 9 * 18 + big + thumb + 18 <= 720 and thumb >= 70 and diagram >= 180


def test_stage_figure_prints_every_value_at_body_size_in_a_stated_power_of_ten():
    """An 8 × 8 layer's stage figure: a number in every cell at the body size, and cell × 10^power reads
    back the trace's ∂C/∂W and δ to the two digits shown."""
    net = bp.Network.random((3, 8, 8, 2), seed=4)
    trace = bp.backward(net, [0.3, -0.2, 0.9], [0.1, 0.7])
    fig = layer_gradient(trace, 2, bp.step(3, 6), projector=True, size=STAGE, body_px=20)  # step 6: back through 2
    heat, delta = _named(fig, "dC_dW2"), _named(fig, "delta2")
    assert heat.textfont.size == 20 and delta.textfont.size == 20 and fig.layout.font.size == 20
    subtitle = fig.layout.title.subtitle.text
    power = int(subtitle.split("10<sup>")[1].split("</sup>")[0]) if "units of" in subtitle else 0
    assert power <= -2, subtitle  # this network's δ² are below 0.01
    shown = np.array([[float(c) for c in row] for row in heat.text]) * 10.0**power
    np.testing.assert_allclose(shown, trace.dC_dW(2), rtol=0.06, atol=10.0**power * 0.006)
    shown_delta = np.array([float(row[0]) for row in delta.text]) * 10.0**power
    np.testing.assert_allclose(shown_delta, trace.delta(2), rtol=0.06, atol=10.0**power * 0.006)
    assert all(len(c) <= 5 for row in heat.text for c in row), heat.text
    # The title's plot room holds title and subtitle: the plot starts below both lines.
    sizes = stage_sizes(20)
    assert fig.layout.margin.t >= 1.3 * (sizes["title"] + sizes["subtitle"])


def test_thumbnails_are_colours_only_with_their_layer_title_and_the_cells_still_clickable():
    net = bp.Network.random((2, 3, 2), seed=1)
    trace = bp.backward(net, [0.5, -0.3], [0.2, 0.9])
    for l in (1, 2):
        fig = layer_gradient(trace, l, bp.step(2, 6), projector=True, size=THUMB)
        assert fig.layout.title.text.startswith(f"Layer {l}: ∂C/∂W<sup>{l}</sup>")
        assert _named(fig, f"dC_dW{l}").text is None and fig.layout.height is None  # the page sets it
        cells = _named(fig, "cells")
        assert len(cells.customdata) == net.sizes[l] * net.sizes[l - 1]  # one click target per cell


def test_a_layer_wider_than_the_stage_prints_no_numbers():
    net = bp.Network.random((2, STAGE_ANNOTATE + 1, 2), seed=1)
    trace = bp.backward(net, [0.5, -0.3], [0.2, 0.9])
    fig = layer_gradient(trace, 1, bp.step(2, 6), projector=True, size=STAGE, body_px=18)
    assert _named(fig, "dC_dW1").text is None


def test_the_projected_diagram_is_built_projected_as_for_projector_would_draw_it():
    """Presenter mode's diagram is built with its larger text and thicker lines (no for_projector copy on
    every Step): the same font, layer labels and line widths as for_projector gives the plain diagram."""
    trace = bp.backward(bp.Network.random((2, 3, 2), seed=1), [0.5, -0.3], [0.2, 0.9])
    m = bp.step(2, 5)
    built = network_diagram(trace, m, (1, 0, 0), projector=True)
    copied = style.for_projector(network_diagram(trace, m, (1, 0, 0), projector=False))
    assert built.layout.font.size == copied.layout.font.size == style.PRESENTER_FONT
    assert [a.font.size for a in built.layout.annotations] == [a.font.size for a in copied.layout.annotations]
    widths = lambda f: [t.line.width for t in f.data if t.mode == "lines"]  # noqa: E731
    assert widths(built) == pytest.approx(widths(copied))
    # The edges are layout shapes, which for_projector leaves alone: built thicker by the same factor.
    plain = network_diagram(trace, m, (1, 0, 0), projector=False)
    edge_widths = lambda f: [s.line.width for s in f.layout.shapes]  # noqa: E731
    assert edge_widths(built) == pytest.approx([w * style.PRESENTER_LINES for w in edge_widths(plain)])
    nodes = lambda f: [t for t in f.data if t.name == "nodes"][0].marker.line.width  # noqa: E731
    assert list(nodes(built)) == pytest.approx(list(nodes(copied)))


def test_the_keys_line_names_every_key_the_listener_binds():
    for key, button in keys.KEYS.items():
        name = {
            "PageDown": "PageDown",
            "ArrowRight": "→",
            " ": "Space",
            "PageUp": "PageUp",
            "ArrowLeft": "←",
            "Home": "Home",
            "End": "End",
        }[key]
        assert f"**{name}**" in keys.LINE, name
        assert button in ("btn_step", "btn_back", "btn_reset", "btn_end")
    assert {keys.KEYS[k] for k in ("PageDown", "ArrowRight", " ")} == {"btn_step"}
    assert {keys.KEYS[k] for k in ("PageUp", "ArrowLeft")} == {"btn_back"}
