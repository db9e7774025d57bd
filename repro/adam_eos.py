"""Adaptive edge of stability: Adam holds λmax(P⁻¹H) at (2+2β1)/((1−β1)η) (Cohen et al. 2022)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.sparse.linalg import LinearOperator, eigsh

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

n, d, h, k = (64, 8, 16, 4) if args.smoke else (256, 16, 64, 4)
steps = 200 if args.smoke else 1000
X = rng.standard_normal((n, d))
Y = np.eye(k)[rng.integers(0, k, n)]  # random one-hot labels
shapes = [(d, h), (h, h), (h, k)]


def unpack(theta):
    layers, i = [], 0
    for a, b in shapes:
        layers.append((theta[i : i + a * b].reshape(a, b), theta[i + a * b : i + a * b + b]))
        i += a * b + b
    return layers


def loss_and_grad(theta):
    """MSE (1/2n) Σ ‖f(x_i) − y_i‖² of a tanh MLP, with its gradient by backpropagation."""
    (W1, b1), (W2, b2), (W3, b3) = unpack(theta)
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    r = (h2 @ W3 + b3 - Y) / n
    d2 = (r @ W3.T) * (1 - h2**2)
    d1 = (d2 @ W2.T) * (1 - h1**2)
    grads = [X.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ r, r.sum(0)]
    return 0.5 * n * np.sum(r * r), np.concatenate([g.ravel() for g in grads])


def preconditioned_sharpness(theta, p, v0):
    """λmax(P⁻¹H) = λmax(P^-½ H P^-½), by Lanczos on finite-difference Hessian-vector products."""
    scale = 1 / np.sqrt(p)

    def matvec(x):
        u = scale * x
        eps = 1e-4 / max(np.linalg.norm(u), 1e-30)
        hu = (loss_and_grad(theta + eps * u)[1] - loss_and_grad(theta - eps * u)[1]) / (2 * eps)
        return scale * hu

    op = LinearOperator((theta.size, theta.size), matvec=matvec, dtype=float)
    vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=1e-4)
    return vals[0], vecs[:, 0]


theta0 = np.concatenate(
    [np.concatenate([rng.standard_normal(a * b) / np.sqrt(a), np.zeros(b)]) for a, b in shapes]
)
start = rng.standard_normal(theta0.size)  # fixed Lanczos start, for determinism
eta, beta2, eps_adam = 0.01, 0.999, 1e-8
metrics, curves = {}, {}
for beta1 in (0.9, 0.5):
    threshold = (2 + 2 * beta1) / ((1 - beta1) * eta)  # frozen-preconditioner stability limit
    theta, m, v, vec = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0), start
    times, sharp, late = [], [], []
    for t in range(1, steps + 1):
        loss, g = loss_and_grad(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p = np.sqrt(v / (1 - beta2**t)) + eps_adam
        theta -= eta * m / (1 - beta1**t) / p
        if t % 50 == 0:
            s, vec = preconditioned_sharpness(theta, p, vec)
            times.append(t)
            sharp.append(s)
            if t >= steps // 2:
                late.append(s)
    tag = f"beta1_{beta1:g}".replace(".", "p")
    metrics[f"ratio_to_threshold_{tag}"] = np.mean(late) / threshold
    metrics[f"final_loss_{tag}"] = loss
    curves[f"λmax(P⁻¹H), β1 = {beta1}"] = series(times, sharp)
    curves[f"(2 + 2β1)/((1 − β1)η), β1 = {beta1}"] = series(
        [0, steps], [threshold, threshold], style="theory"
    )

write_result(args, metrics=metrics, curves=curves)
