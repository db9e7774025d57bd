"""Random linear features on power-law data: population loss falls as N^-α (Maloney et al. 2022)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import brentq

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

P = 400 if args.smoke else 2000  # data dimension (latent features)
Ns = np.array([8, 16, 32]) if args.smoke else np.array([16, 32, 64, 128, 256])


def rf_loss(lam, N):
    """Population loss of the best linear readout of N random projections of x ~ N(0, diag(lam)),
    averaged over targets with iid N(0, 1) coefficients: tr Σ − tr[(WᵀΣW)⁻¹ WᵀΣ²W]."""
    W = rng.standard_normal((len(lam), N))
    SW = lam[:, None] * W
    return lam.sum() - np.trace(np.linalg.solve(W.T @ SW, SW.T @ SW))


def deterministic_equivalent(lam, N):
    """Σ_k λ_k κ/(λ_k + κ), with κ fixed by Σ_k λ_k/(λ_k + κ) = N (random-projection equivalent)."""
    log_kappa = brentq(lambda s: np.sum(lam / (lam + np.exp(s))) - N, -100.0, 10.0)
    kappa = np.exp(log_kappa)
    return np.sum(lam * kappa / (lam + kappa))


metrics, curves = {}, {}
for alpha in (0.5, 1.5):
    lam = np.arange(1, P + 1) ** -(1.0 + alpha)
    loss = np.array([np.mean([rf_loss(lam, N) for _ in range(max(4, 1024 // N))]) for N in Ns])
    theory = np.array([deterministic_equivalent(lam, N) for N in Ns])
    tag = f"alpha_{alpha:g}".replace(".", "p")
    metrics[f"slope_{tag}"] = np.polyfit(np.log(Ns), np.log(loss), 1)[0]
    large = Ns >= 4 * Ns[0]  # the equivalent is exact as N grows; skip the O(1/N) small-N end
    metrics[f"max_rel_error_{tag}"] = np.max(np.abs(loss[large] / theory[large] - 1))
    curves[f"random features α={alpha:g}"] = series(Ns, loss)
    curves[f"deterministic equivalent α={alpha:g}"] = series(Ns, theory, style="theory")

write_result(args, metrics=metrics, curves=curves)
