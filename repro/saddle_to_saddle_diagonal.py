"""Saddle-to-saddle dynamics of a diagonal linear network from small initialisation.

Network β = u ⊙ u − v ⊙ v on the population square loss L(β) = ½(β − β*)ᵀG(β − β*) of inputs
with covariance G. Gradient flow from u = v = α a (a_i near 1, from the seed) solves exactly to
u_i = α a_i e^{2r_i}, v_i = α a_i e^{−2r_i} with ṙ = −∇L(β), so that in s = 2r/ln(1/α) and the
rescaled time τ = 2t/ln(1/α):  ds/dτ = −∇L(β),  β_i = a_i²(e^{2L(s_i−1)} − e^{−2L(s_i+1)}),
L = ln(1/α). That ODE is the flow itself, integrated with an implicit solver.

Theory (α → 0, Pesme & Flammarion 2023): β jumps between constrained minimisers of L, and the
jump times follow from the recursion in `saddle_sequence`, which never integrates the flow.
"""

import numpy as np
from harness import first_time, parse_args, series, write_result
from scipy.integrate import solve_ivp
from scipy.optimize import nnls

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

rho = p.proxy_correlation
cov = np.array([[1.0, 0.0, rho], [0.0, 1.0, rho], [rho, rho, 1.0]])
target = np.array(p.target, dtype=float)
log_inv_alpha = np.log(1 / p.init_scale)
a2 = (1 + p.init_spread * rng.uniform(-1, 1, size=3)) ** 2


def loss(beta: np.ndarray) -> np.ndarray:
    """Population loss for β of shape (3,) or (3, T)."""
    err = beta - (target if beta.ndim == 1 else target[:, None])
    return 0.5 * np.einsum("i...,ij,j...->...", err, cov, err)


def saddle_sequence() -> list[tuple[float, np.ndarray]]:
    """Jump times (in τ) and saddles of the α → 0 limit.

    Each s_i moves at speed −∂_iL(β) until it reaches ±1; then β becomes the minimiser of L
    with β_i = 0 wherever |s_i| < 1 and sign(β_i) = s_i where |s_i| = 1 (a non-negative
    least-squares problem in γ_i = s_i β_i). Stops when no coordinate can reach ±1.
    """
    chol = np.linalg.cholesky(cov).T  # cov = cholᵀ chol, so L(β) = ½|chol(β − β*)|²
    s, beta, tau = np.zeros(3), np.zeros(3), 0.0
    out = [(0.0, beta.copy())]
    for _ in range(10):
        grad = cov @ (beta - target)
        hit = np.full(3, np.inf)
        for i in np.flatnonzero(np.abs(grad) > 1e-12):
            goal = -np.sign(grad[i])
            if not (abs(s[i]) > 1 - 1e-12 and np.sign(s[i]) == goal):
                hit[i] = (goal - s[i]) / -grad[i]
        i = int(np.argmin(hit))
        if not np.isfinite(hit[i]):
            break
        tau += hit[i]
        s = s - hit[i] * grad
        s[i] = -np.sign(grad[i])
        free = np.flatnonzero(np.abs(s) > 1 - 1e-12)
        gamma, _ = nnls(chol[:, free] * s[free], chol @ target)
        beta = np.zeros(3)
        beta[free] = s[free] * gamma
        out.append((tau, beta.copy()))
    return out


def beta_of(s: np.ndarray) -> np.ndarray:
    """β from s (either shape); exponents capped (β ≤ e³⁰) only to keep the solver's trial steps finite."""
    scale = a2 if s.ndim == 1 else a2[:, None]
    up = np.minimum(2 * log_inv_alpha * (s - 1), 30.0)
    down = np.minimum(-2 * log_inv_alpha * (s + 1), 30.0)
    return scale * (np.exp(up) - np.exp(down))


def velocity(_: float, s: np.ndarray) -> np.ndarray:
    return -cov @ (beta_of(s) - target)


def jacobian(_: float, s: np.ndarray) -> np.ndarray:
    up = np.minimum(2 * log_inv_alpha * (s - 1), 30.0)
    down = np.minimum(-2 * log_inv_alpha * (s + 1), 30.0)
    dbeta = a2 * 2 * log_inv_alpha * (np.exp(up) + np.exp(down))
    return -cov * dbeta[None, :]


theory = saddle_sequence()
solution = solve_ivp(
    velocity,
    (0.0, p.tau_end),
    np.zeros(3),
    method="Radau",
    jac=jacobian,
    rtol=p.rtol,
    atol=1e-12,
    dense_output=True,
)
taus = np.linspace(0.0, p.tau_end, p.grid_points)
betas = beta_of(solution.sol(taus))
losses = loss(betas)

# Jump k: first time the loss falls below the midpoint of saddle losses k − 1 and k.
saddle_losses = [float(loss(beta)) for _, beta in theory]
jumps = [
    first_time(taus, losses < 0.5 * (saddle_losses[k - 1] + saddle_losses[k]), f"drop {k}")
    for k in range(1, min(len(theory), 4))
]
# Plateau k: loss half-way in time between the predicted jumps k and k + 1.
plateaus = [
    float(np.interp(0.5 * (theory[k][0] + theory[k + 1][0]), taus, losses))
    for k in range(1, min(len(theory) - 1, 3))
]

theory_times = [tau for tau, _ in theory] + [p.tau_end]
step_x = np.repeat(theory_times, 2)[1:-1]
step_loss = np.repeat(saddle_losses, 2)
step_proxy = np.repeat([beta[2] for _, beta in theory], 2)
thin = slice(None, None, max(1, p.grid_points // 1500))
write_result(
    args,
    metrics={
        "jump1_time": jumps[0],
        "jump2_time": jumps[1] if len(jumps) > 1 else float("nan"),
        "jump3_time": jumps[2] if len(jumps) > 2 else float("nan"),
        "plateau1_loss": plateaus[0] if plateaus else float("nan"),
        "plateau2_loss": plateaus[1] if len(plateaus) > 1 else float("nan"),
        "proxy_peak_weight": float(betas[2].max()),
    },
    curves={
        "gradient flow: loss": series(taus[thin], losses[thin]),
        "saddle sequence: loss": series(step_x, step_loss, style="theory"),
        "gradient flow: proxy weight β₃": series(taus[thin], betas[2][thin]),
        "saddle sequence: proxy weight β₃": series(step_x, step_proxy, style="theory"),
    },
)
