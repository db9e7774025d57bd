"""Lazy training at width m: weights move as m^-1/2, the tangent kernel as m^-1 (tanh, NTP)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, lr, steps = p.n_train, p.input_dim, p.lr, p.steps
widths, n_inits = p.widths, p.n_inits
X = rng.standard_normal((n, d))
y = np.sin(X @ rng.standard_normal(d) / np.sqrt(d) * 2)  # a smooth target of unit scale


def activation(pre):
    """The hidden activation and its derivative at the pre-activations ``pre``."""
    if p.activation == "tanh":
        act = np.tanh(pre)
        return act, 1 - act**2
    if p.activation == "relu":
        return np.maximum(pre, 0.0), (pre > 0).astype(float)
    raise ValueError(f"unknown activation {p.activation!r}")


def ntk(a, W):
    """Tangent kernel on the training set of f(x) = a . act(W x / sqrt(d)) / m^gamma, in units
    of 1/m^(2 gamma - 1) so that its relative change does not depend on the parametrisation."""
    act, slope = activation(X @ W.T / np.sqrt(d))
    sech2a = a * slope
    return (act @ act.T + (sech2a @ sech2a.T) * (X @ X.T) / d) / len(a)


def train(m):
    """Relative change of the parameters and of the tangent kernel after `steps` of GD."""
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    if p.positive_readout:
        a = np.abs(a)
    if p.parametrisation == "ntk":  # f = a.act/sqrt(m), width-independent learning rate
        out_scale, w_scale, step = np.sqrt(m), np.sqrt(m * d), lr
    elif p.parametrisation == "mean-field":  # f = a.act/m, learning rate ∝ m
        out_scale, w_scale, step = m, m * np.sqrt(d), lr * m
    else:
        raise ValueError(f"unknown parametrisation {p.parametrisation!r}")
    a0, W0, kernel0 = a.copy(), W.copy(), ntk(a, W)
    for _ in range(steps):  # full-batch GD on the mean squared error / 2
        act, slope = activation(X @ W.T / np.sqrt(d))
        resid = act @ a / out_scale - y
        grad_a = act.T @ resid / (n * out_scale)
        grad_W = (resid[:, None] * slope * a).T @ X / (n * w_scale)
        a, W = a - step * grad_a, W - step * grad_W
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
