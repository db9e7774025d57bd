"""Representations of independently initialised nets converge: 1 - CKA falls as 1/width."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d, n, n_probe, lr = p.input_dim, p.n_train, p.n_probe, p.lr
nets_trained, nets_init, steps = p.nets_trained, p.nets_init, p.steps
widths = np.array(p.widths)

beta = rng.standard_normal(d) / np.sqrt(d)
X = rng.standard_normal((n, d))
y = np.tanh(2 * X @ beta) + 0.5 * np.sin(X[:, 0] * X[:, 1])
probe = rng.standard_normal((n_probe, d))  # inputs on which representations are compared


def centred_gram(H):
    H = H - H.mean(0)
    return H @ H.T


def cka(Ka, Kb):
    """Linear CKA of two centred Gram matrices (Kornblith et al. 2019)."""
    return (Ka * Kb).sum() / (np.linalg.norm(Ka) * np.linalg.norm(Kb))


def mean_deficit(grams):
    pairs = [(i, j) for i in range(len(grams)) for j in range(i + 1, len(grams))]
    return np.mean([1 - cka(grams[i], grams[j]) for i, j in pairs])


def train(width, net_rng):
    """Two-layer tanh net, mean-field scaling f = a·tanh(Wx)/m with learning rate ∝ m."""
    W = net_rng.standard_normal((width, d)) / np.sqrt(d)
    a = net_rng.standard_normal(width)
    for _ in range(steps):
        h = np.tanh(X @ W.T)
        g = (h @ a / width - y) / n
        grad_a = h.T @ g / width
        grad_W = ((np.outer(g, a) / width) * (1 - h**2)).T @ X
        a -= lr * width * grad_a
        W -= lr * width * grad_W
    return centred_gram(np.tanh(probe @ W.T)), np.mean((np.tanh(X @ W.T) @ a / width - y) ** 2)


deficit_init, deficit_trained, losses = [], [], []


def init_weights(m, k):
    """First-layer weights of untrained net k; a fraction of its neurons may be common to all."""
    W = np.random.default_rng([args.seed, m, k]).standard_normal((m, d)) / np.sqrt(d)
    shared = round(p.shared_fraction * m)
    if shared:
        W[:shared] = np.random.default_rng([args.seed, m, 999]).standard_normal((shared, d))
        W[:shared] /= np.sqrt(d)
    return W


for m in widths:
    init_grams = [centred_gram(np.tanh(probe @ init_weights(m, k).T)) for k in range(nets_init)]
    deficit_init.append(mean_deficit(init_grams))
    trained = [
        train(m, np.random.default_rng([args.seed, m, 100 + k])) for k in range(nets_trained)
    ]
    deficit_trained.append(mean_deficit([g for g, _ in trained]))
    losses.append(np.mean([loss for _, loss in trained]))
deficit_init, deficit_trained = np.array(deficit_init), np.array(deficit_trained)

# Theory at init: with K = A + D/sqrt(m), 1 - CKA ≈ |D_perp|²/(m|A|²), where D_perp is the part of
# one neuron's centred Gram hhᵀ - A orthogonal to A; estimated from many sampled neurons.
W_many = rng.standard_normal((p.theory_neurons, d)) / np.sqrt(d)
H = np.tanh(probe @ W_many.T)
H -= H.mean(0)
A = H @ H.T / H.shape[1]
A_unit = A / np.linalg.norm(A)
along_A = np.einsum("ij,ik,jk->k", A_unit, H, H)
c_theory = (np.mean((H**2).sum(0) ** 2) - np.mean(along_A**2)) / (A**2).sum()


def deficit_slope(deficit):
    """Log-log slope over the widths where the expansion holds (1 - CKA <= 0.1)."""
    ok = deficit <= 0.1
    if ok.sum() < 2:  # only in the tiny --smoke configuration
        ok[:] = True
    return np.polyfit(np.log(widths[ok]), np.log(deficit[ok]), 1)[0]


perturbative = deficit_init <= 0.1
write_result(
    args,
    metrics={
        "slope_init": deficit_slope(deficit_init),
        "slope_trained": deficit_slope(deficit_trained),
        "init_deficit_ratio_to_theory": np.mean(widths[perturbative] * deficit_init[perturbative])
        / c_theory,
        "cka_trained_widest": 1 - deficit_trained[-1],
        "trained_to_init_deficit_widest": deficit_trained[-1] / deficit_init[-1],
        "train_mse_widest": losses[-1],
        "c_theory": c_theory,
    },
    curves={
        "1 - CKA at init": series(widths, deficit_init),
        "1 - CKA after training": series(widths, deficit_trained),
        "theory at init: c/m": series(widths, c_theory / widths, style="theory"),
    },
)
