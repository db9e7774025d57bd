"""Steps vs examples to reach a target loss trade off on a hyperbola set by the gradient noise
scale (McCandlish et al. 2018)."""

import numpy as np
from harness import Never, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# Online least squares: x ~ N(0, diag(lam)), y = x . theta* + noise, fresh data at every step.
d, sigma2, replicas = p.dim, p.label_noise_var, p.replicas
lam = 1.0 / np.arange(1, d + 1)
theta_star = rng.standard_normal(d)
batches = 2 ** np.arange(p.smallest_batch_exponent, p.largest_batch_exponent + 1)
target = p.target_fraction * 0.5 * lam @ theta_star**2  # a fraction of the initial excess loss


def noise_scale_terms(e):
    """|G|^2, G^T H G and tr(H Sigma) for errors e = theta - theta* (rows: replicas), averaged.
    For Gaussian inputs the per-example gradient covariance is (e'He + s2) H + H e e' H. Used
    only for the infinite-batch run and for the noise scale the result is compared with."""
    quad = (e**2) @ lam
    g2 = np.mean((e**2) @ lam**2)
    ghg = np.mean((e**2) @ lam**3)
    tr_h_sigma = np.mean(quad + sigma2) * np.sum(lam**2) + ghg
    return g2, ghg, tr_h_sigma


def minibatch_gradients(e, batch, count=1):
    """`count` independent minibatch gradients of size `batch` per replica, shape (r, count, d)."""
    X = rng.standard_normal((replicas, count, batch, d)) * np.sqrt(lam)
    noise = np.sqrt(sigma2) * rng.standard_normal((replicas, count, batch))
    residual = np.einsum("rcbd,rd->rcb", X, e) - noise
    return np.einsum("rcbd,rcb->rcd", X, residual) / batch


def step_size(e, batch):
    """The learning rate of this step, chosen without the noise-scale formula.

    Line search: the step that minimises the replicas' mean loss after a step along fresh probe
    minibatch gradients g, i.e. mean(g·∇L) / mean(gᵀHg), measured on independent probe draws
    (at least ``probe_examples`` examples per replica, so that the heavy-tailed gᵀHg of tiny
    batches is averaged before the ratio is taken).
    With ``noise_aware_step`` off, the step is the one that is optimal for the exact gradient,
    |∇L|²/∇LᵀH∇L, blind to the noise of a minibatch."""
    grad_true = e * lam
    if not p.noise_aware_step:
        return np.sum(grad_true**2) / np.sum(grad_true**2 * lam)
    g = minibatch_gradients(e, batch, -(-p.probe_examples // batch))
    return np.einsum("rcd,rd->", g, grad_true) / np.einsum("rcd,d->", g**2, lam)


def steps_to_target(batch):
    """Steps until the replica-mean excess loss reaches the target, or inf if it does not
    within ``max_steps`` (or blows up)."""
    e = np.tile(-theta_star, (replicas, 1))
    start = 0.5 * np.mean((e**2) @ lam)
    for steps in range(p.max_steps + 1):
        loss = 0.5 * np.mean((e**2) @ lam)
        if loss <= target:
            return steps
        if not loss < 1e6 * start:
            break
        lr = p.step_multiplier * step_size(e, batch)
        e = e - lr * minibatch_gradients(e, batch)[:, 0]
    return np.inf


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
reached = np.isfinite(steps)
# Batch sizes that never reach the target have S = inf; if that leaves nothing to measure, the
# metrics are absent (failed predictions) rather than inf or NaN.
never = Never(f"the target was not reached within {p.max_steps} steps at the batch sizes needed")
write_result(
    args,
    metrics={
        "steps_ratio_at_bcrit": s_at_bcrit / s_min if np.isfinite(s_at_bcrit) else never,
        "bcrit_over_path_noise_scale": b_crit / np.mean(path_noise)
        if np.isfinite(b_crit)
        else never,
        "critical_batch": b_crit if np.isfinite(b_crit) else never,
    },
    curves={
        "measured": series(examples[reached] / e_min, steps[reached] / s_min),
        "hyperbola (S/Smin − 1)(E/Emin − 1) = 1": series(
            1 + batches / b_crit, 1 + b_crit / batches, style="theory"
        ),
    },
)
