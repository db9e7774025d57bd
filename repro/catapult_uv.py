"""The uv model: lazy below ηλ0 = 2, catapult up to ηλ0 = 4, divergence above (Lewkowycz et al.)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)
m = p.width


def kernel_sum(u, v):
    """m times the tangent kernel: |u|² + |v|², or |v|² alone when v is frozen (then only u
    moves, f is linear in the trained weights and the kernel is constant)."""
    return u @ u + v @ v if p.train_v else v @ v


def train(a0, u, v, steps=p.steps):
    """GD on L = f²/2 with f = vᵀu/√m (one example, target 0) at η = a0/λ0, where the tangent
    kernel is λ = (|u|² + |v|²)/m. Returns the ηλ_t trajectory, the losses, and divergence.
    Divergence is a fixed bound on f², the same at every width, so a run cut short by it has
    a peak loss that does not grow with m."""
    eta = a0 * len(u) / kernel_sum(u, v)
    a_traj, losses = [], []
    for _ in range(steps):
        f = v @ u / np.sqrt(len(u))
        a_traj.append(eta * kernel_sum(u, v) / len(u))
        losses.append(f * f / 2)
        if not np.isfinite(f) or f * f > p.divergence_f2:
            return np.array(a_traj), np.array(losses), True
        u_new = u - eta * f * v / np.sqrt(len(u))
        v = v - eta * f * u / np.sqrt(len(u)) if p.train_v else v
        u = u_new
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
lazy, spike, rates = p.lazy_rate, p.catapult_rate, p.catapult_rates
runs = {a0: train(a0, u0, v0) for a0 in dict.fromkeys([lazy, spike, *rates])}

# Largest stable ηλ0, by bisection on divergence; the window holds both 2 and 4, so it can
# report either edge.
lo, hi = p.bisection_window
for _ in range(p.bisection_steps):
    mid = (lo + hi) / 2
    lo, hi = (lo, mid) if train(mid, u0, v0, steps=p.bisection_run_steps)[2] else (mid, hi)

# Peak loss during the catapult versus width: it grows like m, not O(1).
widths = np.array(p.spike_widths)
peaks = [
    train(spike, rng.standard_normal(w), rng.standard_normal(w), steps=p.spike_steps)[1].max()
    for w in widths
]

shown, curves = 100, {}
for a0 in dict.fromkeys([lazy, spike, rates[len(rates) // 2]]):
    eta = a0 / (kernel_sum(u0, v0) / m)
    measured = runs[a0][0][:shown]  # a run that diverged stops early
    curves[f"GD, ηλ0 = {a0}"] = series(range(len(measured)), measured)
    curves[f"reduced map, ηλ0 = {a0}"] = series(
        range(shown), reduced_map(a0, eta**2 * f0**2 / m, shown), style="theory"
    )

write_result(
    args,
    metrics={
        "lazy_kernel_change": abs(runs[lazy][0][-1] / lazy - 1),
        "catapult_final_eta_lambda": runs[spike][0][-1],
        "max_final_eta_lambda_catapult": max(runs[a0][0][-1] for a0 in rates),
        "final_loss_catapult": runs[spike][1][-1],
        "max_stable_eta_lambda0": (lo + hi) / 2,
        "peak_loss_width_exponent": np.polyfit(np.log(widths), np.log(peaks), 1)[0],
    },
    curves=curves,
)
