"""Neural collapse: last-layer class means of an interpolating MLP form a simplex ETF."""

from itertools import pairwise

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

C, per, d, width, depth = 4, p.per_class, p.input_dim, p.width, p.depth
lr, momentum, wd = p.lr, p.momentum, p.weight_decay
steps = p.steps

# Class means far from a simplex (classes 0 and 1 nearly parallel), weak next to the noise:
# with d > N every point is nearly orthogonal to the others, so fitting needs memorisation.
means = np.zeros((C, d))
means[np.arange(C), np.arange(C)] = 1.0
means[1, :2] = [0.8, 0.6]
means *= p.mean_norm
noise = rng.standard_normal((C, per, d))
noise -= noise.mean(axis=1, keepdims=True)  # empirical class means equal the designed ones
X = (means[:, None, :] + noise).reshape(C * per, d)
labels = np.repeat(np.arange(C), per)
Y = np.eye(C)[labels]
N = len(labels)

dims = [d] + [width] * (depth - 1) + [p.last_width]
Ws = [rng.standard_normal((a, b)) * np.sqrt(2 / a) for a, b in pairwise(dims)]
Ws.append(rng.standard_normal((dims[-1], C)) / np.sqrt(dims[-1]))
bs = [np.zeros(b) for b in dims[1:]]
params = Ws + bs
velocity = [np.zeros_like(p) for p in params]


def forward(X):
    hs, zs = [X], []
    for W, b in zip(Ws[:-1], bs, strict=True):
        zs.append(hs[-1] @ W + b)
        hs.append(np.maximum(zs[-1], 0))
    return hs, zs, hs[-1] @ Ws[-1]


def collapse_metrics(H, W_last):
    """NC1 (within/between variability), ETF deviation, norm spread, self-duality."""
    global_mean = H.mean(0)
    M = np.stack([H[labels == c].mean(0) for c in range(C)]) - global_mean
    within = H - global_mean - M[labels]
    sigma_w = within.T @ within / N
    nc1 = np.trace(sigma_w @ np.linalg.pinv(M.T @ M / C)) / C
    norms = np.linalg.norm(M, axis=1)
    cos = (M @ M.T) / np.outer(norms, norms)
    off = cos[~np.eye(C, dtype=bool)]
    etf_dev = np.abs(off + 1 / (C - 1)).max()
    duality = np.linalg.norm(W_last.T / np.linalg.norm(W_last) - M / np.linalg.norm(M))
    return nc1, etf_dev, norms.std() / norms.mean(), duality, off.mean()


input_nc1, input_dev, *_ = collapse_metrics(X, np.ones((d, C)))
log_steps, log_nc1, log_dev = [], [], []
for step in range(1, steps + 1):
    hs, zs, logits = forward(X)
    P = np.exp(logits - logits.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    g = (P - Y) / N  # gradient of the mean cross-entropy with respect to the logits
    grads_W, grads_b = [hs[-1].T @ g], []
    gh = g @ Ws[-1].T
    for i in reversed(range(depth)):
        gz = gh * (zs[i] > 0)
        grads_W.insert(0, hs[i].T @ gz)
        grads_b.insert(0, gz.sum(0))
        gh = gz @ Ws[i].T
    for p, v, gr in zip(params, velocity, grads_W + grads_b, strict=True):
        v *= momentum
        v += gr + wd * p
        p -= lr * v
    if step % max(steps // 30, 1) == 0:
        nc1, dev, *_ = collapse_metrics(hs[-1], Ws[-1])
        log_steps.append(step)
        log_nc1.append(nc1)
        log_dev.append(dev)

hs, _, logits = forward(X)
nc1, etf_dev, norm_cv, duality, mean_cos = collapse_metrics(hs[-1], Ws[-1])
H = hs[-1]
centres = np.stack([H[labels == c].mean(0) for c in range(C)])
nearest_centre = np.argmin(((H[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)

write_result(
    args,
    metrics={
        "train_accuracy": (logits.argmax(1) == labels).mean(),
        "nc1": nc1,
        "etf_max_cos_deviation": etf_dev,
        "mean_norm_cv": norm_cv,
        "self_duality_gap": duality,
        "ncc_agreement": (nearest_centre == logits.argmax(1)).mean(),
        "mean_pairwise_cos": mean_cos,
        "input_nc1": input_nc1,
        "input_etf_max_cos_deviation": input_dev,
    },
    curves={
        "NC1 (within/between variability)": series(log_steps, log_nc1),
        "max |cos + 1/(C-1)| of class means": series(log_steps, log_dev),
    },
)
