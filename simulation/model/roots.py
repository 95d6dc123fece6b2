"""Brent's root finder, without importing SciPy.

``scipy.optimize`` costs about 0.25 s and 40 MB to import, and the model needs one scalar
root finder from it, at every import of the catalogue (effect sizes) and at every agent-based
run (the reunification profile). :func:`brentq` is a line-for-line port of SciPy's
``brentq.c`` (the same steps in the same floating-point operations), so it returns SciPy's
roots to the bit (``tests/model/test_roots.py`` checks it against ``scipy.optimize.brentq``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

#: SciPy's defaults: absolute and relative tolerance (4 machine epsilons), iterations.
XTOL = 2e-12
RTOL = 4 * 2.220446049250313e-16
MAXITER = 100


def brentq(
    f: Callable[[float], float],
    a: float,
    b: float,
    xtol: float = XTOL,
    rtol: float = RTOL,
    maxiter: int = MAXITER,
) -> float:
    """A root of ``f`` in ``[a, b]``, where ``f(a)`` and ``f(b)`` differ in sign.

    Parameters
    ----------
    f : callable
        A continuous scalar function.
    a, b : float
        The bracket.
    xtol, rtol : float
        The root is within ``xtol + rtol * |root|`` (as ``scipy.optimize.brentq``).
    maxiter : int
        Iterations before giving up.

    Raises
    ------
    ValueError
        If ``f(a)`` and ``f(b)`` have the same sign, or ``rtol`` is below SciPy's minimum.
    RuntimeError
        If it has not converged after ``maxiter`` iterations.
    """
    if xtol <= 0:
        raise ValueError(f"xtol too small ({xtol:g} <= 0)")
    if rtol < RTOL:
        raise ValueError(f"rtol too small ({rtol:g} < {RTOL:g})")
    xpre, xcur = float(a), float(b)
    fpre, fcur = float(f(xpre)), float(f(xcur))
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    if math.copysign(1.0, fpre) == math.copysign(1.0, fcur):
        raise ValueError("f(a) and f(b) must have different signs")
    xblk = fblk = spre = scur = 0.0
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        spre, scur = _step(xpre, xcur, xblk, fpre, fcur, fblk, spre, scur, sbis, delta)
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = float(f(xcur))
    raise RuntimeError(f"brentq did not converge in {maxiter} iterations")


def _step(xpre, xcur, xblk, fpre, fcur, fblk, spre, scur, sbis, delta) -> tuple[float, float]:
    """The next (previous step, step): interpolation if short and good, else bisection."""
    if abs(spre) > delta and abs(fcur) < abs(fpre):
        if xpre == xblk:  # interpolate
            stry = -fcur * (xcur - xpre) / (fcur - fpre)
        else:  # extrapolate
            dpre = (fpre - fcur) / (xpre - xcur)
            dblk = (fblk - fcur) / (xblk - xcur)
            stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
        if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):  # good short step
            return scur, stry
    return sbis, sbis  # bisect
