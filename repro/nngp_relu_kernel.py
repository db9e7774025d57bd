"""Wide random ReLU networks are Gaussian processes with the arc-cosine kernel (Lee et al.)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

width, depth, n_nets = p.width, p.depth, p.n_nets
sw2 = p.weight_variance  # at the He value 2 the diagonal of the kernel is preserved layer to layer
angles = np.array([30.0, 90.0, 150.0])


def arccos_map(rho):
    """Correlation after one ReLU layer (Cho & Saul degree-1 arc-cosine kernel); for ReLU it
    does not depend on sw2, which only scales the variance."""
    theta = np.arccos(np.clip(rho, -1.0, 1.0))
    return (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / np.pi


# x0 = e1 and three inputs at the given angles from it, all of unit norm, in d = 2
rad = np.radians(angles)
X = np.column_stack([[1.0, 0.0], np.stack([np.cos(rad), np.sin(rad)])])  # (2, 4)

outputs = []  # readout pre-activations: each readout unit of each net is one GP sample
for _ in range(n_nets):
    h = rng.standard_normal((width, 2)) * np.sqrt(sw2 / 2) @ X
    for _ in range(depth):
        h = rng.standard_normal((width, width)) * np.sqrt(sw2 / width) @ np.maximum(h, 0.0)
    outputs.append(h)
F = np.concatenate(outputs)  # (n_nets * width, 4)

second_moment = F.T @ F / len(F)  # the GP has mean zero, so no centring
corr = second_moment[0, 1:] / np.sqrt(second_moment[0, 0] * np.diag(second_moment)[1:])

grid = np.linspace(0.0, 180.0, 61)
curve = np.cos(np.radians(grid))
for _ in range(depth):
    curve = arccos_map(curve)

write_result(
    args,
    metrics={
        "output_corr_30deg": corr[0],
        "output_corr_90deg": corr[1],
        "output_corr_150deg": corr[2],
        # input norm 1 and first-layer scale sw2/d give E[h1^2] = 1; He layers keep it
        "output_variance": np.mean(np.diag(second_moment)),
    },
    curves={
        "arc-cosine recursion": series(grid, curve, style="theory"),
        "input cosine": series(grid, np.cos(np.radians(grid)), style="theory"),
        "measured": series(angles, corr),
    },
)
