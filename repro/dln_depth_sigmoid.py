"""Deep linear networks: each mode obeys du/dt = L u^(2-2/L) (λ - u) (Saxe et al. 2014)."""

import numpy as np
from harness import Never, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

lambdas = np.array(p.singular_values)
d, u0 = len(lambdas), p.end_to_end_init
dt = p.dt  # forward-Euler step for the gradient flow
depths = p.depths


def orthogonal(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def theory_time(L, lam, frac):
    """Time for u to climb from u0 to frac*lam under du/dt = L u^(2-2/L) (lam - u)."""
    log_u = np.linspace(np.log(u0), np.log(frac * lam), 20001)  # integrate dt = du/(du/dt)
    u = np.exp(log_u)
    return np.trapezoid(u / (L * u ** (2 - 2 / L) * (lam - u)), log_u)


def prefix_products(mats):
    """[I, W1, W2 W1, ..., WL...W1]."""
    out = [np.eye(d)]
    for m in mats:
        out.append(m @ out[-1])
    return out


U, V = orthogonal(d), orthogonal(d)
target = U @ np.diag(lambdas) @ V.T
metrics, curves, half_errors = {}, {}, []
for L in depths:
    # Balanced, aligned init: every layer carries each mode with strength s0 = u0**(1/L);
    # the random orthogonal frames between layers cancel in the product. A first-layer gain
    # g ≠ 1 (last layer divided by g) keeps the product but breaks the balance.
    s0 = u0 ** (1 / L)
    frames = [V] + [orthogonal(d) for _ in range(L - 1)] + [U]
    W = [s0 * frames[i + 1] @ frames[i].T for i in range(L)]
    if p.first_layer_gain != 1:
        W[0], W[-1] = p.first_layer_gain * W[0], W[-1] / p.first_layer_gain
    t_end = 1.1 * theory_time(L, lambdas[-1], 0.9)
    crossings = {f: np.full(d, np.nan) for f in (0.1, 0.5, 0.9)}
    times, modes = [], []
    for step in range(1, int(t_end / dt) + 1):
        below = prefix_products(W)
        residual = target - below[-1]
        above = np.eye(d)  # W_L ... W_{i+1}
        for i in range(L - 1, -1, -1):
            W_i = W[i]
            W[i] = W_i + dt * above.T @ residual @ below[i].T
            above = above @ W_i
        u = np.diag(U.T @ below[-1] @ V)  # mode strengths before this step
        for f, t_cross in crossings.items():
            t_cross[np.isnan(t_cross) & (u >= f * lambdas)] = (step - 1) * dt
        if step % 50 == 0:
            times.append((step - 1) * dt)
            modes.append(u[1])
    k = 1  # the λ = 1 mode
    # A level never reached within the run is a failed prediction, not a number.
    t10, t50, t90 = (
        crossings[f][k]
        if np.isfinite(crossings[f][k])
        else Never(f"depth {L}: the λ = {lambdas[k]:g} mode never reached {f:g}λ in the run")
        for f in (0.1, 0.5, 0.9)
    )
    metrics[f"t_half_depth{L}"] = t50
    metrics[f"rise_ratio_depth{L}"] = (t90 - t10) / t50
    half_errors.extend(crossings[0.5] / [theory_time(L, lam, 0.5) for lam in lambdas] - 1)
    grid = np.linspace(0.02, 0.98, 40)
    curves[f"measured L={L}"] = series(times, np.array(modes) / lambdas[k])
    curves[f"theory L={L}"] = series(
        [theory_time(L, lambdas[k], g) for g in grid], grid, style="theory"
    )

metrics["max_half_time_error"] = (  # all depths and modes
    np.max(np.abs(half_errors))
    if np.all(np.isfinite(half_errors))
    else Never("some mode never reached half its value at some depth")
)
write_result(args, metrics=metrics, curves=curves)
