"""Seed-to-seed variance of a trained two-layer network's predictions falls as 1/width."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)


def sphere(n: int, d: int) -> np.ndarray:
    x = rng.standard_normal((n, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


d, n = p.input_dim, p.n_train
X, X_test = sphere(n, d), sphere(p.n_test, d)
v = rng.standard_normal(d)


def target(z: np.ndarray) -> np.ndarray:
    return np.sin(2 * z @ v / np.sqrt(d)) + (z @ v) ** 2 / d


y = target(X)
E = p.ensemble
variances, train_losses = [], []
for m in p.widths:
    half = m // 2
    W = rng.standard_normal((E, half, d))
    a = rng.standard_normal((E, half))
    if p.antisymmetric_init:
        # Each unit has a twin with the opposite read-out weight, so f = 0 at initialisation
        # and the infinite-width limit is a deterministic kernel regression.
        W, a = np.concatenate([W, W], 1), np.concatenate([a, -a], 1)
    else:
        W = np.concatenate([W, rng.standard_normal((E, half, d))], 1)
        a = np.concatenate([a, rng.standard_normal((E, half))], 1)
    c = 1 / np.sqrt(m)  # NTK parametrisation
    for _ in range(p.steps):
        pre = W @ X.T
        act = np.maximum(pre, 0)
        residual = (c * np.einsum("em,emn->en", a, act) - y) / n
        grad_a = c * np.einsum("emn,en->em", act, residual)
        grad_W = c * (((pre > 0) * a[:, :, None]) * residual[:, None, :]) @ X
        a -= p.lr * grad_a
        W -= p.lr * grad_W
    out = c * np.einsum("em,emn->en", a, np.maximum(W @ X.T, 0))
    train_losses.append(float(np.mean((out - y) ** 2)))
    pred = c * np.einsum("em,emn->en", a, np.maximum(W @ X_test.T, 0))
    variances.append(float(pred.var(axis=0, ddof=1).mean()))

widths = np.array(p.widths, dtype=float)
slope = np.polyfit(np.log(widths), np.log(variances), 1)[0]
reference = variances[0] * widths[0] / widths

write_result(
    args,
    metrics={
        "variance_slope": slope,
        "worst_train_mse": max(train_losses),
    },
    curves={
        "variance across initialisations": series(widths, variances),
        "1/width": series(widths, reference, style="theory"),
    },
)
