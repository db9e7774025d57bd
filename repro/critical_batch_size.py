"""Steps vs examples to reach a target loss trade off on a hyperbola set by the gradient noise
scale (McCandlish et al. 2018)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

# Online least squares: x ~ N(0, diag(lam)), y = x . theta* + noise, fresh data at every step.
d, sigma2, replicas = 50, 0.25, 32
lam = 1.0 / np.arange(1, d + 1)
theta_star = rng.standard_normal(d)
batches = 2 ** np.arange(0, 7 if args.smoke else 11)
target = 0.05 * 0.5 * lam @ theta_star**2  # 5% of the initial excess loss


def noise_scale_terms(e):
    """|G|^2, G^T H G and tr(H Sigma) for errors e = theta - theta* (rows: replicas), averaged.
    For Gaussian inputs the per-example gradient covariance is (e'He + s2) H + H e e' H."""
    quad = (e**2) @ lam
    g2 = np.mean((e**2) @ lam**2)
    ghg = np.mean((e**2) @ lam**3)
    tr_h_sigma = np.mean(quad + sigma2) * np.sum(lam**2) + ghg
    return g2, ghg, tr_h_sigma


def optimal_lr(e, batch):
    """McCandlish et al.'s optimal step for a quadratic: eps_max / (1 + B_noise / B)."""
    g2, ghg, tr_h_sigma = noise_scale_terms(e)
    return (g2 / ghg) / (1 + (tr_h_sigma / ghg) / batch)


def steps_to_target(batch):
    e = np.tile(-theta_star, (replicas, 1))
    steps = 0
    while 0.5 * np.mean((e**2) @ lam) > target:
        lr = optimal_lr(e, batch)
        X = rng.standard_normal((replicas, batch, d)) * np.sqrt(lam)
        residual = np.einsum("rbd,rd->rb", X, e) - np.sqrt(sigma2) * rng.standard_normal(
            (replicas, batch)
        )
        e = e - lr / batch * np.einsum("rbd,rb->rd", X, residual)
        steps += 1
    return steps


# Infinite batch (exact gradient, exact line search): S_min, and the noise scale along its path.
e, s_min, path_noise = -theta_star[None, :], 0, []
while 0.5 * (e[0] ** 2) @ lam > target:
    g2, ghg, tr_h_sigma = noise_scale_terms(e)
    path_noise.append(tr_h_sigma / ghg)
    e = e - (g2 / ghg) * lam * e
    s_min += 1

steps = np.array([steps_to_target(int(b)) for b in batches], dtype=float)
examples = steps * batches
e_min = examples.min()
b_crit = e_min / s_min
# Hyperbola (S/S_min - 1)(E/E_min - 1) = 1  <=>  S = S_min (1 + B_crit / B): S(B_crit) = 2 S_min.
s_at_bcrit = np.exp(np.interp(np.log(b_crit), np.log(batches), np.log(steps)))
write_result(
    args,
    metrics={
        "steps_ratio_at_bcrit": s_at_bcrit / s_min,
        "bcrit_over_path_noise_scale": b_crit / np.mean(path_noise),
        "critical_batch": b_crit,
    },
    curves={
        "measured": series(examples / e_min, steps / s_min),
        "hyperbola (S/Smin − 1)(E/Emin − 1) = 1": series(
            1 + batches / b_crit, 1 + b_crit / batches, style="theory"
        ),
    },
)
