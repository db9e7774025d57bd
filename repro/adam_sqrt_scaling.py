"""Adam's square-root scaling rule: batch size x k needs learning rate x sqrt(k) (Malladi et al. 2022)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import minimize_scalar

args = parse_args(__doc__)
p = args.params

# Online least squares with strong label noise, so minibatch gradients are noise-dominated
# (the regime of the Adam SDE).
d, sigma, replicas = p.dim, p.label_noise, p.replicas
eta, batch, k = p.learning_rate, p.batch, p.batch_factor
beta1, beta2, eps = p.beta1, p.beta2, p.epsilon
examples = p.examples
lam = np.logspace(0, np.log10(p.smallest_eigenvalue), d)
rng = np.random.default_rng(args.seed)
theta_star = p.target_scale * rng.standard_normal(d) / np.sqrt(d)
checkpoints = np.arange(1, p.checkpoints + 1) * (examples // p.checkpoints)
# One data stream per replica, shared by all runs: every run sees the same examples in the
# same order, so curves at equal numbers of examples differ only through the hyperparameters.
X_all = rng.standard_normal((replicas, examples, d)) * np.sqrt(lam)
y_all = X_all @ theta_star + sigma * rng.standard_normal((replicas, examples))


def loss_curve(lr, b, scale):
    """Adam with the batch-size-k hyperparameter map 1 - beta -> scale (1 - beta),
    eps -> eps / sqrt(scale); mean excess loss over replicas at fixed examples seen. Without
    p.adaptive the denominator is dropped: SGD with the same EMA momentum."""
    b1, b2, e = 1 - scale * (1 - beta1), 1 - scale * (1 - beta2), eps / np.sqrt(scale)
    theta, m, v = np.zeros((replicas, d)), np.zeros((replicas, d)), np.zeros((replicas, d))
    curve = []
    for step in range(1, examples // b + 1):
        X, y = X_all[:, (step - 1) * b : step * b], y_all[:, (step - 1) * b : step * b]
        g = np.einsum("rbd,rb->rd", X, np.einsum("rbd,rd->rb", X, theta) - y) / b
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        if p.adaptive:
            theta -= lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + e)
        else:
            theta -= lr * (m / (1 - b1**step))
        if step * b in checkpoints:
            curve.append(0.5 * np.mean((theta - theta_star) ** 2 @ lam))
    return np.array(curve)


def mismatch(p):
    """Mean squared log-ratio between the curve at batch k*B with eta' = eta * k**p and the base."""
    return np.mean(np.log(loss_curve(eta * k**p, k * batch, k) / base) ** 2)


base = loss_curve(eta, batch, 1)
best_power = minimize_scalar(
    mismatch, bounds=tuple(p.exponent_search), method="bounded", options={"xatol": 0.005}
).x

sqrt_rule = loss_curve(np.sqrt(k) * eta, k * batch, k)
linear = loss_curve(k * eta, k * batch, k)
late = slice(len(checkpoints) // 2, None)  # the loss has reached its noise floor by then
write_result(
    args,
    metrics={
        "matching_exponent": best_power,
        "floor_ratio_sqrt_rule": sqrt_rule[late].mean() / base[late].mean(),
        "floor_ratio_linear_rule": linear[late].mean() / base[late].mean(),
    },
    curves={
        f"Adam η={eta}, B={batch}": series(checkpoints, base),
        f"square-root rule η={np.sqrt(k) * eta:g}, B={k * batch}": series(checkpoints, sqrt_rule),
        f"linear rule η={k * eta:g}, B={k * batch}": series(checkpoints, linear),
    },
)
