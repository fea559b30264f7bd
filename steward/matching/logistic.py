"""Logistic regression for steward's small learned models (routes, spam), in pure Python.

The models have a handful of features and a few thousand examples at most, so
Newton's method on the full Hessian converges in a few steps and needs no
numerical library at run time or at training time. L2 shrinks every weight
but the bias towards 0; the same examples in the same order always give the
same weights.
"""

from __future__ import annotations

import math


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z > -30 else 0.0


def fit(
    examples: list[tuple[dict[str, float], bool]], *, l2: float = 1.0, iterations: int = 30,
    prior: dict[str, float] | None = None, l2_for: dict[str, float] | None = None,
) -> dict[str, float]:
    """Logistic regression by Newton's method; l2 shrinks every weight but the bias towards 0.

    With a `prior` (the shipped weights, when a steward's own labels are folded in),
    every weight, the bias too, is pulled towards the prior's instead: a few labels
    nudge a model, they do not replace it. `l2_for`: another strength for the weights
    whose names start with a key (new features a few labels may move further).
    Deterministic: the same examples in the same order give the same weights.
    """
    names = sorted({k for values, _ in examples for k in values} | set(prior or ()))
    index = {k: i for i, k in enumerate(names)}
    rows = [([(index[k], v) for k, v in values.items() if v], 1.0 if y else 0.0) for values, y in examples]
    n = len(names)
    centre = [(prior or {}).get(k, 0.0) for k in names]
    w = centre[:]
    def strength(name: str) -> float:
        return next((v for start, v in (l2_for or {}).items() if name.startswith(start)), l2)

    penalty = [strength(k) if prior is not None or k != "bias" else 0.0 for k in names]
    for _ in range(iterations):
        grad = [penalty[i] * (w[i] - centre[i]) for i in range(n)]
        hess = [[0.0] * n for _ in range(n)]
        for i in range(n):
            hess[i][i] = penalty[i] + 1e-9
        for x, y in rows:
            z = sum(w[i] * v for i, v in x)
            p = sigmoid(z)
            g, h = p - y, p * (1 - p)
            for i, v in x:
                grad[i] += g * v
                row = hess[i]
                for j, u in x:
                    row[j] += h * v * u
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return dict(zip(names, w))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b, by Gaussian elimination with partial pivoting (a is small and positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x
