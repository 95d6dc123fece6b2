"""The port of SciPy's Brent root finder gives SciPy's roots to the bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from simulation.model.roots import brentq


def _functions(seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        c, p, s = rng.uniform(-1.5, 1.5), rng.uniform(0.3, 5.0), rng.uniform(0.1, 10.0)
        k = rng.uniform(-0.9, 5.0)  # expm1 reaches it in the bracket
        yield (lambda x, c=c, p=p: math.copysign(abs(x) ** p, x) - c), -5.0, 5.0
        yield (lambda x, s=s, k=k: math.expm1(s * x) - k), -20.0 / s, 20.0 / s
        yield (lambda x, c=c: math.atan(x) - c / 3.0), -50.0, 50.0


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("xtol", [2e-12, 1e-10, 1e-4])
def test_brentq_matches_scipy_to_the_bit(seed, xtol):
    for f, a, b in _functions(seed):
        assert brentq(f, a, b, xtol=xtol) == optimize.brentq(f, a, b, xtol=xtol)


def test_brentq_ends_and_errors():
    assert brentq(lambda x: x, 0.0, 1.0) == 0.0
    assert brentq(lambda x: x - 1.0, 0.0, 1.0) == 1.0
    with pytest.raises(ValueError, match="signs"):
        brentq(lambda x: x * x + 1.0, -1.0, 1.0)
    with pytest.raises(RuntimeError, match="converge"):
        brentq(lambda x: x - 0.3, 0.0, 1.0, maxiter=1)
