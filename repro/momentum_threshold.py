"""Stability thresholds of momentum methods on a quadratic: heavy ball, EMA momentum, Nesterov."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d, samples = p.dim, p.samples_per_dim * p.dim
A = rng.standard_normal((d, samples))
H = A @ A.T / samples  # Wishart Hessian of L(θ) = ½ θᵀHθ
lam_max = np.linalg.eigvalsh(H)[-1]
theta0 = rng.standard_normal(d)
T = p.horizon
# PyTorch-style dampening: heavy ball and Nesterov add (1 - dampening) times the gradient.
damped = 1 - p.dampening


def log_growth(method, eta, beta):
    """log(‖θ_T‖/‖θ_0‖) for one optimizer. Both state vectors are rescaled together every step
    (the update is linear), so a divergent run never overflows."""
    theta, buf, total = theta0 / np.linalg.norm(theta0), np.zeros(d), 0.0
    for _ in range(T):
        if method == "heavy_ball":  # θ' = θ − ηg + β(θ − θ_prev); buf holds θ − θ_prev
            buf = beta * buf - damped * eta * (H @ theta)
            theta = theta + buf
        elif method == "ema":  # m' = βm + (1 − β)g, θ' = θ − ηm'
            buf = beta * buf + (1 - beta) * (H @ theta)
            theta = theta - eta * buf
        else:  # Nesterov: v' = βv − η∇L(θ + βv), θ' = θ + v'
            buf = beta * buf - damped * eta * (H @ (theta + beta * buf))
            theta = theta + buf
        size = np.linalg.norm(theta) + np.linalg.norm(buf)
        total += np.log(size)
        theta, buf = theta / size, buf / size
    return total


def critical_eta_times_lambda(method, beta):
    lo, hi = p.search_range[0] / lam_max, p.search_range[1] / lam_max
    for _ in range(p.bisection_steps):
        mid = np.sqrt(lo * hi)
        lo, hi = (lo, mid) if log_growth(method, mid, beta) > 0 else (mid, hi)
    return np.sqrt(lo * hi) * lam_max


betas = np.array(p.betas)  # the metrics name them: 0, 0.5, 0.9
heavy = [critical_eta_times_lambda("heavy_ball", b) for b in betas]
nesterov = [critical_eta_times_lambda("nesterov", b) for b in betas[1:]]
fine = np.linspace(0, 0.9, 46)

write_result(
    args,
    metrics={
        "gd_threshold": heavy[0],
        "heavy_ball_beta_0p5": heavy[1],
        "heavy_ball_beta_0p9": heavy[2],
        "nesterov_beta_0p5": nesterov[0],
        "nesterov_beta_0p9": nesterov[1],
        "ema_momentum_beta_0p9": critical_eta_times_lambda("ema", p.ema_beta),
    },
    curves={
        "heavy ball, measured": series(betas, heavy),
        "heavy ball, 2 + 2β": series(fine, 2 + 2 * fine, style="theory"),
        "Nesterov, measured": series(betas, [heavy[0], *nesterov]),
        "Nesterov, (2 + 2β)/(1 + 2β)": series(
            fine, (2 + 2 * fine) / (1 + 2 * fine), style="theory"
        ),
    },
)
