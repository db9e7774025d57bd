"""Compute-optimal width of one-pass SGD on power-law random features (Paquette et al. 2024).

Data x ~ N(0, diag(j^-2α)), j ≤ v; target y = <b, x> with b_j = j^-β; model <θ, Wᵀx> with
features Wᵀx: either the top d eigen-directions of the data ("aligned") or a Gaussian random
embedding W (v × d) as in the paper ("random"). For Gaussian data the expected loss of one-pass SGD with batch 1
obeys a closed recurrence in the eigenbasis of K = WᵀDW (d × d): with e = θ − θ_opt and
s_i = E[(Qᵀe)_i²], one step gives
    s_i ← (1 − 2γλ_i + 2γ²λ_i²) s_i + γ²λ_i (2R* + Σ_k λ_k s_k),
where R* is the best loss reachable with d features (the capacity term). The recurrence is
advanced over geometric blocks of steps (the diagonal part exactly, the noise feedback held at its
block-start value), and checked against direct SGD at one width.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

alpha, beta, gamma = p.alpha, p.beta, p.learning_rate
j = np.arange(1, p.data_dim + 1, dtype=float)
D = j ** (-2 * alpha)  # data covariance spectrum
b = j ** (-beta)  # target coefficients
widths = np.unique(np.round(np.geomspace(p.width_min, p.width_max, p.n_widths)).astype(int))
steps_grid = np.unique(np.round(np.geomspace(1, p.max_steps, 400)).astype(int))


def spectrum(W: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Eigenvalues of K, the initial error s_i(0) (θ_0 = 0) and the capacity term R*."""
    K = W.T @ (D[:, None] * W)
    lam, Q = np.linalg.eigh(K)
    lam = np.clip(lam, 1e-300, None)
    rhs = W.T @ (D * b)  # W^T D b
    theta_opt = Q @ ((Q.T @ rhs) / lam)
    total = 0.5 * float(np.sum(D * b * b))
    r_star = total - 0.5 * float(rhs @ theta_opt)
    return lam, (Q.T @ theta_opt) ** 2, r_star


def loss_curve(lam: np.ndarray, s0: np.ndarray, r_star: float) -> np.ndarray:
    """Expected population loss ½E[(y − ŷ)²] after each number of steps in ``steps_grid``."""
    a = 1 - 2 * gamma * lam + 2 * gamma**2 * lam**2
    s, done, out = s0.copy(), 0, []
    for target in steps_grid:
        m = target - done
        if m > 0:
            feedback = 2 * r_star + float(lam @ s)
            geometric = np.where(a < 1, (1 - a**m) / np.maximum(1 - a, 1e-300), m)
            s = a**m * s + gamma**2 * lam * feedback * geometric
            done = target
        out.append(r_star + 0.5 * float(lam @ s))
    return np.array(out)


def embedding(d: int, draw: np.ndarray | None) -> np.ndarray:
    """The v × d feature map: the top d data directions, or the first d columns of a draw."""
    if draw is None:
        return np.eye(p.data_dim)[:, :d]
    return draw[:, :d] / np.sqrt(d)


# Loss surface P(r, d). Random widths are nested (width d uses the first d columns of one draw)
# so that the iso-FLOP curves are smooth in d, and each point averages several draws.
aligned = p.embedding == "aligned"
draws = 1 if aligned else p.n_draws
log_loss = np.zeros((len(widths), len(steps_grid)))
for _ in range(draws):
    G = None if aligned else rng.standard_normal((p.data_dim, widths[-1]))
    for k, d in enumerate(widths):
        log_loss[k] += np.log(loss_curve(*spectrum(embedding(d, G)))) / draws

# Iso-FLOP minimisation: compute f = r·d; for each f the loss at each width is interpolated
# in log r, and the argmin over log d is refined by a parabola through the five nearest widths.
log_r = np.log(steps_grid)
flops = np.geomspace(p.flops_min, p.flops_max, p.n_budgets)
d_star, p_star = [], []
for f in flops:
    vals = np.array(
        [
            np.interp(np.log(f / d), log_r, row, left=np.inf, right=np.inf)
            for d, row in zip(widths, log_loss, strict=True)
        ]
    )
    i = int(np.clip(np.argmin(vals), 2, len(widths) - 3))
    x, y = np.log(widths[i - 2 : i + 3]), vals[i - 2 : i + 3]
    c2, c1, c0 = np.polyfit(x, y, 2)
    x_min = -c1 / (2 * c2) if c2 > 0 else x[np.argmin(y)]
    d_star.append(np.exp(x_min))
    p_star.append(np.exp(np.polyval([c2, c1, c0], x_min)))
d_star, p_star = np.array(d_star), np.array(p_star)
d_star_exponent = np.polyfit(np.log(flops), np.log(d_star), 1)[0]
loss_exponent = np.polyfit(np.log(flops), np.log(p_star), 1)[0]

# Direct check: one-pass SGD (batch 1) at one width against the recurrence, averaged over runs.
d = p.check_width
W = embedding(d, None if aligned else rng.standard_normal((p.data_dim, d)))
theory = np.exp(np.interp(np.log(p.check_steps), log_r, np.log(loss_curve(*spectrum(W)))))
theta = np.zeros((d, p.check_runs))
sqrt_d, Db = np.sqrt(D), D * b
for _ in range(p.check_steps):
    x = sqrt_d[:, None] * rng.standard_normal((p.data_dim, p.check_runs))
    residual = b @ x - np.einsum("ik,ik->k", W.T @ x, theta)
    theta += gamma * (W.T @ x) * residual
gap = b[:, None] - W @ theta
sgd_loss = float(np.mean(0.5 * np.sum(D[:, None] * gap * gap, axis=0)))

write_result(
    args,
    metrics={
        "d_star_exponent": d_star_exponent,
        "loss_exponent": loss_exponent,
        "sgd_check_rel_error": abs(sgd_loss / theory - 1),
    },
    curves={
        "compute-optimal width d*(f)": series(flops, d_star),
        "theory f^(1/(2α+1)) through the first point": series(
            flops, d_star[0] * (flops / flops[0]) ** (1 / (2 * alpha + 1)), style="theory"
        ),
        "equal split f^(1/2) through the first point": series(
            flops, d_star[0] * (flops / flops[0]) ** 0.5, style="theory"
        ),
    },
)
