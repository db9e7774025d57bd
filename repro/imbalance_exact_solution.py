"""Exact lazy-to-rich solution of the two-layer rank-one model as a function of the imbalance δ
(Kunin et al. 2024)."""

import numpy as np
from harness import first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, b = p.samples, p.dim, p.target_norm
eta_a, eta_w, p0, dt = p.lr_readout, p.lr_first_layer, p.initial_function, p.dt
level = p.learned_fraction * b
c = 2 * np.sqrt(eta_a * eta_w)

# Whitened inputs (XᵀX/n = I exactly), so the loss is ½‖β − β*‖² up to a constant.
Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
X = np.sqrt(n) * Q
direction = rng.standard_normal(d)
direction /= np.linalg.norm(direction)
y = X @ (b * direction)
steps = round(p.t_end / dt)
times = dt * np.arange(steps + 1)


def exact_time(q, delta):
    """Closed-form time for the function q = a wᵀβ̂* to grow from p0 to q (aligned start):
    dq/dt = √(δ² + c²q²)(b − q), integrated exactly."""
    R = np.hypot(delta, c * b)

    def F(x):
        return np.log((delta**2 + c**2 * b * x + R * np.sqrt(delta**2 + c**2 * x**2)) / (b - x)) / R

    return F(q) - F(p0)


def train(delta):
    """Gradient descent on (a, w) from the aligned start with function p0 and imbalance δ."""
    a = np.sqrt((delta + np.sqrt(delta**2 + c**2 * p0**2)) / (2 * eta_w))
    w = (p0 / a) * direction
    strength = np.empty(steps + 1)
    for step in range(steps + 1):
        strength[step] = a * (w @ direction)
        g = X.T @ (X @ (a * w) - y) / n  # gradient of the loss with respect to β = a w
        a, w = a - dt * eta_a * (w @ g), w - dt * eta_w * a * g
    drift = eta_w * a**2 - eta_a * (w @ w) - delta  # δ is conserved by the flow, O(dt) by GD
    return strength, drift


metrics, curves = {}, {}
names = {"t_fit_delta_minus": 0, "t_fit_balanced": 1, "t_fit_delta_plus": 2}
for name, i in names.items():
    delta = float(p.imbalances[i])
    strength, drift = train(delta)
    metrics[name] = first_time(
        times, strength >= level, f"function reached {level:g} at δ = {delta:g}"
    )
    metrics[f"imbalance_drift_{i}"] = abs(drift)
    curves[f"measured δ = {delta:g}"] = series(times[::50], strength[::50])
    q = np.linspace(p0, 0.999 * b, 200)
    curves[f"exact δ = {delta:g}"] = series(exact_time(q, delta), q, style="theory")
metrics["sign_symmetry"] = metrics["t_fit_delta_minus"] / metrics["t_fit_delta_plus"]
write_result(args, metrics=metrics, curves=curves)
