"""Balancedness: ‖w_j‖² − a_j² is conserved per ReLU neuron under gradient flow (Du et al. 2018)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, m, tau = p.n_samples, p.input_dim, p.width, p.tau
etas = np.array(p.learning_rates)

X = rng.standard_normal((n, d))
teacher = rng.standard_normal((p.teacher_units, d)) / np.sqrt(d)
y = np.maximum(X @ teacher.T, 0).sum(1) - np.maximum(X @ teacher.T, 0).sum(1).mean()
W0 = rng.standard_normal((m, d)) / np.sqrt(d)
a0 = rng.standard_normal(m) / np.sqrt(m)

# The "relu" unit is max(z − c, 0) with c = p.relu_shift: 1-homogeneous only for c = 0. The
# "tanh" unit is tanh, or the identity when p.second_unit is "linear".
shift = p.relu_shift
activations = {
    "relu": (
        (lambda z: np.maximum(z - shift, 0), lambda z: (z > shift).astype(float))
        if shift
        else (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float))
    ),
    "tanh": (
        (np.tanh, lambda z: 1 - np.tanh(z) ** 2)
        if p.second_unit == "tanh"
        else (lambda z: z, np.ones_like)  # linear: 1-homogeneous like ReLU
    ),
}


def train(act, eta):
    """GD on (1/2n)‖f − y‖²; returns the per-neuron D_j = ‖w_j‖² − a_j², its predicted
    second-order drift η² Σ_t (‖g_wj‖² − g_aj²), and S_j = ‖w_j‖² + a_j² at the end."""
    phi, dphi = activations[act]
    W, a = W0.copy(), a0.copy()
    second_order = np.zeros(m)
    losses = []
    for _ in range(int(tau / eta + 0.5)):
        pre = X @ W.T
        residual = phi(pre) @ a - y
        g_a = phi(pre).T @ residual / n
        g_W = ((residual[:, None] * dphi(pre)) * a).T @ X / n
        second_order += eta**2 * ((g_W**2).sum(1) - g_a**2)
        W, a = W - eta * g_W, a - eta * g_a
        losses.append(0.5 * np.mean(residual**2))
    return (W**2).sum(1) - a**2, second_order, (W**2).sum(1) + a**2, losses


D0, S0 = (W0**2).sum(1) - a0**2, (W0**2).sum(1) + a0**2
metrics, curves, drifts = {}, {}, {"relu": [], "tanh": []}
for act in activations:
    for eta in etas:
        D, second_order, S, losses = train(act, eta)
        drifts[act].append(np.linalg.norm(D - D0) / np.linalg.norm(S - S0))
        if act == "relu" and eta == etas[-1]:
            # For a 1-homogeneous unit the O(η) change cancels exactly (Euler's theorem), so
            # the whole drift must equal the accumulated O(η²) term.
            metrics["identity_residual"] = (
                np.abs(D - D0 - second_order).max() / np.abs(D - D0).max()
            )
            metrics["loss_drop_relu"] = losses[-1] / losses[0]
            metrics["norm_change_relu"] = np.linalg.norm(S - S0) / np.linalg.norm(S0)
    slope = np.polyfit(np.log(etas), np.log(drifts[act]), 1)[0]
    metrics[f"drift_slope_{act}"] = slope
    metrics[f"drift_ratio_{act}"] = drifts[act][-1]
    curves[f"{act}: ‖ΔD‖/‖ΔS‖"] = series(etas, drifts[act])
curves["slope 1 (O(η) drift)"] = series(etas, drifts["relu"][-1] * etas / etas[-1], style="theory")

write_result(args, metrics=metrics, curves=curves)
