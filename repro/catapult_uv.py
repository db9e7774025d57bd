"""The uv model: lazy below ηλ0 = 2, catapult up to ηλ0 = 4, divergence above (Lewkowycz et al.)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)
m = 500 if args.smoke else 2000


def train(a0, u, v, steps=1500):
    """GD on L = f²/2 with f = vᵀu/√m (one example, target 0) at η = a0/λ0, where the tangent
    kernel is λ = (|u|² + |v|²)/m. Returns the ηλ_t trajectory, the losses, and divergence."""
    eta = a0 * len(u) / (u @ u + v @ v)
    a_traj, losses = [], []
    for _ in range(steps):
        f = v @ u / np.sqrt(len(u))
        a_traj.append(eta * (u @ u + v @ v) / len(u))
        losses.append(f * f / 2)
        if not np.isfinite(f) or f * f > 1e12 * len(u):
            return np.array(a_traj), np.array(losses), True
        u, v = u - eta * f * v / np.sqrt(len(u)), v - eta * f * u / np.sqrt(len(u))
    return np.array(a_traj), np.array(losses), False


def reduced_map(a, z, steps):
    """One GD step written in a = ηλ and z = η²f²/m is exactly a' = a − z(4 − a),
    z' = z(1 − a + z)²: no width left, except through the tiny start z0 = O(1/m)."""
    traj = []
    for _ in range(steps):
        traj.append(a)
        a, z = a - z * (4 - a), z * (1 - a + z) ** 2
    return np.array(traj)


u0, v0 = rng.standard_normal(m), rng.standard_normal(m)
f0 = v0 @ u0 / np.sqrt(m)
runs = {a0: train(a0, u0, v0) for a0 in (1.5, 2.5, 3.0, 3.5, 3.9)}

# Largest stable ηλ0, by bisection on divergence.
lo, hi = 3.5, 4.5
for _ in range(14):
    mid = (lo + hi) / 2
    lo, hi = (lo, mid) if train(mid, u0, v0, steps=600)[2] else (mid, hi)

# Peak loss during the catapult at ηλ0 = 2.5 versus width: it grows like m, not O(1).
widths = np.array([250, 1000, 4000]) if args.smoke else np.array([500, 2000, 8000])
peaks = [
    train(2.5, rng.standard_normal(w), rng.standard_normal(w), steps=300)[1].max() for w in widths
]

shown, curves = 100, {}
for a0 in (1.5, 2.5, 3.5):
    eta = a0 / ((u0 @ u0 + v0 @ v0) / m)
    curves[f"GD, ηλ0 = {a0}"] = series(range(shown), runs[a0][0][:shown])
    curves[f"reduced map, ηλ0 = {a0}"] = series(
        range(shown), reduced_map(a0, eta**2 * f0**2 / m, shown), style="theory"
    )

write_result(
    args,
    metrics={
        "lazy_kernel_change": abs(runs[1.5][0][-1] / 1.5 - 1),
        "catapult_final_eta_lambda": runs[2.5][0][-1],
        "max_final_eta_lambda_catapult": max(runs[a0][0][-1] for a0 in (2.5, 3.0, 3.5, 3.9)),
        "final_loss_catapult": runs[2.5][1][-1],
        "max_stable_eta_lambda0": (lo + hi) / 2,
        "peak_loss_width_exponent": np.polyfit(np.log(widths), np.log(peaks), 1)[0],
    },
    curves=curves,
)
