"""The Train page's figures are go.Figure objects with the documented traces, carrying the history's and the
network's numbers (in the data's own units), thinned when long, and with a message where there is nothing to
draw."""

from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
import pytest

import backprop as bp
from backprop.figures import style
from backprop.figures import training as ft
from backprop.training import datasets as ds
from backprop.training import descent as tr


@pytest.fixture(scope="module")
def circles_run():
    data = ds.circles(n=120, noise=0.2, seed=0)
    return tr.run_epochs(tr.start_training(tr.default_config(data), data), 12)


def _history(E, L=3, grad=None, test=True, accuracy=True):
    """A History of E + 1 rows built directly: loss 1/(e+1), accuracy e/E, ‖∂C/∂Wˡ‖ = l·10⁻ᵉ."""
    e = np.arange(E + 1)
    loss = 1.0 / (e + 1)
    nan = np.full(E + 1, np.nan)
    acc = e / max(E, 1)
    grad = np.array([[l * 10.0 ** -min(i, 300) for l in range(1, L + 1)] for i in e]) if grad is None else grad
    return tr.History(
        e,
        loss,
        2 * loss if test else nan,
        acc if accuracy else nan,
        acc / 2 if accuracy and test else nan,
        grad,
        grad / 10,
    )


def _trace(fig, name):
    found = [t for t in fig.data if t.name == name]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def _message(fig):
    return " ".join(a.text for a in fig.layout.annotations)


# ------------------------------------------------------------------------------------------------------
# Against epochs


def test_loss_figure_carries_train_and_test_loss(circles_run):
    h = circles_run.history
    fig = ft.loss_figure(h)
    assert isinstance(fig, go.Figure)
    assert [t.name for t in fig.data] == ["train loss", "test loss"]
    np.testing.assert_array_equal(_trace(fig, "train loss").x, h.epoch)
    np.testing.assert_array_equal(_trace(fig, "train loss").y, h.train_loss)
    np.testing.assert_array_equal(_trace(fig, "test loss").y, h.test_loss)
    assert fig.layout.yaxis.type == "log"
    assert f"epoch 12: train {h.train_loss[-1]:.4g}" in fig.layout.title.subtitle.text
    assert ft.loss_figure(h, log_y=False).layout.yaxis.type == "linear"


def test_without_a_test_set_there_is_no_test_trace():
    fig = ft.loss_figure(_history(5, test=False))
    assert [t.name for t in fig.data] == ["train loss"]
    assert [t.name for t in ft.accuracy_figure(_history(5, test=False)).data] == ["train accuracy"]


def test_accuracy_figure_carries_the_fractions(circles_run):
    h = circles_run.history
    fig = ft.accuracy_figure(h)
    assert [t.name for t in fig.data] == ["train accuracy", "test accuracy"]
    np.testing.assert_array_equal(_trace(fig, "test accuracy").y, h.test_accuracy)
    assert fig.layout.yaxis.tickformat == ".0%"


def test_accuracy_of_a_regression_is_a_message_not_an_empty_plot():
    data = ds.sine(n=40)
    h = tr.start_training(tr.default_config(data), data).history
    fig = ft.accuracy_figure(h)
    assert len(fig.data) == 0 and "regression" in _message(fig)


def test_long_histories_are_thinned_keeping_first_and_last():
    E = 5000
    h = _history(E)
    for fig, name in (
        (ft.loss_figure(h), "train loss"),
        (ft.gradient_norms_figure(h), "layer 1"),
        (ft.accuracy_figure(h), "train accuracy"),
    ):
        x = np.asarray(_trace(fig, name).x)
        assert len(x) <= ft.MAX_POINTS and x[0] == 0 and x[-1] == E
        assert np.all(np.diff(x) > 0)
    x = np.asarray(_trace(ft.loss_figure(h), "train loss").x)
    np.testing.assert_array_equal(_trace(ft.loss_figure(h), "train loss").y, 1.0 / (x + 1))


