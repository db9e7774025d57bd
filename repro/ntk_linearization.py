"""A wide net trained by GD tracks its linearisation; the gap shrinks as 1/m (tanh, NTP)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, n_test, d, lr, steps = p.n_train, p.n_test, p.input_dim, p.lr, p.steps
widths, n_inits = p.widths, p.n_inits
X = rng.standard_normal((n, d))
X_test = rng.standard_normal((n_test, d))
y = np.sin(X @ rng.standard_normal(d) / np.sqrt(d) * 2)  # a smooth target of unit scale


def activation(pre):
    """The hidden activation and its derivative at the pre-activations ``pre``."""
    if p.activation == "tanh":
        act = np.tanh(pre)
        return act, 1 - act**2
    if p.activation == "relu":
        return np.maximum(pre, 0.0), (pre > 0).astype(float)
    raise ValueError(f"unknown activation {p.activation!r}")


def features(a, W, Z):
    """Per-neuron parts of f = a.act(W z / sqrt(d)) / m^gamma and of its gradient at Z."""
    act, slope = activation(Z @ W.T / np.sqrt(d))
    return act, a * slope


def kernel(a, W, Z1, Z2):
    act1, s1 = features(a, W, Z1)
    act2, s2 = features(a, W, Z2)
    return (act1 @ act2.T + (s1 @ s2.T) * (Z1 @ Z2.T) / d) / len(a)


def gap(m):
    """RMS test-set gap between the trained net and its trained linearisation, relative to
    the RMS change of the linearised outputs."""
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    if p.parametrisation == "ntk":  # f = a.act/sqrt(m), width-independent learning rate
        out_scale, w_scale, step, kernel_scale = np.sqrt(m), np.sqrt(m * d), lr, 1
    elif p.parametrisation == "mean-field":  # f = a.act/m, learning rate ∝ m
        out_scale, w_scale, step, kernel_scale = m, m * np.sqrt(d), lr * m, m
    else:
        raise ValueError(f"unknown parametrisation {p.parametrisation!r}")
    f0_train = activation(X @ W.T / np.sqrt(d))[0] @ a / out_scale
    f0_test = activation(X_test @ W.T / np.sqrt(d))[0] @ a / out_scale
    # GD on the linearised model, written in function space with the kernel at initialisation
    K_train = kernel(a, W, X, X) / kernel_scale
    K_test = kernel(a, W, X_test, X) / kernel_scale
    f_lin, f_lin_test = f0_train.copy(), f0_test.copy()
    for _ in range(steps):
        resid = f_lin - y
        f_lin = f_lin - step * K_train @ resid / n
        f_lin_test = f_lin_test - step * K_test @ resid / n
    for _ in range(steps):  # GD on the network itself
        act, sech2a = features(a, W, X)
        resid = act @ a / out_scale - y
        grad_a = act.T @ resid / (n * out_scale)
        grad_W = (resid[:, None] * sech2a).T @ X / (n * w_scale)
        a, W = a - step * grad_a, W - step * grad_W
    f_test = activation(X_test @ W.T / np.sqrt(d))[0] @ a / out_scale
    return np.sqrt(np.mean((f_test - f_lin_test) ** 2) / np.mean((f_lin_test - f0_test) ** 2))


gaps = np.array([np.mean([gap(m) for _ in range(n_inits)]) for m in widths])
m_ref = np.array(widths, dtype=float)

write_result(
    args,
    metrics={
        "lin_gap_slope": np.polyfit(np.log(widths), np.log(gaps), 1)[0],
    },
    curves={
        "relative net-vs-linearisation gap": series(widths, gaps),
        "m^-1 through the first point": series(
            widths, gaps[0] * (m_ref / widths[0]) ** -1.0, style="theory"
        ),
        "m^-1/2 through the first point": series(
            widths, gaps[0] * (m_ref / widths[0]) ** -0.5, style="theory"
        ),
    },
)
