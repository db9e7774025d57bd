"""Heavy-ball SGD with momentum beta and learning rate eta behaves like plain SGD with eta/(1-beta)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import minimize_scalar

args = parse_args(__doc__)
p = args.params

# Online least squares: x ~ N(0, diag(lam)), y = x . theta* + noise; every step sees fresh data.
d, sigma, replicas = p.dim, p.label_noise_std, p.replicas
eta, beta, batch = p.lr, p.beta, p.batch
examples = p.examples
lam = np.logspace(0, -p.spectrum_decades, d)
rng = np.random.default_rng(args.seed)
theta_star = p.target_scale * rng.standard_normal(d) / np.sqrt(d)
checkpoints = np.arange(1, p.readouts + 1) * (examples // p.readouts)
# Heavy ball sums the gradients (v <- beta v + g); an exponential moving average instead
# weights the new gradient by 1 - beta, which removes the 1/(1 - beta) gain.
new_gradient_weight = 1.0 if not p.average_gradients else 1 - beta
# One data stream per replica, reused by every run in the same order.
X_all = rng.standard_normal((replicas, examples, d)) * np.sqrt(lam)
y_all = X_all @ theta_star + sigma * rng.standard_normal((replicas, examples))


def loss_curve(lr, momentum, gain=1.0):
    """Heavy ball v <- momentum v + gain g, theta <- theta - lr v; mean excess loss over
    replicas."""
    theta, v = np.zeros((replicas, d)), np.zeros((replicas, d))
    curve = []
    for step in range(1, examples // batch + 1):
        X = X_all[:, (step - 1) * batch : step * batch]
        y = y_all[:, (step - 1) * batch : step * batch]
        g = np.einsum("rbd,rb->rd", X, np.einsum("rbd,rd->rb", X, theta) - y) / batch
        v = momentum * v + gain * g
        theta -= lr * v
        if step * batch in checkpoints:
            curve.append(0.5 * np.mean((theta - theta_star) ** 2 @ lam))
    return np.array(curve)


def mismatch(log2_ratio):
    """Mean squared log-ratio between plain SGD at eta' = 2**log2_ratio * eta / (1 - beta) and
    the heavy-ball curve."""
    plain = loss_curve(2.0**log2_ratio * eta / (1 - beta), 0.0)
    return np.mean(np.log(plain / heavy_ball) ** 2)


heavy_ball = loss_curve(eta, beta, new_gradient_weight)
# Search plain-SGD learning rates from eta/(1-beta)/16 (below eta itself) to 2 eta/(1-beta).
log2_ratio = minimize_scalar(
    mismatch, bounds=tuple(p.log2_ratio_search), method="bounded", options={"xatol": 0.005}
).x
effective = loss_curve(eta / (1 - beta), 0.0)
late = slice(len(checkpoints) // 2, None)  # second half: the start-up lag no longer matters
write_result(
    args,
    metrics={
        "matched_lr_ratio": 2.0**log2_ratio,
        "gap_effective_lr": np.sqrt(np.mean(np.log(effective / heavy_ball) ** 2)),
        "late_loss_ratio": heavy_ball[late].mean() / effective[late].mean(),
    },
    curves={
        f"heavy ball η={eta}, β={beta}": series(checkpoints, heavy_ball),
        f"plain SGD η/(1−β)={eta / (1 - beta):g}": series(checkpoints, effective),
        f"plain SGD η={eta}": series(checkpoints, loss_curve(eta, 0.0)),
    },
)
