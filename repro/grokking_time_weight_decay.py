"""Grokking in a diagonal linear network: the delay scales as 1/(weight decay)."""

import numpy as np
from harness import first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

X = rng.standard_normal((p.n_train, p.dim))
w_star = np.zeros(p.dim)
w_star[rng.choice(p.dim, p.sparsity, replace=False)] = 1.0
y = X @ w_star


def train(weight_decay: float) -> tuple[list[float], list[float]]:
    """GD on w = u*u - v*v from u = v = alpha; returns times and test errors."""
    u = np.full(p.dim, p.init_scale)
    v = np.full(p.dim, p.init_scale)
    times, errors = [], []
    for step in range(int(p.t_end / p.lr) + 1):
        w = u * u - v * v
        if step % p.record_every == 0:
            times.append(step * p.lr)
            # Population error for isotropic Gaussian inputs, relative to |w*|^2.
            errors.append(float(((w - w_star) ** 2).sum() / p.sparsity))
        grad = X.T @ (X @ w - y) / p.n_train
        u, v = (
            u - p.lr * (2 * u * grad + weight_decay * u),
            v - p.lr * (-2 * v * grad + weight_decay * v),
        )
    return times, errors


runs = [train(lam) for lam in p.weight_decays]
grok = [
    first_time(t, [e < p.threshold for e in err], f"test error below {p.threshold}")
    for t, err in runs
]
t_plateau, err_plateau = runs[0]
plateau = err_plateau[int(np.searchsorted(t_plateau, p.t_plateau))]

write_result(
    args,
    metrics={
        "grok_time_ratio": grok[0] / grok[1],
        "plateau_error": plateau,
    },
    curves={
        f"weight decay {lam:g}": series(*run)
        for lam, run in zip(p.weight_decays, runs, strict=True)
    },
)
