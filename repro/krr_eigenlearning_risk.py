"""Eigenlearning: ridgeless regression test error from the spectrum alone (Simon et al. 2023)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

P, a, b = p.n_features, p.spectrum_exponent, p.target_exponent  # λ_k = k^-a; v_k² = k^-b
noise = p.label_noise  # variance of the label noise on the training targets
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
    e0 = n / (n - (L**2).sum())
    return e0 * (((1 - L) ** 2 * v2).sum() + noise) - noise  # excess risk: no noise at test


def measured_mse(n, reps):
    """Mean test MSE Σ_k λ_k (β̂_k − β_k)² of the min-norm interpolator over fresh samples."""
    errs = []
    for _ in range(reps):
        X = rng.standard_normal((n, P)) * np.sqrt(lam)
        y = X @ beta
        if noise > 0:  # the noise-free claim draws nothing here, so its samples are unchanged
            y = y + np.sqrt(noise) * rng.standard_normal(n)
        beta_hat = X.T @ np.linalg.solve(X @ X.T, y)
        errs.append(np.sum(lam * (beta_hat - beta) ** 2))
    return np.mean(errs)


# Draws per n chosen so the Monte-Carlo error of the mean is about 1.5%.
draws = {n: p.plot_draws for n in p.plot_sizes}
draws.update({p.n_small: p.draws_small, p.n_large: p.draws_large})
mse = {n: measured_mse(n, r) for n, r in draws.items()}
write_result(
    args,
    metrics={
        "test_mse_n100": mse[p.n_small],
        "test_mse_n200": mse[p.n_large],
        "decay_exponent": np.log(mse[p.n_large] / mse[p.n_small]) / np.log(p.n_large / p.n_small),
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
