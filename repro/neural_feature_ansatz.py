"""Neural feature ansatz: first-layer Gram matrix W1ᵀW1 versus powers of the AGOP."""

from itertools import pairwise

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
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
d_in, hidden, n, eta = p.linear_input_dim, p.linear_width, p.linear_samples, p.linear_lr
singular_values = np.array(p.teacher_singular_values)
d_out = len(singular_values)
U, _ = np.linalg.qr(rng.standard_normal((d_out, d_out)))
V, _ = np.linalg.qr(rng.standard_normal((d_in, d_out)))
teacher = U @ np.diag(singular_values) @ V.T
X = rng.standard_normal((n, d_in))
Y = X @ teacher.T

linear = {}
linear_runs = [
    (p.shallow_depth, p.shallow_init_scale, p.shallow_steps),
    (p.deep_depth, p.deep_init_scale, p.deep_steps),
]
for run, (depth, init_scale, steps) in enumerate(linear_runs):
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
    linear[run] = (
        alpha,
        agop_vals,
        nfm_vals,
        pearson(nfm, matrix_power(agop, 0.5)),
        pearson(nfm, agop),
    )

# Part 2: a two-layer ReLU net from small init learning y = x1·x2 in d = 20.
d, width, n2, eta2 = p.relu_input_dim, p.relu_width, p.relu_samples, p.relu_lr
steps2, relu_init = p.relu_steps, p.relu_init_scale
X2 = rng.standard_normal((n2, d))
y2 = X2[:, 0] * X2[:, 1]
W = relu_init * rng.standard_normal((width, d)) / np.sqrt(d)
b = np.zeros(width)
a = relu_init * rng.standard_normal(width) / np.sqrt(width)
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

alpha2, agop_vals2, nfm_vals2, corr_sqrt2, corr_agop2 = linear[0]
alpha3, agop_vals3, nfm_vals3, corr_sqrt3, _ = linear[1]
L2, L3 = p.shallow_depth, p.deep_depth
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
        f"depth {L2}: NFM eigenvalue": series(agop_vals2, nfm_vals2),
        f"depth {L2} theory: AGOP^(1/{L2})": series(agop_vals2, agop_vals2 ** (1 / L2), "theory"),
        f"depth {L3}: NFM eigenvalue": series(agop_vals3, nfm_vals3),
        f"depth {L3} theory: AGOP^(1/{L3})": series(agop_vals3, agop_vals3 ** (1 / L3), "theory"),
    },
)