def test_divergence_is_marked_where_it_happened():
    state = tr.run_epochs(
        tr.start_training(tr.TrainConfig((2, 8, 8, 1), "relu", "linear", "quadratic", 1e3), ds.xor()), 3
    )
    assert state.diverged
    for fig in (ft.loss_figure(state.history, state.divergence), ft.accuracy_figure(state.history, state.divergence)):
        assert any(s.x0 == state.divergence.epoch for s in fig.layout.shapes)
        assert "diverged in epoch 1" in _message(fig)
    assert not ft.loss_figure(state.history).layout.shapes


@pytest.mark.parametrize(
    "builder,values", [(ft.gradient_norms_figure, "grad_norm"), (ft.mean_abs_delta_figure, "mean_abs_delta")]
)
def test_per_layer_figures_have_a_line_per_layer_in_order(circles_run, builder, values):
    h = circles_run.history
    fig = builder(h)
    assert [t.name for t in fig.data] == ["layer 1", "layer 2", "layer 3 (output)"]
    for l in (1, 2, 3):
        np.testing.assert_array_equal(fig.data[l - 1].y, getattr(h, values)(l))
    assert fig.layout.yaxis.type == "log"
    colours = [t.line.color for t in fig.data]
    assert colours == ft.layer_colours(3) and len(set(colours)) == 3


def test_layer_colours_read_dark_to_light():
    """Layer 1 darkest, layer L lightest: the order of the layers is the order of brightness."""

    def brightness(colour):
        r, g, b = (float(v) for v in colour[colour.index("(") + 1 : -1].split(","))
        return 0.299 * r + 0.587 * g + 0.114 * b

    for L in (1, 2, 5, 7):
        levels = [brightness(c) for c in ft.layer_colours(L)]
        assert len(levels) == L and all(a < b for a, b in pairwise(levels))


def test_zeros_become_gaps_on_the_log_axis_and_all_zeros_a_message():
    grad = np.array([[0.5, 0.0, 2.0], [0.25, 1e-3, 0.0]])
    fig = ft.gradient_norms_figure(_history(1, grad=grad))
    assert np.isnan(fig.data[1].y[0]) and np.isnan(fig.data[2].y[1])
    assert fig.data[0].y[0] == 0.5
    assert "gaps where it is exactly 0" in fig.layout.title.subtitle.text
    empty = ft.gradient_norms_figure(_history(1, grad=np.zeros((2, 3))))
    assert len(empty.data) == 0 and "zero" in _message(empty)


def test_a_fresh_run_with_one_row_draws_points():
    data = ds.xor(n=40)
    h = tr.start_training(tr.default_config(data), data).history
    for fig in (ft.loss_figure(h), ft.gradient_norms_figure(h), ft.mean_abs_delta_figure(h)):
        assert fig.data and "markers" in fig.data[0].mode


# ------------------------------------------------------------------------------------------------------
# Over the input space


def test_decision_boundary_shows_the_output_the_boundary_and_the_points(circles_run):
    net, data = circles_run.network, circles_run.data
    fig = ft.decision_boundary_figure(net, data, resolution=30)
    names = [t.name for t in fig.data]
    assert names[:2] == ["output", "boundary"]
    assert set(names[2:]) == {"class 0 (train)", "class 1 (train)", "class 0 (test)", "class 1 (test)"}
    grid = tr.decision_grid(net, data, 30)
    np.testing.assert_allclose(np.asarray(fig.data[0].z, dtype=float), grid.output, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fig.data[0].x, grid.x1)
    contour = _trace(fig, "boundary")
    assert (contour.contours.start, contour.contours.end) == (0.5, 0.5)
    n_points = sum(len(t.x) for t in fig.data[2:])
    assert n_points == data.n
    assert len(_trace(fig, "class 1 (test)").x) == int(data.Y_test.sum())
    assert _trace(fig, "class 0 (test)").marker.symbol.endswith("-open")
    assert _trace(fig, "class 0 (train)").marker.symbol != _trace(fig, "class 1 (train)").marker.symbol


def _csv(rows, header):
    return header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)


