"""SGD's linear scaling rule: batch size x k needs learning rate x k to keep the loss-vs-data curve."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import minimize_scalar

args = parse_args(__doc__)
p = args.params

# Online least squares: x ~ N(0, diag(lam)), y = x . theta* + noise; every step sees fresh data.
d, sigma, replicas = p.dim, p.label_noise_std, p.replicas
eta, batch, k = p.lr, p.batch, p.scale_factor
examples = p.examples  # each of the read-outs must fall on a multiple of k * batch
lam = np.logspace(0, -p.spectrum_decades, d)
rng = np.random.default_rng(args.seed)
theta_star = p.target_scale * rng.standard_normal(d) / np.sqrt(d)
checkpoints = np.arange(1, p.readouts + 1) * (examples // p.readouts)
# One data stream per replica, shared by all runs: every run sees the same examples in the
# same order, so curves at equal numbers of examples differ only through the hyperparameters.
X_all = rng.standard_normal((replicas, examples, d)) * np.sqrt(lam)
y_all = X_all @ theta_star + sigma * rng.standard_normal((replicas, examples))


def loss_curve(lr, b):
    """Mean excess loss over independent replicas, read at fixed numbers of examples seen."""
    theta = np.zeros((replicas, d))
    curve = []
    for step in range(1, examples // b + 1):
        X, y = X_all[:, (step - 1) * b : step * b], y_all[:, (step - 1) * b : step * b]
        residual = np.einsum("rbd,rd->rb", X, theta) - y
        theta -= lr / b * np.einsum("rbd,rb->rd", X, residual)
        if step * b in checkpoints:
            curve.append(0.5 * np.mean((theta - theta_star) ** 2 @ lam))
    return np.array(curve)


def expected_curve(lr, b):
    """Exact expected excess loss of online SGD with Gaussian inputs (closed second-moment
    recursion on the diagonal of E[(theta - theta*)(theta - theta*)^T])."""
    c, curve = theta_star**2, []
    for step in range(1, examples // b + 1):
        c = (1 - lr * lam) ** 2 * c + lr**2 / b * (lam**2 * c + lam * (lam @ c + sigma**2))
        if step * b in checkpoints:
            curve.append(0.5 * lam @ c)
    return np.array(curve)


def mismatch(p):
    """Mean squared log-ratio between the curve at batch k*B with eta' = eta * k**p and the base."""
    return np.mean(np.log(loss_curve(eta * k**p, k * batch) / base) ** 2)


base = loss_curve(eta, batch)
best_power = minimize_scalar(
    mismatch, bounds=tuple(p.exponent_search), method="bounded", options={"xatol": 0.005}
).x

linear = loss_curve(k * eta, k * batch)
sqrt_rule = loss_curve(np.sqrt(k) * eta, k * batch)
write_result(
    args,
    metrics={
        "matching_exponent": best_power,
        "gap_linear_rule": np.sqrt(np.mean(np.log(linear / base) ** 2)),
    },
    curves={
        f"SGD η={eta}, B={batch}": series(checkpoints, base),
        f"linear rule η={k * eta:g}, B={k * batch}": series(checkpoints, linear),
        f"square-root rule η={np.sqrt(k) * eta:g}, B={k * batch}": series(checkpoints, sqrt_rule),
        "exact expected loss, base": series(checkpoints, expected_curve(eta, batch), "theory"),
    },
)
