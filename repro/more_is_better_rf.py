"""With the ridge tuned, random-feature regression only improves with more features (Simon et al. 2024)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# Gaussian data with power-law covariance; linear random features z = F x, F_ij ~ N(0, 1/N),
# whose kernel z.z' averages to x.x' (eigenvalues lam, eigenfunctions the coordinates).
P, n, noise = p.n_inputs, p.n_train, p.label_noise
draws = p.draws
lam = np.arange(1, P + 1) ** -p.spectrum_exponent
v2 = np.arange(1, P + 1) ** -p.target_exponent
v2 /= v2.sum()  # target power in eigenmode i (total 1)
widths = np.array([int(n * f) for f in p.width_fractions])
ridges = n * np.logspace(*p.ridge_decades, p.n_ridges)
if not p.tune_ridge:  # every width gets the same ridge, so "tuned" below is just that ridge
    ridges = np.array([n * p.fixed_ridge])


def theory_risk(N):
    """Omniscient test risk of RF ridge regression from the eigenframework, minimised over the
    ridge. Writing both fixed-point equations in terms of gamma makes the ridge explicit:
    z = sum L_i, kappa = gamma (1 - z/N), ridge = kappa (n - z), with L_i = lam_i/(lam_i+gamma).
    N = None gives kernel ridge regression (infinitely many features)."""
    gamma = np.logspace(-8, 1, 3000)[:, None]
    L = lam / (lam + gamma)
    z, q = L.sum(1), (L**2).sum(1)
    if N is None:
        e0, bias, ok = n / (n - q), (1 - L) ** 2, z < n
    else:
        kappa = gamma[:, 0] * (1 - z / N)
        e0 = 1 / (1 - (q * (N - 2 * z) + z**2) / (n * (N - q)))
        bias = (1 - L) - (kappa * N / (N - q))[:, None] * L / (lam + gamma)
        ok = (z < n) & (z < N)
    return np.min((e0 * (bias @ v2 + noise))[ok])


def test_risk_vs_ridge(X, y, theta, Z, to_x):
    """Population test MSE of ridge regression on features Z for every ridge; to_x maps feature
    weights to the equivalent weights on x."""
    s, U = np.linalg.eigh(Z @ Z.T)
    M = to_x(Z.T @ U)  # x-space weights = M @ c, with c = U'y / (s + ridge)
    G, h = M.T @ (lam[:, None] * M), M.T @ (lam * theta)
    C = (U.T @ y)[None, :] / (s[None, :] + ridges[:, None])
    return np.einsum("ri,ij,rj->r", C, G, C) - 2 * C @ h + theta @ (lam * theta) + noise


risk = np.zeros((len(widths), len(ridges)))
risk_krr = np.zeros(len(ridges))
for _ in range(draws):
    theta = np.sqrt(v2 / lam) * rng.choice([-1.0, 1.0], P)
    X = rng.standard_normal((n, P)) * np.sqrt(lam)
    y = X @ theta + np.sqrt(noise) * rng.standard_normal(n)
    F_all = rng.standard_normal((widths.max(), P))  # nested: width N uses the first N rows
    for j, N in enumerate(widths):
        F = F_all[:N] / np.sqrt(N)
        risk[j] += test_risk_vs_ridge(X, y, theta, X @ F.T, lambda A, F=F: F.T @ A) / draws
    risk_krr += test_risk_vs_ridge(X, y, theta, X, lambda A: A) / draws

tuned = risk.min(axis=1)  # ridge tuned on the (averaged) test risk, as in the theory
theory = np.array([theory_risk(int(N)) for N in widths])
i_n = int(np.flatnonzero(widths == n)[0])
write_result(
    args,
    metrics={
        "max_rel_increase": np.max(tuned[1:] / tuned[:-1] - 1),
        "risk_ratio_8n_vs_n": tuned[-1] / tuned[i_n],
        "max_theory_deviation": np.max(np.abs(tuned / theory - 1)),
        "krr_gap_8n": tuned[-1] / risk_krr.min() - 1,
    },
    curves={
        "measured, tuned ridge": series(widths, tuned),
        "eigenframework, tuned ridge": series(widths, theory, style="theory"),
        "kernel limit (theory)": series(widths, [theory_risk(None)] * len(widths), style="theory"),
    },
)
