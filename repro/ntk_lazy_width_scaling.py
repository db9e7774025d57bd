"""Lazy training at width m: weights move as m^-1/2, the tangent kernel as m^-1 (tanh, NTP)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

n, d, lr, steps = 16, 5, 1.0, 100
widths, n_inits = ([64, 128], 1) if args.smoke else ([256, 512, 1024, 2048, 4096], 8)
X = rng.standard_normal((n, d))
y = np.sin(X @ rng.standard_normal(d) / np.sqrt(d) * 2)  # a smooth target of unit scale


def ntk(a, W):
    """Tangent kernel on the training set of f(x) = a . tanh(W x / sqrt(d)) / sqrt(m)."""
    act = np.tanh(X @ W.T / np.sqrt(d))
    sech2a = a * (1 - act**2)
    return (act @ act.T + (sech2a @ sech2a.T) * (X @ X.T) / d) / len(a)


def train(m):
    """Relative change of the parameters and of the tangent kernel after `steps` of GD."""
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    a0, W0, kernel0 = a.copy(), W.copy(), ntk(a, W)
    for _ in range(steps):  # full-batch GD on the mean squared error / 2
        act = np.tanh(X @ W.T / np.sqrt(d))
        resid = act @ a / np.sqrt(m) - y
        grad_a = act.T @ resid / (n * np.sqrt(m))
        grad_W = (resid[:, None] * (1 - act**2) * a).T @ X / (n * np.sqrt(m * d))
        a, W = a - lr * grad_a, W - lr * grad_W
    dtheta = np.sqrt(np.sum((a - a0) ** 2) + np.sum((W - W0) ** 2))
    theta0 = np.sqrt(np.sum(a0**2) + np.sum(W0**2))
    return dtheta / theta0, np.linalg.norm(ntk(a, W) - kernel0) / np.linalg.norm(kernel0)


changes = np.array([[train(m) for _ in range(n_inits)] for m in widths]).mean(axis=1)
dtheta, dkernel = changes.T
log_m, m_ref = np.log(widths), np.array(widths, dtype=float)

write_result(
    args,
    metrics={
        "weight_change_slope": np.polyfit(log_m, np.log(dtheta), 1)[0],
        "kernel_change_slope": np.polyfit(log_m, np.log(dkernel), 1)[0],
    },
    curves={
        "relative weight change": series(widths, dtheta),
        "m^-1/2 through the first point": series(
            widths, dtheta[0] * (m_ref / widths[0]) ** -0.5, style="theory"
        ),
        "relative kernel change": series(widths, dkernel),
        "m^-1 through the first point": series(
            widths, dkernel[0] * (m_ref / widths[0]) ** -1.0, style="theory"
        ),
    },
)
