"""A run cut at batch boundaries (the page's time limit) gives exactly the run made in one go."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.training import datasets as ds
from backprop.training import descent as tr


def _state(batch: int, lr: float = 0.5, name: str = "spiral") -> tr.TrainState:
    data = ds.generate(name, n=60, noise=0.1, seed=3)
    return tr.start_training(tr.default_config(data, hidden=(5, 4), batch_size=batch, learning_rate=lr), data)


def _same(a: tr.TrainState, b: tr.TrainState) -> None:
    assert (a.epoch, a.within is None) == (b.epoch, b.within is None)
    for l in range(1, a.network.L + 1):
        np.testing.assert_array_equal(a.network.W(l), b.network.W(l))
        np.testing.assert_array_equal(a.network.b(l), b.network.b(l))
    np.testing.assert_array_equal(a.history.train_loss, b.history.train_loss)
    np.testing.assert_array_equal(a.history.grad_norm(1), b.history.grad_norm(1))


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_cut_after_every_batch_equals_one_go(batch):
    """time_limit tiny: each call does one batch, then stops between batches; resumed until 3 epochs are
    whole, the network and every history row are those of run_epochs(state, 3)."""
    start = _state(batch)
    whole = tr.run_epochs(start, 3)
    state, calls, seen_within = start, 0, False
    while state.epoch < 3:
        state = tr.run_epochs(state, 3 - state.epoch, time_limit=1e-9)
        calls += 1
        seen_within |= state.within is not None
        assert state.within is None or 1 <= state.within.batches < state.n_batches
        assert len(state.history) == state.epoch + 1
    assert calls == 3 * start.n_batches if batch == 1 else calls >= 3
    assert seen_within == (start.n_batches > 1)
    _same(state, whole)


def test_a_cut_epoch_leaves_the_network_and_history_at_the_last_whole_epoch():
    start = _state(1)
    one = tr.run_epochs(start, 1)
    cut = tr.run_epochs(one, 1, time_limit=1e-9)
    assert cut.epoch == 1 and cut.within.batches == 1
    assert cut.network is one.network and cut.history is one.history
    assert tr.run_epochs(cut, 0) == cut  # nothing asked: nothing lost
    assert tr.reset_training(cut).within is None


def test_divergence_in_a_resumed_epoch_is_reported_there():
    start = _state(1, lr=1.0, name="sine")  # diverges in epoch 1, batch 20 of 48
    whole = tr.run_epochs(start, 5)
    state = start
    while not state.diverged and state.epoch < 5:
        state = tr.run_epochs(state, 5 - state.epoch, time_limit=1e-9)
    assert whole.diverged and state.divergence == whole.divergence
    _same(state, whole)
