"""Common random numbers: counter-based draws keyed by agent and time.

A stateful generator hands out numbers in the order they are asked for, so when a policy
change makes one family move, every later draw shifts to another family and two scenarios
lose their pairing. Here a draw is a pure function of (seed, stream, family id, month, draw
number): the same family meets the same random numbers in every scenario, whatever other
families do, as in Starsim's common random numbers. The hash is SplitMix64's finaliser, a
bijection of 64-bit integers with good avalanche, applied to an id-dependent counter.
"""

from __future__ import annotations

import numpy as np

#: The hash's constants (splitmix64); abm.kernels.crn_uniform is a compiled copy of uniform.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1
TO_UNIT = 2.0**-53


def _mix_int(x: int) -> int:
    """SplitMix64 finaliser on a Python int (for keys)."""
    x &= _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def key(*parts: int) -> int:
    """A 64-bit key from integers (seed, stream, month, ...), order-sensitive."""
    k = 0x6A09E667F3BCC909
    for part in parts:
        k = _mix_int(k ^ (int(part) & _MASK) ^ 0x9E3779B97F4A7C15)
    return k


SECOND = np.uint64(0xD1B54A32D192ED03)


def uniform(ids: np.ndarray, k: int, counters: np.ndarray | None = None) -> np.ndarray:
    """Uniform draws in (0, 1), one per id (and counter), for key ``k``.

    Parameters
    ----------
    ids : ndarray of int64
        Agent ids (non-negative).
    k : int
        Key from :func:`key`; different keys give independent-looking draws.
    counters : ndarray of int, optional
        A second index per id, e.g. how many events the agent has had.
    """
    x = np.asarray(ids, np.int64).view(np.uint64) * GOLDEN
    if counters is not None:
        x += np.asarray(counters, np.int64).view(np.uint64) * SECOND
    x += np.uint64(k)
    x ^= x >> np.uint64(30)
    x *= M1
    x ^= x >> np.uint64(27)
    x *= M2
    x ^= x >> np.uint64(31)
    x >>= np.uint64(11)
    u = x.astype(np.float64)
    u += 0.5  # strictly inside (0, 1)
    u *= TO_UNIT
    return u


def exponential(ids: np.ndarray, k: int, counters: np.ndarray | None = None) -> np.ndarray:
    """Standard exponential draws, one per id (and counter), for key ``k``."""
    u = uniform(ids, k, counters)
    np.log(u, out=u)
    u *= -1.0
    return u
