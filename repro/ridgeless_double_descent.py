"""Double descent of the minimum-norm least-squares interpolator (Hastie et al. 2022)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, r2, s2 = p.n_samples, p.signal, p.noise_variance  # samples, signal ‖β‖², noise variance


def excess_risk(p):
    """‖β̂ − β‖² for one draw: the excess test risk for isotropic Gaussian features."""
    beta = rng.standard_normal(p)
    beta *= np.sqrt(r2) / np.linalg.norm(beta)
    X = rng.standard_normal((n, p))
    y = X @ beta + np.sqrt(s2) * rng.standard_normal(n)
    # Least squares below the threshold, the minimum-norm interpolator X⁺y above it.
    beta_hat = np.linalg.solve(X.T @ X, X.T @ y) if p < n else X.T @ np.linalg.solve(X @ X.T, y)
    return np.sum((beta_hat - beta) ** 2)


def exact_mean(p):
    """E‖β̂ − β‖² at finite n (Wishart moments); it tends to Hastie et al.'s limit as n → ∞."""
    if p < n:
        return s2 * p / (n - p - 1)
    return r2 * (1 - n / p) + s2 * n / (p - n - 1)


def asymptotic(g):
    return s2 * g / (1 - g) if g < 1 else r2 * (1 - 1 / g) + s2 / (g - 1)


reps = p.reps
# More draws where one draw fluctuates most (relative spread ≈ 0.22 at γ = 0.5, 0.07 at γ = 2).
draws = {0.5: 4 * reps, 2.0: reps, 4.0: reps}
measured = {g: np.mean([excess_risk(round(g * n)) for _ in range(k)]) for g, k in draws.items()}
plot_gammas = [0.25, 0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0]
plot_means = [np.mean([excess_risk(round(g * n)) for _ in range(reps // 4)]) for g in plot_gammas]
theory_g = np.concatenate([np.linspace(0.05, 0.95, 40), np.linspace(1.05, 4, 60)])
write_result(
    args,
    metrics={
        "risk_gamma_0p5": measured[0.5],
        "risk_gamma_2": measured[2.0],
        "risk_gamma_4": measured[4.0],
    },
    curves={
        "min-norm least squares (mean of draws)": series(plot_gammas, plot_means),
        "Hastie et al. limit": series(theory_g, [asymptotic(g) for g in theory_g], style="theory"),
        "exact mean at this n": series(
            plot_gammas, [exact_mean(round(g * n)) for g in plot_gammas], style="theory"
        ),
    },
)
