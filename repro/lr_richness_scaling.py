"""Optimal learning rate against the richness γ (Atanasov, Meterez, Simon, Pehlevan 2025).

A bias-free MLP h(x; w) with L weight layers is trained online by SGD on the centred, down-scaled
output f = (h(w) − h(w0)) / γ^q. For each γ a grid of learning rates is run side by side (one
leading axis of every weight array per run); η* is the grid point with the lowest test loss after
a fixed number of steps, refined by a parabola in log η. The log-log slopes of η* against γ are
read separately at small and at large γ.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d, n, depth, q = p.input_dim, p.width, p.depth, p.output_power
relu = p.activation == "relu"
act = (lambda z: np.maximum(z, 0.0)) if relu else np.tanh
dact = (lambda z: (z > 0).astype(float)) if relu else (lambda z: 1.0 - np.tanh(z) ** 2)
teacher = rng.standard_normal(d) / np.sqrt(d)
x_test = rng.standard_normal((p.test_size, d))


def target(x: np.ndarray) -> np.ndarray:
    return np.maximum(x @ teacher, 0.0) * np.sqrt(2.0)


y_test = target(x_test)
init = [rng.standard_normal((n, d))] + [rng.standard_normal((n, n)) for _ in range(depth - 2)]
init.append(rng.standard_normal((1, n)))
fan_in = [d] + [n] * (depth - 1)


def forward(ws: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, list, list]:
    """Output (runs, batch) of the bias-free MLP, with pre-activations and layer inputs."""
    a, pre, inputs = np.broadcast_to(x.T, (ws[0].shape[0], *x.T.shape)), [], []
    for k, w in enumerate(ws):
        inputs.append(a)
        z = w @ a / np.sqrt(fan_in[k])
        if k < depth - 1:
            pre.append(z)
            a = act(z)
        else:
            a = z
    return a[:, 0, :], pre, inputs


def run(gamma: float, lrs: np.ndarray) -> np.ndarray:
    """Test loss after training, one entry per learning rate (inf where training diverged)."""
    runs = len(lrs)
    ws = [np.repeat(w[None], runs, axis=0) for w in init]
    w0 = [w[None] for w in init]  # the initial network, shared by every run
    scale = gamma**q
    step_rng = np.random.default_rng(args.seed + 1)  # same batches for every γ
    with np.errstate(all="ignore"):
        for _ in range(p.steps):
            x = step_rng.standard_normal((p.batch, d))
            out, pre, inputs = forward(ws, x)
            out0, _, _ = forward(w0, x)
            err = ((out - out0) / scale - target(x)) / p.batch  # d(½ mean sq.)/d f
            delta = (err / scale)[:, None, :]  # gradient w.r.t. the last layer's output
            for k in range(depth - 1, -1, -1):
                grad = delta @ np.swapaxes(inputs[k], 1, 2) / np.sqrt(fan_in[k])
                if k > 0:
                    delta = (np.swapaxes(ws[k], 1, 2) @ delta) / np.sqrt(fan_in[k])
                    delta = delta * dact(pre[k - 1])
                ws[k] = ws[k] - lrs[:, None, None] * grad
        out, _, _ = forward(ws, x_test)
        out0, _, _ = forward(w0, x_test)
        loss = 0.5 * np.mean(((out - out0) / scale - y_test) ** 2, axis=1)
    return np.where(np.isfinite(loss), loss, np.inf)


def best_lr(gamma: float) -> float:
    """η* on one wide log grid, the same for every γ (it contains every candidate law)."""
    lrs = np.exp(np.linspace(np.log(p.lr_min), np.log(p.lr_max), p.n_lrs))
    loss = np.log(run(gamma, lrs))
    i = int(np.clip(np.argmin(loss), 1, len(lrs) - 2))
    if not np.all(np.isfinite(loss[i - 1 : i + 2])):
        return float(lrs[np.argmin(loss)])
    c2, c1, _ = np.polyfit(np.log(lrs[i - 1 : i + 2]), loss[i - 1 : i + 2], 2)
    return float(np.exp(-c1 / (2 * c2))) if c2 > 0 else float(lrs[i])


small, large = np.array(p.gammas_small), np.array(p.gammas_large)
lr_small = np.array([best_lr(g) for g in small])
lr_large = np.array([best_lr(g) for g in large])
gammas, lr_star = np.concatenate([small, large]), np.concatenate([lr_small, lr_large])

write_result(
    args,
    metrics={
        "lazy_slope": np.polyfit(np.log(small), np.log(lr_small), 1)[0],
        "rich_slope": np.polyfit(np.log(large), np.log(lr_large), 1)[0],
    },
    curves={
        "optimal learning rate η*": series(gammas, lr_star),
        "γ² through the first point": series(
            small, lr_small[0] * (small / small[0]) ** (2 * q), style="theory"
        ),
        "γ^(2/L) through the last point": series(
            large, lr_large[-1] * (large / large[-1]) ** (2 * q / depth), style="theory"
        ),
    },
)
