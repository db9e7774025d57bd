"""Deep linear network: each singular mode follows its own logistic curve (Saxe et al. 2014)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

lambdas = np.array(p.singular_values)
d, s0, dt, t_end = len(lambdas), p.init_scale, p.dt, p.t_end

U, _ = np.linalg.qr(rng.standard_normal((d, d)))
V, _ = np.linalg.qr(rng.standard_normal((d, d)))
target = U @ np.diag(lambdas) @ V.T
W1, W2 = s0 * V.T, s0 * U  # balanced and aligned: every mode starts at u0 = s0**2

steps = int(t_end / dt)
t_half = np.full(d, np.nan)
times, strengths = [], []
for step in range(1, steps + 1):
    residual = target - W2 @ W1
    W1, W2 = W1 + dt * W2.T @ residual, W2 + dt * residual @ W1.T
    u = np.diag(U.T @ W2 @ W1 @ V)
    crossed = np.isnan(t_half) & (u >= lambdas / 2)
    t_half[crossed] = step * dt
    if step % 100 == 0:
        times.append(step * dt)
        strengths.append(u)

strengths = np.array(strengths)
u0 = s0**2
curves = {}
for k in (0, 2, 5):
    theory = lambdas[k] / (1 + (lambdas[k] / u0 - 1) * np.exp(-2 * lambdas[k] * np.array(times)))
    curves[f"measured λ={lambdas[k]:g}"] = series(times, strengths[:, k])
    curves[f"theory λ={lambdas[k]:g}"] = series(times, theory, style="theory")

write_result(
    args,
    metrics={
        "t_half_strongest": t_half[0],
        "t_half_weakest": t_half[-1],
        "timescale_ratio": t_half[-1] / t_half[0],
    },
    curves=curves,
)
