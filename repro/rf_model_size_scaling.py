"""Random linear features on power-law data: population loss falls as N^-α (Maloney et al. 2022)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import brentq

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

P = p.data_dim  # data dimension (latent features)
Ns = np.array(p.feature_counts)
# Variance of the target's coefficient along eigendirection k: k^-target_decay (0 = generic)
target_var = np.arange(1, P + 1) ** -float(p.target_decay)


def rf_loss(lam, N):
    """Population loss of the best linear readout of N random projections of x ~ N(0, diag(lam)),
    averaged over targets with independent N(0, t_k) coefficients: tr ΣT − tr[(WᵀΣW)⁻¹ WᵀΣTΣW]."""
    if p.projection == "top-eigen":  # not random: the readout sees the N leading directions
        W = np.eye(len(lam))[:, :N]
    else:
        W = rng.standard_normal((len(lam), N))
    SW = lam[:, None] * W
    # SW itself when the target is generic: numpy then computes SWᵀSW as a symmetric product
    TSW = target_var[:, None] * SW if p.target_decay else SW
    return (target_var * lam).sum() - np.trace(np.linalg.solve(W.T @ SW, SW.T @ TSW))


def deterministic_equivalent(lam, N):
    """Σ_k t_k λ_k κ/(λ_k + κ), with κ fixed by Σ_k λ_k/(λ_k + κ) = N (random-projection
    equivalent)."""
    log_kappa = brentq(lambda s: np.sum(lam / (lam + np.exp(s))) - N, -100.0, 10.0)
    kappa = np.exp(log_kappa)
    return np.sum(target_var * (lam * kappa / (lam + kappa)))


metrics, curves = {}, {}
for alpha in (0.5, 1.5):
    lam = np.arange(1, P + 1) ** -(1.0 + alpha)
    draws = [max(p.min_draws, p.draw_budget // N) for N in Ns]
    loss = np.array(
        [np.mean([rf_loss(lam, N) for _ in range(k)]) for N, k in zip(Ns, draws, strict=True)]
    )
    theory = np.array([deterministic_equivalent(lam, N) for N in Ns])
    tag = f"alpha_{alpha:g}".replace(".", "p")
    metrics[f"slope_{tag}"] = np.polyfit(np.log(Ns), np.log(loss), 1)[0]
    large = Ns >= 4 * Ns[0]  # the equivalent is exact as N grows; skip the O(1/N) small-N end
    metrics[f"max_rel_error_{tag}"] = np.max(np.abs(loss[large] / theory[large] - 1))
    curves[f"random features α={alpha:g}"] = series(Ns, loss)
    curves[f"deterministic equivalent α={alpha:g}"] = series(Ns, theory, style="theory")

write_result(args, metrics=metrics, curves=curves)
