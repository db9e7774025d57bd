"""Neural feature ansatz: first-layer Gram matrix W1ᵀW1 versus powers of the AGOP."""

from itertools import pairwise

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)


def matrix_power(S, p):
    vals, vecs = np.linalg.eigh(S)
    return (vecs * np.clip(vals, 0, None) ** p) @ vecs.T


def pearson(A, B):
    """Correlation of two matrices' entries, as used to test the ansatz."""
    A, B = A - A.mean(), B - B.mean()
    return (A * B).sum() / (np.linalg.norm(A) * np.linalg.norm(B))


def fitted_exponent(nfm, agop, rank):
    """Slope of log(vᵀ NFM v) against log(AGOP eigenvalue) over the top AGOP eigenvectors v."""
    vals, vecs = np.linalg.eigh(agop)
    vals, vecs = vals[::-1][:rank], vecs[:, ::-1][:, :rank]
    nfm_along = np.einsum("di,de,ei->i", vecs, nfm, vecs)
    return np.polyfit(np.log(vals), np.log(nfm_along), 1)[0], vals, nfm_along


# Part 1: deep linear networks, where the ansatz is a theorem with exponent 1/L.
d_in, d_out, hidden, n, eta = 8, 4, 16, 256, 0.05
singular_values = np.array([3.0, 1.5, 0.75, 0.375])
U, _ = np.linalg.qr(rng.standard_normal((d_out, d_out)))
V, _ = np.linalg.qr(rng.standard_normal((d_in, d_out)))
teacher = U @ np.diag(singular_values) @ V.T
X = rng.standard_normal((n, d_in))
Y = X @ teacher.T

linear = {}
for depth, init_scale, steps in [(2, 1e-3, 3000), (3, 0.05, 6000)]:
    steps = 200 if args.smoke else steps
    dims = [d_in] + [hidden] * (depth - 1) + [d_out]
    Ws = [init_scale * rng.standard_normal((b, a)) for a, b in pairwise(dims)]
    for _ in range(steps):
        acts = [X.T]
        for W in Ws:
            acts.append(W @ acts[-1])
        g = (acts[-1] - Y.T) / n
        for i in reversed(range(depth)):
            grad = g @ acts[i].T
            g = Ws[i].T @ g
            Ws[i] -= eta * grad
    end_to_end = Ws[0]
    for W in Ws[1:]:
        end_to_end = W @ end_to_end
    agop = end_to_end.T @ end_to_end  # the Jacobian of a linear net is the same at every input
    nfm = Ws[0].T @ Ws[0]
    alpha, agop_vals, nfm_vals = fitted_exponent(nfm, agop, rank=len(singular_values))
    linear[depth] = (
        alpha,
        agop_vals,
        nfm_vals,
        pearson(nfm, matrix_power(agop, 0.5)),
        pearson(nfm, agop),
    )

# Part 2: a two-layer ReLU net from small init learning y = x1·x2 in d = 20.
d, width, n2, eta2 = 20, 64, 256, 0.2
steps2 = 100 if args.smoke else 2000
X2 = rng.standard_normal((n2, d))
y2 = X2[:, 0] * X2[:, 1]
W = 0.1 * rng.standard_normal((width, d)) / np.sqrt(d)
b = np.zeros(width)
a = 0.1 * rng.standard_normal(width) / np.sqrt(width)
for _ in range(steps2):
    pre = X2 @ W.T + b
    h = np.maximum(pre, 0)
    r = (h @ a - y2) / n2
    grad_pre = np.outer(r, a) * (pre > 0)
    a -= eta2 * h.T @ r
    W -= eta2 * grad_pre.T @ X2
    b -= eta2 * grad_pre.sum(0)
pre = X2 @ W.T + b
train_mse = np.mean((np.maximum(pre, 0) @ a - y2) ** 2)
input_grads = ((pre > 0) * a) @ W
agop_relu = input_grads.T @ input_grads / n2
nfm_relu = W.T @ W
top_agop = np.linalg.eigh(agop_relu)[1][:, -2:]
top_nfm = np.linalg.eigh(nfm_relu)[1][:, -2:]
overlap = np.sum((top_agop.T @ top_nfm) ** 2) / 2  # 1 = same top-2 subspace, 2/d = random

alpha2, agop_vals2, nfm_vals2, corr_sqrt2, corr_agop2 = linear[2]
alpha3, agop_vals3, nfm_vals3, corr_sqrt3, _ = linear[3]
write_result(
    args,
    metrics={
        "alpha_depth2": alpha2,
        "alpha_depth3": alpha3,
        "corr_sqrt_agop_depth2": corr_sqrt2,
        "corr_agop_depth2": corr_agop2,
        "relu_top2_subspace_overlap": overlap,
        "relu_corr_sqrt_agop": pearson(nfm_relu, matrix_power(agop_relu, 0.5)),
        "relu_corr_agop": pearson(nfm_relu, agop_relu),
        "relu_train_mse": train_mse,
    },
    curves={
        "depth 2: NFM eigenvalue": series(agop_vals2, nfm_vals2),
        "depth 2 theory: AGOP^(1/2)": series(agop_vals2, agop_vals2**0.5, style="theory"),
        "depth 3: NFM eigenvalue": series(agop_vals3, nfm_vals3),
        "depth 3 theory: AGOP^(1/3)": series(agop_vals3, agop_vals3 ** (1 / 3), style="theory"),
    },
)
