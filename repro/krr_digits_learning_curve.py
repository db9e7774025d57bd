"""Eigenlearning predicts kernel regression's learning curve on handwritten digits."""

import numpy as np
from harness import parse_args, series, write_result
from scipy.optimize import brentq
from sklearn.datasets import load_digits

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# The population is the whole digits set (1797 images, 8x8 pixels), uniformly weighted.
images, labels = load_digits(return_X_y=True)
X = images / 16.0
Y = np.eye(10)[labels]
Y -= Y.mean(axis=0)
N = len(X)
sq = (X * X).sum(axis=1)
dist2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0)
K = np.exp(-dist2 / (p.bandwidth * np.median(dist2)))

# Theory: spectrum of the kernel operator on the population and the target's power per mode.
eigvals, eigvecs = np.linalg.eigh(K / N)
eigvals, eigvecs = np.clip(eigvals[::-1], 0, None), eigvecs[:, ::-1]
power = ((eigvecs.T @ Y) ** 2).sum(axis=1) / N / Y.shape[1]  # v_k^2, averaged over outputs


def eigenlearning(n: int, spectrum: np.ndarray) -> float:
    """Predicted test MSE at n samples (Simon et al. 2023), label noise included."""
    kappa = brentq(lambda k: (spectrum / (spectrum + k)).sum() + p.ridge / k - n, 1e-14, 1e3)
    learn = spectrum / (spectrum + kappa)
    overfit = n / (n - (learn**2).sum())
    return float(overfit * (((1 - learn) ** 2 * power).sum() + p.label_noise**2))


measured = []
for n in p.sizes:
    errors = []
    for _ in range(p.draws):
        train = rng.choice(N, n, replace=True)
        noisy = Y[train] + p.label_noise * rng.standard_normal((n, Y.shape[1]))
        coef = np.linalg.solve(K[np.ix_(train, train)] + p.ridge * np.eye(n), noisy)
        errors.append(np.mean((K[:, train] @ coef - Y) ** 2))
    measured.append(float(np.mean(errors)))

sizes = list(p.sizes)
mse = dict(zip(sizes, measured, strict=True))
white = np.full_like(eigvals, eigvals.sum() / N)
write_result(
    args,
    metrics={
        "test_mse_n50": mse[50],
        "test_mse_n200": mse[200],
        "decay_exponent": np.log(mse[200] / mse[50]) / np.log(4),
    },
    curves={
        "kernel regression (measured)": series(sizes, measured),
        "eigenlearning from the spectrum": series(
            sizes, [eigenlearning(n, eigvals) for n in sizes], style="theory"
        ),
        "white spectrum, same trace": series(
            sizes, [eigenlearning(n, white) for n in sizes], style="theory"
        ),
    },
)
