"""Quanta model: Zipf-distributed sub-tasks give loss ∝ D^(-α/(α+1)) (Michaud et al. 2023)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.special import gamma, zeta

args = parse_args(__doc__)
params = args.params
rng = np.random.default_rng(args.seed)

# Quanta beyond K are never learned: at the declared K, D·p_K << 1 on the whole grid, so this
# only truncates the sum; a small K is a model that can hold only the K most frequent quanta.
K = params.n_quanta
reps = params.reps
Ds = np.logspace(params.log10_d_min, params.log10_d_max, params.n_sizes)
uses = params.uses_to_learn  # appearances in the data after which a quantum is learned

metrics, curves = {}, {}
for alpha in (0.5, 1.0):
    b = alpha + 1
    k = np.arange(1, K + 1)
    p = k**-b / zeta(b)  # use frequencies of an infinite Zipf law
    tail = 1.0 - p.sum()  # mass of quanta beyond K; with D·p_K << 1 they stay unlearned
    losses = []
    for _ in range(reps):
        # Poissonised sampling: quantum k first appears after an Exp(1)/p_k amount of data,
        # and for the j-th time after a Gamma(j, 1)/p_k amount.
        first_seen = (rng.exponential(size=K) if uses == 1 else rng.gamma(uses, size=K)) / p
        # Each use of an unlearned quantum costs one unit of loss; learned ones cost nothing.
        losses.append([p[first_seen > D].sum() + tail for D in Ds])
    loss = np.mean(losses, axis=0)
    # Σ_k p_k e^{-D p_k} ≈ ∫ dk  =  Γ(α/(α+1)) ζ(b)^{-1/b} / b · D^{-α/(α+1)}
    amplitude = gamma(alpha / b) * zeta(b) ** (-1 / b) / b
    theory = amplitude * Ds ** (-alpha / b)
    tag = f"alpha_{alpha:g}".replace(".", "p")
    metrics[f"slope_{tag}"] = np.polyfit(np.log(Ds), np.log(loss), 1)[0]
    metrics[f"amplitude_ratio_{tag}"] = np.mean(loss / theory)
    curves[f"simulated α={alpha:g}"] = series(Ds, loss)
    curves[f"theory α={alpha:g}"] = series(Ds, theory, style="theory")

write_result(args, metrics=metrics, curves=curves)
