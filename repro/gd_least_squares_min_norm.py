"""Gradient descent on underdetermined least squares converges to X⁺y + (I − X⁺X) w0."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d = p.n_samples, p.dim
steps = p.steps
X = rng.standard_normal((n, d))
y = X @ (rng.standard_normal(d) / np.sqrt(d))
eigs = np.linalg.eigvalsh(X @ X.T / n)  # the nonzero spectrum of the Hessian XᵀX/n
eta = p.step_times_lambda_max / eigs[-1]

pinv_y = np.linalg.pinv(X) @ y  # minimum-norm interpolator


def run_gd(w0):
    """GD on (1/2n)‖Xw − y‖² (+ weight decay if set): without decay every gradient lies in
    the row space of X."""
    w, path = w0.copy(), [w0.copy()]
    for _ in range(steps):
        w = w - eta * X.T @ (X @ w - y) / n
        if p.weight_decay:
            w = w - eta * p.weight_decay * w
        path.append(w)
    return np.array(path)


w0 = rng.standard_normal(d) / np.sqrt(d)
null_part = w0 - np.linalg.pinv(X) @ (X @ w0)
predicted = pinv_y + null_part  # X⁺y plus the untouched null-space part of the init

zero_path = run_gd(np.zeros(d))
rand_path = run_gd(w0)
err = np.linalg.norm(rand_path - predicted, axis=1)
t1, t2 = p.rate_window  # late enough for the slowest mode to dominate, still above round-off
rate = (err[t2] / err[t1]) ** (1 / (t2 - t1))
rate_mp = 1 - ((1 - np.sqrt(n / d)) / (1 + np.sqrt(n / d))) ** 2

write_result(
    args,
    metrics={
        "rel_err_zero_init": np.linalg.norm(zero_path[-1] - pinv_y) / np.linalg.norm(pinv_y),
        "rel_err_random_init": err[-1] / np.linalg.norm(predicted),
        "contraction_rate": rate,
        "contraction_rate_exact": 1 - eigs[0] / eigs[-1],
    },
    curves={
        "‖w_t − (X⁺y + P_null w0)‖": series(range(steps + 1), err),
        "‖w_t − X⁺y‖ (init forgotten?)": series(
            range(steps + 1), np.linalg.norm(rand_path - pinv_y, axis=1)
        ),
        "Marchenko–Pastur rate": series(
            range(t2 + 50), err[0] * rate_mp ** np.arange(t2 + 50), style="theory"
        ),
    },
)
