"""μTransfer: the best Adam learning rate is width-independent in μP and drifts ∝ 1/width in SP."""

import math

import numpy as np
import torch
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
torch.manual_seed(args.seed)
torch.use_deterministic_algorithms(True, warn_only=True)
dev = torch.device(args.device)

D_IN, D_OUT, TEACHER_WIDTH = p.input_dim, p.output_dim, p.teacher_width
WIDTHS, STEPS, BATCH = list(p.widths), p.steps, p.batch
LOG2_LRS = np.arange(p.log2_lr_min, p.log2_lr_max + 0.5)  # factor-2 grid, both ends included
BASE = WIDTHS[0]  # μP and SP coincide at the base width
lrs = torch.tensor(2.0**LOG2_LRS, device=dev).float()[:, None, None]  # one model per learning rate

# Teacher: a fixed random tanh network with unit output variance; fresh Gaussian inputs each step.
A = torch.randn(D_IN, TEACHER_WIDTH, device=dev) * 2 / math.sqrt(D_IN)
C = torch.randn(TEACHER_WIDTH, D_OUT, device=dev)
C /= (torch.tanh(torch.randn(100_000, D_IN, device=dev) @ A) @ C).std(0)


def batch(n):
    x = torch.randn(n, D_IN, device=dev)
    return x, torch.tanh(x @ A) @ C


def train(width, mup):
    """Train one 3-layer ReLU MLP per learning rate with Adam; return the final test losses.

    SP: He/LeCun init, one global learning rate. μP (Yang et al. 2021, rules for Adam): the
    input layer keeps its rate; hidden and output layers get rate η·BASE/width; the output
    init shrinks to variance 1/width², normalised so that both agree at width BASE. The two
    halves of the μP rule are separate switches so that a mutant can drop either.
    """
    torch.manual_seed(args.seed + width)  # same init and data stream for μP and SP
    k, r = len(LOG2_LRS), BASE / width
    readout = math.sqrt(r) if mup and p.mup_readout_init else 1.0
    rate = r if mup and p.mup_layer_rates else 1.0
    w1 = torch.randn(k, D_IN, width, device=dev) * math.sqrt(2 / D_IN)
    w2 = torch.randn(k, width, width, device=dev) * math.sqrt(2 / width)
    w3 = torch.randn(k, width, D_OUT, device=dev) / math.sqrt(width) * readout
    params, scale = [w1, w2, w3], [1.0, rate, rate]
    for w in params:
        w.requires_grad_(True)
    moments = [(torch.zeros_like(w), torch.zeros_like(w)) for w in params]

    def loss_fn(x, y):
        h = torch.relu(torch.relu(torch.einsum("bi,kiw->kbw", x, w1)) @ w2)
        return ((h @ w3 - y) ** 2).mean((1, 2))  # one loss per model

    for step in range(1, STEPS + 1):
        grads = torch.autograd.grad(loss_fn(*batch(BATCH)).sum(), params)
        with torch.no_grad():  # Adam (β1 = 0.9, β2 = 0.999), written out for per-model rates
            for w, g, (m, v), s in zip(params, grads, moments, scale, strict=True):
                m.lerp_(g, 0.1)
                v.lerp_(g * g, 0.001)
                m_hat, v_hat = m / (1 - 0.9**step), v / (1 - 0.999**step)
                w -= lrs * s * m_hat / (v_hat.sqrt() + 1e-12)
    with torch.no_grad():
        test = loss_fn(*batch(p.test_size)).cpu().numpy()
    return np.where(np.isfinite(test), test, np.inf)


def best_log2_lr(losses):
    """Grid minimum of log-loss, refined by a parabola through it and its two neighbours."""
    i = int(np.argmin(losses))
    if i == 0 or i == len(losses) - 1 or not np.isfinite(losses[i - 1 : i + 2]).all():
        return LOG2_LRS[i]
    lo, mid, hi = np.log(losses[i - 1 : i + 2])
    return LOG2_LRS[i] + 0.5 * (lo - hi) / (lo - 2 * mid + hi)


curves, best = {}, {}
for mup in (True, False):
    name = "μP" if mup else "SP"
    for width in WIDTHS:
        losses = train(width, mup)
        best[name, width] = best_log2_lr(losses), float(losses.min())
        ok = np.isfinite(losses)
        curves[f"{name} width {width}"] = series(2.0 ** LOG2_LRS[ok], losses[ok])


def drift_steps(name):
    """Fall of log2 η* across the width range, from a straight-line fit in log2(width).

    A fit over all widths rather than the two end points, because the loss curves have flat
    bottoms and a single optimum is uncertain by about half a grid step.
    """
    slope = np.polyfit(np.log2(WIDTHS), [best[name, w][0] for w in WIDTHS], 1)[0]
    return -slope * np.log2(WIDTHS[-1] / WIDTHS[0])


write_result(
    args,
    metrics={
        "mup_shift_steps": abs(drift_steps("μP")),
        "sp_shift_steps": drift_steps("SP"),
        "mup_wider_better": best["μP", WIDTHS[0]][1] / best["μP", WIDTHS[-1]][1],
        **{f"log2_lr_opt_mup_{w}": best["μP", w][0] for w in WIDTHS},
        **{f"log2_lr_opt_sp_{w}": best["SP", w][0] for w in WIDTHS},
    },
    curves=curves,
)
