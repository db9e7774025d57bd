"""Central flow at the edge of stability in a quadratic-plus-cubic model (Cohen et al. 2025).

L(x, y) = ½ y x² + ½ κ (y − Y)²: the curvature along x is y, and the second term pulls y up
towards Y > 2/η (progressive sharpening). Full-batch GD with step η is run from a small x; its
loss, sharpness and oscillation size are averaged over the late part of the run and compared with
the central flow, which holds y at 2/η with oscillation variance σ² = 2κ(Y − 2/η), and with plain
gradient flow, which converges to x = 0, y = Y.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

eta, kappa, target = p.learning_rate, p.kappa, p.target_sharpness
x = p.init_x * rng.choice([-1.0, 1.0]) * (1 + 0.1 * rng.random())
y = p.init_y * (1 + 0.1 * rng.random())

losses, xs, ys = [], [], []
for _ in range(p.steps):
    losses.append(0.5 * y * x * x + 0.5 * kappa * (y - target) ** 2)
    xs.append(x)
    ys.append(y)
    x, y = x - eta * y * x, y - eta * (0.5 * x * x + kappa * (y - target))
losses_arr, xs_arr, ys_arr = np.array(losses), np.array(xs), np.array(ys)

# Late-time averages of GD (the last half of the run).
late = slice(p.steps // 2, None)
gd_loss, gd_x2 = losses_arr[late].mean(), (xs_arr[late] ** 2).mean()
hessians = np.stack(
    [np.stack([ys_arr, xs_arr], -1), np.stack([xs_arr, np.full_like(xs_arr, kappa)], -1)], -2
)
gd_sharp = np.linalg.eigvalsh(hessians[late])[:, -1].mean()

# Central flow (for the plot): gradient flow until y reaches 2/η, then y = 2/η with σ² fixed by
# dy/dt = −½σ² − κ(y − Y) = 0; its time-averaged loss is ½yσ² + ½κ(y − Y)².
edge = 2 / eta
sigma2 = max(0.0, 2 * kappa * (target - edge))
cf_y = min(edge, target)
cf_loss = 0.5 * cf_y * sigma2 + 0.5 * kappa * (cf_y - target) ** 2

steps = np.arange(p.steps)
write_result(
    args,
    metrics={
        "mean_loss": gd_loss,
        "mean_x_squared": gd_x2,
        "sharpness_times_eta_over_2": gd_sharp * eta / 2,
    },
    curves={
        "GD loss": series(steps[:: p.plot_every], losses_arr[:: p.plot_every]),
        "central flow: time-averaged loss": series(
            [0, p.steps], [cf_loss, cf_loss], style="theory"
        ),
    },
)
