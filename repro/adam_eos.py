"""Adaptive edge of stability: Adam holds λmax(P⁻¹H) at (2+2β1)/((1−β1)η) (Cohen et al. 2022)."""

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


def preconditioned_sharpness(theta, precond, v0):
    """λmax(P⁻¹H) = λmax(P^-½ H P^-½), by Lanczos on finite-difference Hessian-vector products."""
    scale = 1 / np.sqrt(precond)

    def matvec(x):
        u = scale * x
        eps = p.fd_step / max(np.linalg.norm(u), 1e-30)
        hu = (loss_and_grad(theta + eps * u)[1] - loss_and_grad(theta - eps * u)[1]) / (2 * eps)
        return scale * hu

    op = LinearOperator((theta.size, theta.size), matvec=matvec, dtype=float)
    vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=p.lanczos_tol)
    return vals[0], vecs[:, 0]


theta0 = np.concatenate(
    [np.concatenate([rng.standard_normal(a * b) / np.sqrt(a), np.zeros(b)]) for a, b in shapes]
)
start = rng.standard_normal(theta0.size)  # fixed Lanczos start, for determinism
eta, beta2, eps_adam = p.learning_rate, p.beta2, p.epsilon
metrics, curves = {}, {}
for beta1 in p.beta1_values:
    threshold = (2 + 2 * beta1) / ((1 - beta1) * eta)  # frozen-preconditioner stability limit
    theta, m, v, vec = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0), start
    times, sharp, late = [], [], []
    for t in range(1, steps + 1):
        loss, g = loss_and_grad(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        precond = np.sqrt(v / (1 - beta2**t)) + eps_adam
        if p.momentum_in_update:
            theta -= eta * m / (1 - beta1**t) / precond
        else:  # the gradient itself: RMSprop, whatever β1 the threshold is computed with
            theta -= eta * g / precond
        if t % p.sharpness_every == 0:
            s, vec = preconditioned_sharpness(theta, precond, vec)
            times.append(t)
            sharp.append(s)
            if t >= steps * p.late_fraction:
                late.append(s)
    tag = f"beta1_{beta1:g}".replace(".", "p")
    metrics[f"ratio_to_threshold_{tag}"] = np.mean(late) / threshold
    metrics[f"final_loss_{tag}"] = loss
    curves[f"λmax(P⁻¹H), β1 = {beta1}"] = series(times, sharp)
    curves[f"(2 + 2β1)/((1 − β1)η), β1 = {beta1}"] = series(
        [0, steps], [threshold, threshold], style="theory"
    )

write_result(args, metrics=metrics, curves=curves)
