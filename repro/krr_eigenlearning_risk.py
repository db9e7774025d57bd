"""Eigenlearning: ridgeless regression test error from the spectrum alone (Simon et al. 2023)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

P, a, b = 1000, 1.5, 2.5  # feature count; eigenvalues λ_k = k^-a; target power v_k² = k^-b
k = np.arange(1, P + 1)
lam, v2 = k**-a, k**-b
beta = np.sqrt(v2 / lam) * rng.choice([-1.0, 1.0], P)  # f*(x) = β·x, with x_k ~ N(0, λ_k)


def eigenlearning_mse(n):
    """Solve Σ λ_k/(λ_k + κ) = n for κ (bisection in log κ), then
    test MSE = E0 Σ (1 − L_k)² v_k² with L_k = λ_k/(λ_k + κ) and E0 = n/(n − Σ L_k²)."""
    lo, hi = -40.0, 5.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if (lam / (lam + np.exp(mid))).sum() < n else (mid, hi)
    L = lam / (lam + np.exp(lo))
    return n / (n - (L**2).sum()) * ((1 - L) ** 2 * v2).sum()


def measured_mse(n, reps):
    """Mean test MSE Σ_k λ_k (β̂_k − β_k)² of the min-norm interpolator over fresh samples."""
    errs = []
    for _ in range(reps):
        X = rng.standard_normal((n, P)) * np.sqrt(lam)
        beta_hat = X.T @ np.linalg.solve(X @ X.T, X @ beta)
        errs.append(np.sum(lam * (beta_hat - beta) ** 2))
    return np.mean(errs)


# Draws per n chosen so the Monte-Carlo error of the mean is about 1.5%.
draws = {25: 40, 50: 40, 100: 128, 200: 64} if not args.smoke else {25: 4, 50: 4, 100: 4, 200: 4}
mse = {n: measured_mse(n, r) for n, r in draws.items()}
write_result(
    args,
    metrics={
        "test_mse_n100": mse[100],
        "test_mse_n200": mse[200],
        "decay_exponent": np.log(mse[200] / mse[100]) / np.log(2),
    },
    curves={
        "min-norm regression (mean of draws)": series(list(mse), list(mse.values())),
        "eigenlearning": series(
            [20, 30, 50, 70, 100, 150, 200],
            [eigenlearning_mse(n) for n in (20, 30, 50, 70, 100, 150, 200)],
            style="theory",
        ),
        "naive: top-n modes learned, Σ_{k>n} v_k²": series(
            [20, 50, 100, 200], [v2[n:].sum() for n in (20, 50, 100, 200)], style="theory"
        ),
    },
)
