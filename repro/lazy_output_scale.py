"""Output scale alpha sets laziness: weights move as 1/alpha, toward the linearised model."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, m, lr, steps = p.n_train, p.input_dim, p.width, p.lr, p.steps
alphas = np.array(p.alphas, dtype=float)
X = rng.standard_normal((n, d))
y = np.sin(X @ rng.standard_normal(d) / np.sqrt(d) * 2)
a0, W0 = rng.standard_normal(m), rng.standard_normal((m, d))


def net(a, W):
    """f(x) = a . tanh(W x / sqrt(d)) / sqrt(m) on the training inputs, and the activations."""
    act = np.tanh(X @ W.T / np.sqrt(d))
    return act @ a / np.sqrt(m), act


f0, act0 = net(a0, W0)
# The scaled model is alpha (f - f0); without centring it is alpha f, which starts at alpha f0.
offset = f0 if p.centre_output else np.zeros(n)


def train(alpha):
    """GD on mean (alpha (f - f0) - y)^2 / (2 alpha^2). Returns alpha * (theta - theta0) and
    the final model outputs alpha (f - f0)."""
    a, W = a0.copy(), W0.copy()
    for _ in range(steps):
        f, act = net(a, W)
        g_f = (alpha * (f - offset) - y) / (alpha * n)  # d loss / d f
        grad_a = act.T @ g_f / np.sqrt(m)
        grad_W = (g_f[:, None] * (1 - act**2) * a).T @ X / np.sqrt(m * d)
        a, W = a - lr * grad_a, W - lr * grad_W
    return alpha * np.concatenate([a - a0, (W - W0).ravel()]), alpha * (net(a, W)[0] - offset)


# alpha -> infinity: u = alpha (theta - theta0) follows GD on the model linearised at theta0,
# u <- u - lr/n J0^T (J0 u - y), with no alpha left in it
J0 = np.concatenate(
    [act0, (((1 - act0**2) * a0)[:, :, None] * X[:, None, :]).reshape(n, -1) / np.sqrt(d)], axis=1
) / np.sqrt(m)
u = np.zeros(J0.shape[1])
for _ in range(steps):
    u = u - lr * J0.T @ (J0 @ u - y) / n
F_lin = J0 @ u

theta0_norm = np.sqrt(np.sum(a0**2) + np.sum(W0**2))
runs = [train(alpha) for alpha in alphas]
rel_change = np.array([np.linalg.norm(du) for du, _ in runs]) / alphas / theta0_norm
gap = np.array([np.linalg.norm(F - F_lin) for _, F in runs]) / np.linalg.norm(F_lin)
lazy = alphas >= p.fit_from_alpha  # fit the asymptotic laws away from the rich end (alpha <= 1)

write_result(
    args,
    metrics={
        "weight_change_slope": np.polyfit(np.log(alphas[lazy]), np.log(rel_change[lazy]), 1)[0],
        "lin_gap_slope": np.polyfit(np.log(alphas[lazy]), np.log(gap[lazy]), 1)[0],
        "lazy_limit_ratio": rel_change[-1] * alphas[-1] * theta0_norm / np.linalg.norm(u),
    },
    curves={
        "relative weight change |dtheta|/|theta0|": series(alphas, rel_change),
        "linearised model |u|/(alpha |theta0|)": series(
            alphas, np.linalg.norm(u) / alphas / theta0_norm, style="theory"
        ),
        "relative gap to the linearised model": series(alphas, gap),
    },
)
