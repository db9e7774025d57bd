"""Depth-to-width effects: the log-norm of a deep random net is a random walk (Hanin & Nica)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.special import comb, digamma, polygamma

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n_nets, width, depth = p.networks, p.width, p.depth


def log_norms(relu):
    """ln(|h_l|^2 / |h_0|^2) for l = 0..depth; rows are layers, columns independent nets."""
    sw2 = 2.0 if relu else 1.0  # He scale for ReLU, variance-preserving scale for linear
    h = rng.standard_normal((n_nets, width, 1))
    logs = [np.zeros(n_nets)]
    norm0 = np.sum(h**2, axis=(1, 2))
    for _ in range(depth):
        W = rng.standard_normal((n_nets, width, width)) * np.sqrt(sw2 / width)
        h = W @ (np.maximum(h, 0.0) if relu else h)
        logs.append(np.log(np.sum(h**2, axis=(1, 2)) / norm0))
    return np.array(logs)


# Exact per-layer laws. Linear: |W u|^2/|u|^2 = chi2_n / n, so Var ln = psi1(n/2).
# ReLU (sw2 = 2): |relu(h_l)|^2 = (2/n) |relu(h_{l-1})|^2 chi2_K with K ~ Bin(n, 1/2) active units,
# so Var ln = E psi1(K/2) + Var psi(K/2); the walk has `depth` uncorrelated steps of this variance.
k = np.arange(1, width + 1)
pk = comb(width, k) / 2.0**width  # Bin(n, 1/2); K = 0 (a dead layer) has probability 2^-n
var_lin = polygamma(1, width / 2)
var_relu = pk @ polygamma(1, k / 2) + pk @ digamma(k / 2) ** 2 - (pk @ digamma(k / 2)) ** 2

lin, relu = log_norms(False), log_norms(True)
layers = np.arange(depth + 1)

write_result(
    args,
    metrics={
        "var_log_norm_linear": np.var(lin[-1], ddof=1),
        "var_log_norm_relu": np.var(relu[-1], ddof=1),
        "per_layer_var_relu": np.var(np.diff(relu, axis=0), ddof=1),
        "mean_log_norm_relu": np.mean(relu[-1]),
    },
    curves={
        "linear, theory l*psi1(n/2)": series(layers, layers * var_lin, style="theory"),
        "linear, measured": series(layers, np.var(lin, axis=1, ddof=1)),
        "ReLU, theory l*V_K": series(layers, layers * var_relu, style="theory"),
        "ReLU, measured": series(layers, np.var(relu, axis=1, ddof=1)),
    },
)
