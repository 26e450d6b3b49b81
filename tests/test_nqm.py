import numpy as np
import pytest

from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import constant


def naive_expected_loss(nqm, rates):
    mean = np.asarray(nqm.theta0, dtype=float).copy()
    var = np.asarray(nqm.var0, dtype=float).copy()
    out = [0.5 * nqm.h @ (mean**2 + var)]
    for a in rates:
        mean = (1 - a * nqm.h) * mean
        var = (1 - a * nqm.h) ** 2 * var + a**2 * nqm.c / nqm.batch_size
        out.append(0.5 * nqm.h @ (mean**2 + var))
    return np.array(out)


@pytest.fixture
def nqm():
    return NoisyQuadratic.standard(dim=200)


def test_standard_model():
    q = NoisyQuadratic.standard(dim=4, batch_size=2, theta0=3.0)
    np.testing.assert_array_equal(q.h, [1, 1 / 2, 1 / 3, 1 / 4])
    np.testing.assert_array_equal(q.c, q.h)
    assert q.batch_size == 2
    assert q.dim == 4
    assert q.max_stable_lr() == 2.0
    assert q.expected_loss([])[0] == pytest.approx(0.5 * 9 * q.h.sum())


def test_recursion_matches_mean_and_variance_loop(nqm):
    rng = np.random.default_rng(1)
    rates = rng.uniform(0, 1.9, size=300)
    np.testing.assert_allclose(
        nqm.expected_loss(rates), naive_expected_loss(nqm, rates), rtol=1e-12
    )


def test_noise_free_coordinates_and_initial_variance():
    h = np.array([2.0, 1.0, 0.5, 0.1])
    q = NoisyQuadratic(h=h, c=[0.3, 0.0, 1.0, 0.0], batch_size=4, theta0=[1, -2, 0, 3], var0=0.2)
    rates = np.linspace(0.9, 0.01, 150)
    np.testing.assert_allclose(q.expected_loss(rates), naive_expected_loss(q, rates), rtol=1e-12)


def test_many_schedules_equal_one_at_a_time(nqm):
    rates = np.stack([np.full(400, 0.3), np.linspace(1, 0, 400), np.geomspace(1, 1e-3, 400)])
    together = nqm.expected_loss(rates)
    assert together.shape == (3, 401)
    for row, curve in zip(rates, together, strict=True):
        np.testing.assert_allclose(nqm.expected_loss(row), curve, rtol=1e-13)


def test_long_chunked_run_matches_loop():
    q = NoisyQuadratic.standard(dim=50)
    rates = np.stack([np.linspace(1.5, 0.01, 1000), np.full(1000, 0.7)])
    expected = np.stack([naive_expected_loss(q, r) for r in rates])
    np.testing.assert_allclose(q.expected_loss(rates), expected, rtol=1e-12)


def test_schedule_input_equals_array(nqm):
    by_schedule = nqm.expected_loss(constant(0.25), steps=50)
    np.testing.assert_array_equal(by_schedule, nqm.expected_loss(np.full(50, 0.25)))
    both = nqm.expected_loss([constant(0.25), constant(0.5)], steps=50)
    assert both.shape == (2, 51)
    np.testing.assert_allclose(both[0], by_schedule, rtol=1e-13)


def test_matches_monte_carlo():
    q = NoisyQuadratic.standard(dim=20, batch_size=2)
    rates = np.concatenate([np.full(40, 0.8), np.linspace(0.8, 0.05, 40)])
    exact = q.expected_loss(rates)
    sim = q.simulate(rates, n_runs=4000, seed=3)
    np.testing.assert_allclose(sim, exact, rtol=0.06)
    assert q.simulate(rates, n_runs=50, seed=3)[-1] == q.simulate(rates, n_runs=50, seed=3)[-1]


@pytest.mark.parametrize("lr", [0.05, 0.5, 1.5])
def test_constant_lr_settles_at_the_closed_form_floor(lr):
    q = NoisyQuadratic.standard(dim=30)
    curve = q.expected_loss(np.full(20_000, lr))
    assert curve[-1] == pytest.approx(q.floor(lr), rel=1e-6)


