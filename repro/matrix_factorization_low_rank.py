"""GD on a deep matrix factorisation from small init completes a low-rank matrix (Gunasekar et al.)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

N, rank, n_obs = p.size, p.rank, p.n_observed
eta, steps = p.lr, p.steps
M = rng.standard_normal((N, rank)) @ rng.standard_normal((rank, N))
M /= np.linalg.norm(M, 2)  # top singular value 1
mask = np.zeros(N * N, bool)
mask[rng.choice(N * N, n_obs, replace=False)] = True
mask = mask.reshape(N, N)


def train(depth, init):
    """GD on ½ Σ_observed (W_depth ... W_1 − M)², all factors N×N (no rank constraint)."""
    Ws = [init * rng.standard_normal((N, N)) for _ in range(depth)]
    for _ in range(steps):
        below = [np.eye(N)]
        for W in Ws:
            below.append(W @ below[-1])
        residual = mask * (below[-1] - M)
        above = np.eye(N)
        for i in range(depth - 1, -1, -1):
            W_i = Ws[i]
            Ws[i] = W_i - eta * above.T @ residual @ below[i].T
            above = above @ W_i
    product = np.eye(N)
    for W in Ws:
        product = W @ product
    return product


def recovery_error(W):
    return np.linalg.norm(W - M) / np.linalg.norm(M)


def tail_energy(W):
    """Fraction of ‖W‖_F² outside the top `rank` singular values."""
    s = np.linalg.svd(W, compute_uv=False)
    return (s[rank:] ** 2).sum() / (s**2).sum()


def min_nuclear_norm_completion(iters):
    """argmin ‖X‖_* subject to X = M on the observed entries (ADMM with unit penalty)."""
    Z, U = mask * M, np.zeros_like(M)
    for _ in range(iters):
        u, s, vt = np.linalg.svd(Z - U)
        X = (u * np.maximum(s - 1.0, 0)) @ vt  # singular-value shrinkage
        Z = np.where(mask, M, X + U)
        U += X - Z
    return X


inits = p.init_scales_depth2  # the last one is judged
depth2 = [train(2, s) for s in inits]
depth3 = train(p.deep_depth, p.init_scale_depth3)
zero_fill = mask * M  # the minimum-Frobenius-norm completion
write_result(
    args,
    metrics={
        "rec_error_depth2": recovery_error(depth2[-1]),
        "rec_error_depth3": recovery_error(depth3),
        "tail_energy_depth2": tail_energy(depth2[-1]),
        "tail_energy_depth3": tail_energy(depth3),
        "rec_error_zero_fill": recovery_error(zero_fill),
        "rec_error_nuclear_norm": recovery_error(min_nuclear_norm_completion(p.admm_iterations)),
        "tail_energy_zero_fill": tail_energy(zero_fill),
    },
    curves={
        "depth 2: recovery error": series(inits, [recovery_error(W) for W in depth2]),
        f"depth 3 (init {p.init_scale_depth3:g})": series(
            [p.init_scale_depth3], [recovery_error(depth3)]
        ),
    },
)