def test_a_csv_boundary_is_drawn_in_the_file_s_units():
    rows = [(1000 + 10 * i, 0.001 * (i % 7), int(i % 7 > 3)) for i in range(40)]
    data = ds.from_csv(_csv(rows, "mass,rate,label"), "label", seed=1)
    net = tr.default_config(data).network()
    fig = ft.decision_boundary_figure(net, data, resolution=20)
    xs = np.concatenate([t.x for t in fig.data[2:]])
    assert set(np.round(xs, 6)) == {float(r[0]) for r in rows}
    assert fig.layout.xaxis.title.text == "mass" and fig.layout.yaxis.title.text == "rate"
    assert fig.data[0].x[0] < 1000 and fig.data[0].x[-1] > 1390
    assert "label = 1 (train)" in [t.name for t in fig.data]


def test_a_two_input_regression_colours_points_by_target_without_a_boundary():
    rows = [(i, (i * 3) % 11, 2.5 * i - (i * 3) % 11) for i in range(30)]
    data = ds.from_csv(_csv(rows, "a,b,y"), "y")
    fig = ft.decision_boundary_figure(tr.default_config(data).network(), data, resolution=20)
    names = [t.name for t in fig.data]
    assert names == ["output", "train", "test"]
    colours = np.concatenate([t.marker.color for t in fig.data[1:]])
    assert set(np.round(colours, 9)) == {round(r[2], 9) for r in rows}


def test_fitted_curve_in_the_data_s_units():
    rows = [(10 + i, 100 + 5 * np.sin(i / 3)) for i in range(30)]
    data = ds.from_csv(_csv(rows, "day,price"), "price")
    net = tr.default_config(data).network()
    fig = ft.fitted_curve_figure(net, data, resolution=50)
    assert [t.name for t in fig.data] == ["train", "test", "network output"]
    curve = tr.fitted_curve(net, data, 50)
    np.testing.assert_allclose(fig.data[2].y, data.target_scaling.to_original(curve.output[:, None])[:, 0])
    np.testing.assert_allclose(fig.data[2].x, data.input_scaling.to_original(curve.x[:, None])[:, 0])
    np.testing.assert_allclose(np.sort(np.concatenate([fig.data[0].y, fig.data[1].y])), np.sort([r[1] for r in rows]))


def test_more_than_two_inputs_draw_output_against_target():
    rows = [(i, i % 3, i % 5, (i * 7) % 13) for i in range(30)]
    data = ds.from_csv(_csv(rows, "a,b,c,y"), "y")
    net = tr.default_config(data).network()
    fig = ft.fit_figure(net, data)
    assert [t.name for t in fig.data] == ["perfect", "train", "test"]
    out = data.target_scaling.to_original(tr.predict(net, data.X))[:, 0]
    np.testing.assert_allclose(fig.data[1].y, out[data.train_index])


def test_fit_figure_picks_the_picture_by_the_number_of_inputs(circles_run):
    assert _trace(ft.fit_figure(circles_run.network, circles_run.data), "boundary")
    sine = ds.sine(n=30)
    assert _trace(ft.fit_figure(tr.default_config(sine).network(), sine), "network output")


def test_empty_figure_says_why():
    fig = ft.empty_figure("Press Train to start.", "Loss")
    assert len(fig.data) == 0 and _message(fig) == "Press Train to start." and fig.layout.title.text == "Loss"


def test_every_figure_survives_presenter_mode(circles_run):
    h, net, data = circles_run.history, circles_run.network, circles_run.data
    for fig in (
        ft.loss_figure(h),
        ft.accuracy_figure(h),
        ft.gradient_norms_figure(h),
        ft.mean_abs_delta_figure(h),
        ft.fit_figure(net, data),
        ft.empty_figure("x"),
    ):
        big = style.for_projector(fig)
        assert big.layout.font.size == style.PRESENTER_FONT
        big.to_json()


def test_the_figures_do_not_change_the_state(circles_run):
    before = circles_run.network
    ft.fit_figure(circles_run.network, circles_run.data)
    assert circles_run.network == before and isinstance(before, bp.Network)
