"""Edge of stability: full-batch GD drives the sharpness to 2/η and holds it (Cohen et al. 2021)."""

import os

# Small matrices: one BLAS thread is fastest, and several oversubscribe a shared machine.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
from harness import parse_args, series, write_result  # noqa: E402
from scipy.sparse.linalg import LinearOperator, eigsh  # noqa: E402

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, d, h, k = p.n_samples, p.input_dim, p.hidden, p.classes
steps = p.steps
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
        eps = p.fd_step / max(np.linalg.norm(v), 1e-30)
        return (loss_and_grad(theta + eps * v)[1] - loss_and_grad(theta - eps * v)[1]) / (2 * eps)

    op = LinearOperator((theta.size, theta.size), matvec=hvp, dtype=float)
    vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=p.lanczos_tol)
    return vals[0], vecs[:, 0]


theta0 = np.concatenate(
    [np.concatenate([rng.standard_normal(a * b) / np.sqrt(a), np.zeros(b)]) for a, b in shapes]
)
start = rng.standard_normal(theta0.size)  # fixed Lanczos start, for determinism
s0, _ = sharpness(theta0, start)
metrics, curves, late_sharpness = {"initial_sharpness": s0}, {}, {}
# Metric names carry the declared rates' labels (0p2, 0p3), so a mutant that changes a rate
# is judged against the same predictions.
labels = {p.eta_small: "0p2", p.eta_large: "0p3"}
for eta in (p.eta_small, p.eta_large):
    theta, vec, late, times, sharp, losses = theta0.copy(), start, [], [], [], []
    for t in range(steps + 1):
        loss, g = loss_and_grad(theta)
        losses.append(loss)
        if t % p.sharpness_every == 0:
            s, vec = sharpness(theta, vec)
            times.append(t)
            sharp.append(s)
            if t >= steps * p.late_fraction:
                late.append(s)
        theta -= eta * g
    tag = f"eta_{labels[eta]}"
    metrics[f"sharpness_times_eta_over_2_{tag}"] = np.mean(late) * eta / 2
    metrics[f"loss_increases_{tag}"] = int(np.sum(np.diff(losses) > 0))
    metrics[f"loss_ratio_{tag}"] = losses[-1] / losses[0]
    curves[f"sharpness, η = {eta}"] = series(times, sharp)
    curves[f"2/η, η = {eta}"] = series([0, steps], [2 / eta, 2 / eta], style="theory")
    late_sharpness[eta] = np.mean(late)

metrics["sharpness_ratio_0p2_over_0p3"] = late_sharpness[p.eta_small] / late_sharpness[p.eta_large]
write_result(args, metrics=metrics, curves=curves)
