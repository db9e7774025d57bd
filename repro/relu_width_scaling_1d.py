"""A trained one-hidden-layer ReLU network on a smooth 1-D target: loss falls as N^-4 in width."""

import numpy as np
import torch
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

x = torch.linspace(0, 1, p.n_points)[:, None]
phase = rng.uniform(0, 2 * np.pi, size=2)
y = torch.sin(2 * np.pi * x + phase[0]) + 0.5 * torch.cos(5 * np.pi * x + phase[1])


def features(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # Units relu(w x + b)^k: k = 1 gives piecewise-linear functions, k = 2 piecewise-quadratic.
    return torch.relu(x * w + b) ** p.activation_power


losses = []
for width in p.widths:
    # Kinks start evenly spread over [0, 1] (offset from the seed); the read-out starts at the
    # least-squares fit, then every weight is trained with Adam.
    knots = (torch.arange(width) + rng.uniform(0.25, 0.75)) / width
    w = torch.ones(width)
    b = -knots
    design = torch.cat([features(w, b), torch.ones_like(x), x], dim=1)
    coef = torch.linalg.lstsq(design, y).solution[:, 0]
    params = [torch.nn.Parameter(t.clone()) for t in (w, b, coef[:width], coef[width:])]
    opt = torch.optim.Adam(params, lr=p.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(p.steps, 1))
    w_t, b_t, a_t, c_t = params
    for _ in range(p.steps):
        out = features(w_t, b_t) @ a_t + c_t[0] + c_t[1] * x[:, 0]
        loss = ((out - y[:, 0]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
    with torch.no_grad():
        out = features(w_t, b_t) @ a_t + c_t[0] + c_t[1] * x[:, 0]
        losses.append(float(((out - y[:, 0]) ** 2).mean()))

widths = np.array(p.widths, dtype=float)
judged = widths >= p.fit_from
slope = np.polyfit(np.log(widths[judged]), np.log(np.array(losses)[judged]), 1)[0]
reference = losses[-1] * (widths / widths[-1]) ** -4.0

write_result(
    args,
    metrics={"width_exponent": slope},
    curves={
        "trained network": series(widths, losses),
        "N^-4": series(widths, reference, style="theory"),
    },
)
