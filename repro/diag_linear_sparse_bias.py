"""Diagonal linear networks: init scale α interpolates between min-ℓ1 and min-ℓ2 (Woodworth et al.)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import linprog

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, k = p.n_samples, p.dim, p.sparsity
X = rng.standard_normal((n, d))
beta_star = np.zeros(d)
beta_star[rng.choice(d, k, replace=False)] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 1.5, k)
y = X @ beta_star
lam_max = np.linalg.eigvalsh(X @ X.T / n)[-1]


def train(alpha, eta, max_steps):
    """GD on (1/2n)‖X(u⊙u − v⊙v) − y‖² from u = v = α·1, until the loss is below the
    stopping loss."""
    u, v = np.full(d, alpha), np.full(d, alpha)
    for _ in range(max_steps):
        residual = X @ (u * u - v * v) - y
        if residual @ residual / (2 * n) < p.stop_loss:
            break
        g = X.T @ residual / n
        u, v = u - 2 * eta * u * g, v + 2 * eta * v * g
    return u * u - v * v


def q_alpha_minimizer(alpha, nu=None):
    """argmin Σ α² q(β_i/α²) s.t. Xβ = y. Its solution is β = 2α² sinh(Xᵀν) (the gradient-flow
    trajectory stays in this family); ν solves the convex dual, here by damped Newton.
    Returns β and ν (a good starting ν for a nearby α)."""
    nu = np.zeros(n) if nu is None else nu
    dual = lambda nu: 2 * alpha**2 * np.cosh(X.T @ nu).sum() - y @ nu  # noqa: E731
    for _ in range(500):
        z = X.T @ nu
        grad = X @ (2 * alpha**2 * np.sinh(z)) - y
        if np.linalg.norm(grad) < 1e-12 * np.linalg.norm(y):
            break
        hess = (X * (2 * alpha**2 * np.cosh(z))) @ X.T
        step = np.linalg.solve(hess, grad)
        t = 1.0
        with np.errstate(over="ignore"):  # a too-long trial step gives inf, which is rejected
            while dual(nu - t * step) > dual(nu) - 0.25 * t * grad @ step and t > 1e-10:
                t /= 2
        nu = nu - t * step
    return 2 * alpha**2 * np.sinh(X.T @ nu), nu


# Minimum-ℓ1 interpolator as a linear program over (β⁺, β⁻) ≥ 0.
lp = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
beta_l1 = lp.x[:d] - lp.x[d:]
beta_l2 = np.linalg.pinv(X) @ y


def rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# Rich end: coordinates switched on during the saddle-to-saddle phase and then switched off
# decay only like 1/t, so this run takes a larger (still stable) step and a fixed budget.
alpha_rich = p.alpha_rich
budget = p.max_steps
beta_rich = train(alpha_rich, p.rich_step / lam_max, budget)
# Elsewhere GD converges linearly; a small step keeps its O(η) offset from the flow small.
alphas = np.array(p.alphas)
gd = {a: train(a, p.step / (lam_max * max(a**2, 1.0)), budget) for a in alphas}
grid, theory_l1, nu = np.logspace(1, -6, 15), [], None
for a in grid:  # from large α down, each solve starting from the previous dual point
    beta, nu = q_alpha_minimizer(a, nu)
    theory_l1.append(np.abs(beta).sum())
write_result(
    args,
    metrics={
        "dist_l1_small_alpha": rel(beta_rich, beta_l1),
        "dist_l2_large_alpha": rel(gd[alphas.max()], beta_l2),
        "max_dist_q_alpha": max(rel(gd[a], q_alpha_minimizer(a)[0]) for a in alphas),
        "l1_recovers_target": rel(beta_l1, beta_star),
        "dist_l2_to_l1": rel(beta_l2, beta_l1),
    },
    curves={
        "GD: ‖β‖₁": series(
            [alpha_rich, *alphas], [np.abs(b).sum() for b in (beta_rich, *gd.values())]
        ),
        "theory: ‖β‖₁ of the Q_α minimiser": series(grid[::-1], theory_l1[::-1], style="theory"),
        "min-ℓ1 interpolator": series(grid[[0, -1]], [np.abs(beta_l1).sum()] * 2, style="theory"),
        "min-ℓ2 interpolator": series(grid[[0, -1]], [np.abs(beta_l2).sum()] * 2, style="theory"),
    },
)
