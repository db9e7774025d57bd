"""Edge of stability: full-batch GD drives the sharpness to 2/η and holds it (Cohen et al. 2021)."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.sparse.linalg import LinearOperator, eigsh

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

n, d, h, k = (64, 8, 16, 4) if args.smoke else (256, 16, 64, 4)
steps = 300 if args.smoke else 2500
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


def sharpness(theta, v0):
    """Top Hessian eigenvalue by Lanczos on finite-difference Hessian-vector products."""

    def hvp(v):
        eps = 1e-4 / max(np.linalg.norm(v), 1e-30)
        return (loss_and_grad(theta + eps * v)[1] - loss_and_grad(theta - eps * v)[1]) / (2 * eps)

    op = LinearOperator((theta.size, theta.size), matvec=hvp, dtype=float)
    vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=1e-4)
    return vals[0], vecs[:, 0]


theta0 = np.concatenate(
    [np.concatenate([rng.standard_normal(a * b) / np.sqrt(a), np.zeros(b)]) for a, b in shapes]
)
start = rng.standard_normal(theta0.size)  # fixed Lanczos start, for determinism
s0, _ = sharpness(theta0, start)
metrics, curves, late_sharpness = {"initial_sharpness": s0}, {}, {}
for eta in (0.2, 0.3):
    theta, vec, late, times, sharp, losses = theta0.copy(), start, [], [], [], []
    for t in range(steps + 1):
        loss, g = loss_and_grad(theta)
        losses.append(loss)
        if t % 100 == 0:
            s, vec = sharpness(theta, vec)
            times.append(t)
            sharp.append(s)
            if t >= steps * 0.6:
                late.append(s)
        theta -= eta * g
    tag = f"eta_{eta:g}".replace(".", "p")
    metrics[f"sharpness_times_eta_over_2_{tag}"] = np.mean(late) * eta / 2
    metrics[f"loss_increases_{tag}"] = int(np.sum(np.diff(losses) > 0))
    metrics[f"loss_ratio_{tag}"] = losses[-1] / losses[0]
    curves[f"sharpness, η = {eta}"] = series(times, sharp)
    curves[f"2/η, η = {eta}"] = series([0, steps], [2 / eta, 2 / eta], style="theory")
    late_sharpness[eta] = np.mean(late)

metrics["sharpness_ratio_0p2_over_0p3"] = late_sharpness[0.2] / late_sharpness[0.3]
write_result(args, metrics=metrics, curves=curves)
