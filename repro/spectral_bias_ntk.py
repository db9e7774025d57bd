"""Spectral bias: a wide ReLU net learns each Fourier mode at the rate of its NTK eigenvalue."""

import numpy as np
from harness import Never, first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

n, eta, amp = p.n_points, p.lr, p.amplitude
width = p.width
freqs = np.array([1, 2, 3])
theta = 2 * np.pi * np.arange(n) / n
b2 = p.bias_input**2
# the last column is a constant input, so it acts as a bias
X = np.stack([np.cos(theta), np.sin(theta), p.bias_input * np.ones(n)], axis=1)
y = amp * np.sin(np.outer(freqs, theta)).sum(0)


def ntk_infinite(delta):
    """Infinite-width NTK of f = a·relu(Wx)/sqrt(m), unit Gaussian init, x = (cos, sin, b)."""
    norm2 = 1 + b2  # |x|², the variance of each pre-activation
    rho = (np.cos(delta) + b2) / norm2  # correlation of the two pre-activations
    angle = np.arccos(np.clip(rho, -1, 1))
    readout = norm2 / 2 * (np.sin(angle) + (np.pi - angle) * np.cos(angle)) / np.pi
    hidden = (np.pi - angle) / (2 * np.pi) * (np.cos(delta) + b2)
    return readout + hidden


# The kernel on the grid is circulant, so sin(kθ) is an eigenvector of K/n with eigenvalue lam_k.
lam = np.array([np.mean(ntk_infinite(theta) * np.cos(k * theta)) for k in freqs])
t_half_theory = np.log(2) / -np.log(1 - eta * lam)  # residual mode shrinks by (1 - eta lam) a step

# Mirrored init (a, -a with equal W) makes f = 0 at init without changing the kernel.
half = width // 2
W = rng.standard_normal((half, 3))
a = rng.standard_normal(half)
W, a = np.concatenate([W, W]), np.concatenate([a, -a])

steps = p.steps
basis = np.sin(np.outer(freqs, theta)) * np.sqrt(2 / n)
proj = []
for _ in range(steps + 1):
    pre = X @ W.T
    h = np.maximum(pre, 0)
    resid = h @ a / np.sqrt(width) - y
    proj.append(basis @ resid)
    g = resid / n  # gradient of the mean squared error (1/2n)·Σ resid² with respect to f
    grad_a = h.T @ g / np.sqrt(width)
    grad_W = ((np.outer(g, a) / np.sqrt(width)) * (pre > 0)).T @ X
    a -= eta * grad_a
    W -= eta * grad_W

proj = np.abs(np.array(proj))
log_ratio = np.log(proj / proj[0])
t_half: list[float | Never] = []
for j, k in enumerate(freqs):
    first = first_time(
        range(steps + 1), log_ratio[:, j] <= np.log(0.5), f"residual along sin {k}θ halved"
    )
    if isinstance(first, Never):
        t_half.append(first)
        continue
    i = int(first)  # interpolate log|residual| linearly between the two steps around the crossing
    t_half.append(
        i - 1 + (np.log(0.5) - log_ratio[i - 1, j]) / (log_ratio[i, j] - log_ratio[i - 1, j])
    )

steps_axis = np.arange(steps + 1)
curves = {}
for j, k in enumerate(freqs):
    curves[f"measured k={k}"] = series(steps_axis, proj[:, j] / proj[0, j])
    curves[f"NTK theory k={k}"] = series(
        steps_axis, (1 - eta * lam[j]) ** steps_axis, style="theory"
    )

write_result(
    args,
    metrics={
        "t_half_k1": t_half[0],
        "t_half_k2": t_half[1],
        "t_half_k3": t_half[2],
        "t_half_ratio_k3_k1": t_half[2] / t_half[0],
        "ntk_eigenvalue_k1": lam[0],
        "ntk_eigenvalue_k3": lam[2],
    },
    curves=curves,
)
