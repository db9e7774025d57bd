"""Variance-limited scaling: a fixed-size linear model's excess risk falls exactly like 1/n."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
params = args.params
rng = np.random.default_rng(args.seed)

p, sigma2 = params.n_features, params.noise_variance
trials = params.trials
ns = p * np.array(params.size_multiples)
ridge = params.ridge  # penalty per sample; 0 is ordinary least squares

# An anisotropic (power-law) covariance: the variance-limited law must not care about it.
eigs = np.arange(1, p + 1) ** -float(params.spectrum_exponent)
w_star = rng.standard_normal(p)

risk = []
for n in ns:
    errors = np.empty(trials)
    for t in range(trials):
        X = rng.standard_normal((n, p)) * np.sqrt(eigs)
        y = X @ w_star + np.sqrt(sigma2) * rng.standard_normal(n)
        if params.omitted_variance:  # a signal the p features cannot see acts as extra noise
            y += np.sqrt(params.omitted_variance) * rng.standard_normal(n)
        gram = X.T @ X + n * ridge * np.eye(p) if ridge else X.T @ X
        w_hat = np.linalg.solve(gram, X.T @ y)  # ordinary least squares unless ridge > 0
        errors[t] = np.sum(eigs * (w_hat - w_star) ** 2)  # population excess risk
    risk.append(errors.mean())
risk = np.array(risk)

theory = sigma2 * p / (ns - p - 1)  # inverse-Wishart mean: E tr[(X^T X)^-1 Sigma] = p/(n-p-1)
slope = np.polyfit(np.log(ns - p - 1), np.log(risk), 1)[0]
ratio = risk / theory

write_result(
    args,
    metrics={
        "slope_vs_effective_n": slope,
        "max_rel_error_vs_exact": np.max(np.abs(ratio - 1)),
        "asymptotic_coefficient_ratio": risk[-1] * (ns[-1] - p - 1) / (sigma2 * p),
    },
    curves={
        "measured excess risk": series(ns, risk),
        "exact σ²p/(n−p−1)": series(ns, theory, style="theory"),
    },
)
