"""Kernel ridgeless regression conserves total learnability: Σ_i L_i = n (Simon et al. 2023).

Each eigenfunction of a kernel on the circle is fitted by kernel regression from n random
points, and its learnability L_i = ⟨φ_i, f̂_i⟩ is measured as the generalisation of that fit on
fresh test points. The conservation law and the eigenlearning split of the budget are then
compared with these measured values.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# Kernel K(x, x') = Σ_i μ_i φ_i(x) φ_i(x') on the circle with the uniform measure, where the
# φ_i are 1, √2 cos(kx), √2 sin(kx) for k = 1..F: an orthonormal basis of its span.
F = p.max_frequency
freq = np.concatenate([[0], np.repeat(np.arange(1, F + 1), 2)])
mu = (1.0 + freq) ** -p.spectrum_exponent
P = len(mu)


def features(x):
    """φ_i(x) for every point (rows) and mode (columns)."""
    k = np.arange(1, F + 1)
    out = np.empty((len(x), P))
    out[:, 0] = 1.0
    out[:, 1::2] = np.sqrt(2) * np.cos(np.outer(x, k))
    out[:, 2::2] = np.sqrt(2) * np.sin(np.outer(x, k))
    return out


def measured_learnabilities(kernels, n):
    """Fit every φ_i from one draw of n random points by kernel (ridge) regression, for each
    list of eigenvalues in `kernels`, and return ⟨φ_i, f̂_i⟩ estimated on one draw of fresh
    uniform test points: an array (kernel, mode)."""
    train = features(rng.uniform(0, 2 * np.pi, n))
    test = features(rng.uniform(0, 2 * np.pi, p.test_points))
    out = []
    for eigenvalues in kernels:
        K = (train * eigenvalues) @ train.T
        # min-norm solution of (K + δ) c = y; lstsq also covers n > P, where K is singular
        coef = np.linalg.lstsq(K + p.ridge * np.eye(n), train, rcond=None)[0]  # n × P
        fits = (test * eigenvalues) @ (train.T @ coef)  # f̂_i at the test points
        out.append(np.mean(test * fits, axis=0))
    return np.array(out)


def eigenlearning(eigenvalues, n):
    """Predicted learnabilities λ_i/(λ_i + κ), with κ solving Σ λ/(λ + κ) + δ/κ = n."""
    lo, hi = -40.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2
        kappa = np.exp(mid)
        total = (eigenvalues / (eigenvalues + kappa)).sum() + p.ridge / kappa
        lo, hi = (lo, mid) if total < n else (mid, hi)
    return eigenvalues / (eigenvalues + np.exp(lo))


totals, curves = {}, {}
for n in p.train_sizes:
    L = np.mean([measured_learnabilities([mu], n)[0] for _ in range(p.draws)], axis=0)
    totals[n] = L.sum()
    curves[f"measured, n={n}"] = series(np.arange(1, P + 1), L)
    curves[f"eigenlearning, n={n}"] = series(np.arange(1, P + 1), eigenlearning(mu, n), "theory")

# Competition: multiply one eigenvalue by a factor, same eigenfunctions, fresh draws. What the
# boosted mode gains in learnability the other modes must lose, since both totals are n.
j, n = p.boosted_mode, p.competition_size
boosted = mu.copy()
boosted[j] *= p.boost_factor
# each draw fits both kernels on the same points, so the comparison is paired
L_before, L_after = np.mean([measured_learnabilities([mu, boosted], n) for _ in range(p.draws)], 0)
change = L_after - L_before

small, large = p.train_sizes
write_result(
    args,
    metrics={
        "total_over_n_small": totals[small] / small,
        "total_over_n_large": totals[large] / large,
        "boosted_mode_gain": change[j],
        "boosted_gain_eigenlearning": eigenlearning(boosted, n)[j] - eigenlearning(mu, n)[j],
        "zero_sum_ratio": -np.delete(change, j).sum() / change[j],
    },
    curves=curves,
)
