"""Mean-field signal propagation in deep tanh nets: length map and edge of chaos (Poole et al.)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n_nets, width, depth, n_tangents = p.n_nets, p.width, p.depth, p.n_tangents
sb2 = p.bias_variance
sw2_grid = np.array(p.sw2_grid)
sw2_crit = p.sw2_probe  # where q* and the length map are checked (the predicted critical point)
burn_in = p.burn_in  # layers for q to reach q* and the tangents to lose their q-direction part

z, wz = np.polynomial.hermite_e.hermegauss(80)
wz = wz / wz.sum()


def length_map(q, sw2):
    return sw2 * (np.tanh(np.sqrt(q)[..., None] * z) ** 2 @ wz) + sb2


def chi1(sw2):
    q = np.array(1.0)
    for _ in range(2000):
        q = length_map(q, sw2)
    return sw2 * np.sum(wz / np.cosh(np.sqrt(q) * z) ** 4)


# Independent nets; one set of Gaussian draws rescaled for every sw2 (common random numbers)
G = rng.standard_normal((depth, n_nets, width, width)) / np.sqrt(width)
B = rng.standard_normal((depth, n_nets, width, 1))
q0 = np.linspace(0.2, 3.0, n_nets)  # each net's input sets its first-layer second moment
h_first = rng.standard_normal((n_nets, width, 1)) * np.sqrt(q0)[:, None, None]
v_first = rng.standard_normal((n_nets, width, n_tangents))


def propagate(sw2):
    """Per-layer q of each net's input, and the per-layer squared growth of tangent vectors."""
    h, v = h_first, v_first
    qs, growth = [np.mean(h**2, axis=(1, 2))], []
    for W, b in zip(G, B, strict=True):
        v_next = np.sqrt(sw2) * W @ (v / np.cosh(h) ** 2)  # Jacobian-vector product of a layer
        h = np.sqrt(sw2) * W @ np.tanh(h) + np.sqrt(sb2) * b
        growth.append(np.sum(v_next**2, axis=1) / np.sum(v**2, axis=1))
        v = v_next / np.sqrt(growth[-1])[:, None, :]
        qs.append(np.mean(h**2, axis=(1, 2)))
    return np.array(qs), np.array(growth)


# chi_1 is the mean growth factor of an infinitesimal perturbation once q has settled at q*
log_chi = np.array([np.log(propagate(s)[1][burn_in:].mean()) for s in sw2_grid])
theory_log_chi = np.log([chi1(s) for s in sw2_grid])
k = np.searchsorted(log_chi, 0.0)  # log chi_1 increases with sw2
sw2_zero = sw2_grid[k - 1] - log_chi[k - 1] * (sw2_grid[k] - sw2_grid[k - 1]) / (
    log_chi[k] - log_chi[k - 1]
)

qs, _ = propagate(sw2_crit)
q_theory = [q0]
for _ in range(depth):
    q_theory.append(length_map(q_theory[-1], sw2_crit))
q_theory = np.array(q_theory)
rel_err = qs[1:].mean(axis=1) / q_theory[1:].mean(axis=1) - 1

write_result(
    args,
    metrics={
        "sigma_w2_critical": sw2_zero,
        "q_star_critical": qs[burn_in:].mean(),
        "length_map_rms_rel_error": np.sqrt(np.mean(rel_err**2)),
    },
    curves={
        "ln chi_1, mean field": series(sw2_grid, theory_log_chi, style="theory"),
        "ln of mean tangent growth per layer, measured": series(sw2_grid, log_chi),
    },
)