def test_floor_is_vectorised_and_nearly_proportional(nqm):
    lrs = np.array([0.01, 0.02, 0.04])
    floors = nqm.floor(lrs)
    assert floors.shape == (3,)
    assert isinstance(nqm.floor(0.01), float)
    assert floors[1] / floors[0] == pytest.approx(2, rel=0.01)
    assert nqm.floor(0.0) == 0.0
    assert nqm.floor(nqm.max_stable_lr()) == np.inf


def test_decay_ends_below_every_constant_rate(nqm):
    steps = 2000
    decay = nqm.expected_loss(np.geomspace(1.0, 1e-3, steps))[-1]
    constants = nqm.expected_loss(np.outer([1.0, 0.3, 0.1, 0.03, 0.01], np.ones(steps)))[:, -1]
    assert np.all(decay < constants)


def test_unstable_rate_blows_up_without_nan():
    q = NoisyQuadratic.standard(dim=10)
    curve = q.expected_loss(np.full(3000, 2.5))
    assert not np.any(np.isnan(curve))
    assert curve[-1] == np.inf
    assert np.isfinite(q.expected_loss(np.full(100, 1.0))).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"h": [1.0, 0.0], "c": [1.0, 1.0]}, "h must be > 0"),
        (
            {"h": [1.0, 0.5], "c": [1.0]},
            "c must be a non-empty 1-D array .* with 2 entries",
        ),
        ({"h": [1.0], "c": [-1.0]}, "c must be >= 0"),
        ({"h": [1.0], "c": [1.0], "batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"h": [1.0], "c": [1.0], "var0": -1.0}, "var0 must be >= 0"),
        ({"h": [[1.0]], "c": [1.0]}, "h must be a non-empty 1-D array"),
        ({"h": [1.0], "c": [1.0], "batch_size": True}, "batch_size must be an integer >= 1"),
        ({"h": [True], "c": [1.0]}, "h must be a non-empty 1-D array"),
        ({"h": "1", "c": [1.0]}, "h must be a non-empty 1-D array"),
        ({"h": [1.0], "c": [1.0], "theta0": [1.0, 2.0]}, "theta0 must be a non-empty 1-D"),
    ],
)
def test_bad_model_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NoisyQuadratic(**kwargs)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([0.1, -0.1],), "lr must contain finite learning rates >= 0, got -0.1"),
        (([0.1, np.nan],), "lr must contain finite"),
        ((np.zeros((2, 2, 2)),), "got shape"),
        ((constant(0.1),), "steps must be an integer >= 0 when lr is a schedule, got None"),
        (
            ([0.1], 5),
            r"steps must be None when lr is an array of rates .*, got 5",
        ),
        ((constant(0.1), -1), "steps must be an integer >= 0, got -1"),
        (("fast",), "lr must be a Schedule"),
    ],
)
def test_bad_learning_rates(nqm, args, match):
    with pytest.raises(ValueError, match=match):
        nqm.expected_loss(*args)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_simulate_seed_is_refused_by_name(nqm, seed):
    # a negative seed used to surface NumPy's own message
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got"):
        nqm.simulate([0.1], n_runs=2, seed=seed)


def test_numpy_numbers_are_accepted():
    q = NoisyQuadratic(h=np.array([1.0, 0.5]), c=[1, 1], batch_size=np.int64(4))
    assert q.batch_size == 4 and type(q.batch_size) is int
    assert q.simulate([0.1], n_runs=np.int32(2), seed=np.uint8(3)).shape == (2,)


def test_bad_floor_and_simulate_arguments(nqm):
    with pytest.raises(ValueError, match="lr must be finite"):
        nqm.floor(-1.0)
    with pytest.raises(ValueError, match="n_runs must be an integer >= 1, got 0"):
        nqm.simulate([0.1], n_runs=0)
    with pytest.raises(ValueError, match="dim must be an integer >= 1"):
        NoisyQuadratic.standard(dim=0)


def test_model_is_immutable(nqm):
    with pytest.raises(AttributeError):
        nqm.batch_size = 3
    with pytest.raises(ValueError):
        nqm.h[0] = 5.0
