"""Stability thresholds of momentum methods on a quadratic: heavy ball, EMA momentum, Nesterov."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

d = 20 if args.smoke else 50
A = rng.standard_normal((d, 2 * d))
H = A @ A.T / (2 * d)  # Wishart Hessian of L(θ) = ½ θᵀHθ
lam_max = np.linalg.eigvalsh(H)[-1]
theta0 = rng.standard_normal(d)
T = 300 if args.smoke else 1000


def log_growth(method, eta, beta):
    """log(‖θ_T‖/‖θ_0‖) for one optimizer. Both state vectors are rescaled together every step
    (the update is linear), so a divergent run never overflows."""
    theta, buf, total = theta0 / np.linalg.norm(theta0), np.zeros(d), 0.0
    for _ in range(T):
        if method == "heavy_ball":  # θ' = θ − ηg + β(θ − θ_prev); buf holds θ − θ_prev
            buf = beta * buf - eta * (H @ theta)
            theta = theta + buf
        elif method == "ema":  # m' = βm + (1 − β)g, θ' = θ − ηm'
            buf = beta * buf + (1 - beta) * (H @ theta)
            theta = theta - eta * buf
        else:  # Nesterov: v' = βv − η∇L(θ + βv), θ' = θ + v'
            buf = beta * buf - eta * (H @ (theta + beta * buf))
            theta = theta + buf
        size = np.linalg.norm(theta) + np.linalg.norm(buf)
        total += np.log(size)
        theta, buf = theta / size, buf / size
    return total


def critical_eta_times_lambda(method, beta):
    lo, hi = 0.5 / lam_max, 100.0 / lam_max
    for _ in range(18):
        mid = np.sqrt(lo * hi)
        lo, hi = (lo, mid) if log_growth(method, mid, beta) > 0 else (mid, hi)
    return np.sqrt(lo * hi) * lam_max


betas = np.array([0.0, 0.5, 0.9])
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
        "ema_momentum_beta_0p9": critical_eta_times_lambda("ema", 0.9),
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
