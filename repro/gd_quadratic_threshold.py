"""GD on a quadratic is stable iff η < 2/λmax and contracts by max_i |1 − ηλ_i| per step."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d = p.dim
A = rng.standard_normal((d, p.aspect * d))
H = A @ A.T / (p.aspect * d)  # Wishart Hessian of L(θ) = ½ θᵀHθ, condition number ≈ 34
eigs = np.linalg.eigvalsh(H)
lam_max = eigs[-1]
theta0 = rng.standard_normal(d)


def log_norm_growth(eta, steps):
    """log(‖θ_t‖/‖θ_0‖) along GD (heavy-ball momentum if p.momentum > 0); the state is rescaled
    every step (the map is linear) to avoid overflow."""
    theta, total, out = theta0 / np.linalg.norm(theta0), 0.0, []
    prev = theta.copy()
    for _ in range(steps):
        new = theta - eta * (H @ theta)
        if p.momentum:
            new = new + p.momentum * (theta - prev)
        size = np.linalg.norm(new)
        total += np.log(size)
        theta, prev = new / size, theta / size
        out.append(total)
    return np.array(out)


# Critical step size by bisection in log η: GD diverges iff ‖θ_T‖ > ‖θ_0‖ after T steps.
T = p.steps
lo, hi = p.bisection_low / lam_max, p.bisection_high / lam_max
for _ in range(p.bisection_steps):
    mid = np.sqrt(lo * hi)
    lo, hi = (lo, mid) if log_norm_growth(mid, T)[-1] > 0 else (mid, hi)
eta_crit = np.sqrt(lo * hi)

# Contraction per step over the second half of a run, against max_i |1 − ηλ_i|.
grid = np.linspace(*p.rate_grid)
measured, predicted = [], []
for x in grid:
    growth = log_norm_growth(x / lam_max, T)
    measured.append(np.exp((growth[-1] - growth[T // 2 - 1]) / (T - T // 2)))
    predicted.append(np.max(np.abs(1 - x / lam_max * eigs)))
measured, predicted = np.array(measured), np.array(predicted)

write_result(
    args,
    metrics={
        "eta_crit_times_lambda_max": eta_crit * lam_max,
        "max_rate_error": np.max(np.abs(measured - predicted)),
    },
    curves={
        "measured contraction per step": series(grid, measured),
        "max_i |1 − ηλ_i|": series(grid, predicted, style="theory"),
    },
)
