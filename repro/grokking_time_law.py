"""Grokking time law in a diagonal linear network: the jump comes at t ≈ ln(α)/λ (Lyu et al. 2024)."""

import numpy as np
from harness import first_time, parse_args, series, write_result
from scipy.integrate import solve_ivp

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, k = p.samples, p.dim, p.sparsity
X = rng.standard_normal((n, d))
w_star = np.zeros(d)
w_star[rng.choice(d, k, replace=False)] = rng.choice([-1.0, 1.0], k)
y = X @ w_star
H, Xty = X.T @ X / n, X.T @ y / n
times = np.linspace(0.0, p.t_end, p.grid_points)


def train(alpha, lam):
    """Gradient flow on (u, v) for L(u⊙u − v⊙v) + (λ/2)(‖u‖² + ‖v‖²) from u = v = α·1.

    A stiff solver (BDF with the exact Hessian) follows the flow: the lazy phase relaxes at a
    rate ∝ α², the weight-decay drift at a rate ∝ λ, and an explicit step would need ~α²/λ steps.
    """

    def field(_t, z):
        u, v = z[:d], z[d:]
        g = H @ (u * u - v * v) - Xty
        return np.concatenate([-2 * u * g - lam * u, 2 * v * g - lam * v])

    def jacobian(_t, z):
        u, v = z[:d], z[d:]
        g = H @ (u * u - v * v) - Xty
        uu, uv, vv = 4 * u[:, None] * H * u, 4 * u[:, None] * H * v, 4 * v[:, None] * H * v
        top = np.hstack([-uu - np.diag(2 * g + lam), uv])
        bottom = np.hstack([uv.T, -vv + np.diag(2 * g - lam)])
        return np.vstack([top, bottom])

    z0 = np.full(2 * d, float(alpha))
    sol = solve_ivp(
        field, (0.0, p.t_end), z0, method="BDF", jac=jacobian, t_eval=times, rtol=1e-8, atol=1e-10
    )
    w = sol.y[:d] ** 2 - sol.y[d:] ** 2
    test = ((w - w_star[:, None]) ** 2).sum(0) / (w_star @ w_star)  # population risk, x ~ N(0, I)
    train_loss = ((X @ w - y[:, None]) ** 2).mean(0) / 2
    return test, train_loss


(a1, a2), (l1, l2) = p.init_scales, p.weight_decays
runs = {(a1, l1): train(a1, l1), (a1, l2): train(a1, l2), (a2, l1): train(a2, l1)}
level = p.generalised_test_error


def grok_time(key):
    test = runs[key][0]
    return first_time(times, test <= level, f"test error ≤ {level} at α = {key[0]}, λ = {key[1]}")


t11, t12, t21 = grok_time((a1, l1)), grok_time((a1, l2)), grok_time((a2, l1))
fit = first_time(times, runs[a1, l1][1] <= 1e-3 * runs[a1, l1][1][0], "training loss fell 1000×")
curves = {}
for (alpha, lam), (test, _) in runs.items():
    curves[f"test error, α = {alpha:g}, λ = {lam:g}"] = series(times[1:], test[1:])
write_result(
    args,
    metrics={
        "grok_time_a1_l1": t11,
        "grok_time_a1_l2": t12,
        "grok_time_a2_l1": t21,
        "fit_time_a1_l1": fit,
        "lambda_time_ratio": t11 / t12,
        "alpha_shift_log_units": l1 * (t21 - t11) / np.log(a2 / a1),
        "grok_time_over_law": l1 * t21 / np.log(a2),
        "final_test_error": runs[a1, l1][0][-1],
    },
    curves=curves,
)
