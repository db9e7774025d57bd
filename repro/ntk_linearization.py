"""A wide net trained by GD tracks its linearisation; the gap shrinks as 1/m (tanh, NTP)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

n, n_test, d, lr, steps = 16, 50, 5, 1.0, 100
widths, n_inits = ([64, 128], 1) if args.smoke else ([256, 512, 1024, 2048, 4096], 16)
X = rng.standard_normal((n, d))
X_test = rng.standard_normal((n_test, d))
y = np.sin(X @ rng.standard_normal(d) / np.sqrt(d) * 2)  # a smooth target of unit scale


def features(a, W, Z):
    """Per-neuron parts of f = a.tanh(W z / sqrt(d)) / sqrt(m) and of its gradient at Z."""
    act = np.tanh(Z @ W.T / np.sqrt(d))
    return act, a * (1 - act**2)


def kernel(a, W, Z1, Z2):
    act1, s1 = features(a, W, Z1)
    act2, s2 = features(a, W, Z2)
    return (act1 @ act2.T + (s1 @ s2.T) * (Z1 @ Z2.T) / d) / len(a)


def gap(m):
    """RMS test-set gap between the trained net and its trained linearisation, relative to
    the RMS change of the linearised outputs."""
    a, W = rng.standard_normal(m), rng.standard_normal((m, d))
    f0_train = np.tanh(X @ W.T / np.sqrt(d)) @ a / np.sqrt(m)
    f0_test = np.tanh(X_test @ W.T / np.sqrt(d)) @ a / np.sqrt(m)
    # GD on the linearised model, written in function space with the kernel at initialisation
    K_train, K_test = kernel(a, W, X, X), kernel(a, W, X_test, X)
    f_lin, f_lin_test = f0_train.copy(), f0_test.copy()
    for _ in range(steps):
        resid = f_lin - y
        f_lin, f_lin_test = f_lin - lr * K_train @ resid / n, f_lin_test - lr * K_test @ resid / n
    for _ in range(steps):  # GD on the network itself
        act, sech2a = features(a, W, X)
        resid = act @ a / np.sqrt(m) - y
        grad_a = act.T @ resid / (n * np.sqrt(m))
        grad_W = (resid[:, None] * sech2a).T @ X / (n * np.sqrt(m * d))
        a, W = a - lr * grad_a, W - lr * grad_W
    f_test = np.tanh(X_test @ W.T / np.sqrt(d)) @ a / np.sqrt(m)
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
