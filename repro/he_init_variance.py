"""He initialisation: sw^2 = 2 preserves the signal scale of deep ReLU nets (He et al. 2015)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n_nets, width, depth = p.n_nets, p.width, p.depth
# ReLU keeps the positive half of each pre-activation; with the switch off the layers are linear
activation = (lambda h: np.maximum(h, 0.0)) if p.relu else (lambda h: h)


def gate(h):
    """Derivative of the activation at h: the ReLU mask, or ones for linear layers."""
    return (h > 0) if p.relu else np.ones_like(h)


def run(sw2):
    """Per-layer mean squares of pre-activations (forward) and of dL/dh_l (backward)."""
    W = rng.standard_normal((depth - 1, n_nets, width, width)) * np.sqrt(sw2 / width)
    h = rng.standard_normal((n_nets, width, 1))  # first-layer pre-activations, q_1 = 1
    hs = [h]
    for W_l in W:  # W[l] maps hs[l] to hs[l + 1]
        h = W_l @ activation(h)
        hs.append(h)
    # backpropagate a random output direction: g_l = D_l W_l^T g_{l+1}
    g = gate(hs[-1]) * rng.standard_normal((n_nets, width, 1))
    gs = [g]
    for layer in range(depth - 2, -1, -1):
        g = gate(hs[layer]) * (W[layer].transpose(0, 2, 1) @ g)
        gs.append(g)
    q = np.array([np.mean(h**2, axis=(1, 2)) for h in hs])  # (depth, n_nets)
    gq = np.array([np.mean(g**2, axis=(1, 2)) for g in gs[::-1]])
    return q, gq


q_he, g_he = run(p.sigma_w2_he)
q_lecun, _ = run(p.sigma_w2_lecun)
layers = np.arange(1, depth + 1)

write_result(
    args,
    metrics={
        "forward_gain_he": np.mean(q_he[1:] / q_he[:-1]),
        "forward_gain_lecun": np.mean(q_lecun[1:] / q_lecun[:-1]),
        "backward_gain_he": np.mean(g_he[:-1] / g_he[1:]),
        "log2_q_ratio_lecun": np.mean(np.log2(q_lecun[-1] / q_lecun[0])),
    },
    curves={
        f"sw2 = {p.sigma_w2_he:g}, theory": series(
            layers, (p.sigma_w2_he / 2) ** (layers - 1), style="theory"
        ),
        f"sw2 = {p.sigma_w2_he:g}, measured": series(layers, np.exp(np.mean(np.log(q_he), axis=1))),
        f"sw2 = {p.sigma_w2_lecun:g}, theory": series(
            layers, (p.sigma_w2_lecun / 2) ** (layers - 1), style="theory"
        ),
        f"sw2 = {p.sigma_w2_lecun:g}, measured": series(
            layers, np.exp(np.mean(np.log(q_lecun), axis=1))
        ),
    },
)
