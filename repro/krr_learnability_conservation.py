"""Kernel ridgeless regression conserves total learnability: Σ_i L_i = n (Simon et al. 2023)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

M = 200 if args.smoke else 600  # domain size; the measure is uniform on these points
domain = rng.uniform(size=(M, 2))
dist = np.linalg.norm(domain[:, None] - domain[None], axis=-1)
kernels = {"rbf": np.exp(-(dist**2) / (2 * 0.1**2)), "laplace": np.exp(-dist / 0.5)}


def eigenbasis(K):
    """Eigenvalues (largest first) and orthonormal eigenvectors of K."""
    mu, V = np.linalg.eigh(K)
    return mu[::-1], V[:, ::-1]


def learnabilities(K, V, train):
    """L(f) = ⟨f, f̂[f]⟩ for each column f of V, where f̂[f] = K[:, S] K[S, S]⁻¹ f[S] is the
    ridgeless fit on the training points S. With φ = √M·v the uniform-measure inner product
    ⟨φ, g⟩ = v · g / √M, so L = v · f̂[v]."""
    fit = K[:, train] @ np.linalg.solve(K[np.ix_(train, train)], V[train])
    return np.sum(V * fit, axis=0)


errors, eigen_L, curves = [], [], {}
random_basis, _ = np.linalg.qr(rng.standard_normal((M, M)))
for name, K in kernels.items():
    _, V = eigenbasis(K)
    for n in (20, 80):
        train = rng.choice(M, n, replace=False)
        L = learnabilities(K, V, train)
        eigen_L.append(L)
        # The sum is a trace, so it is n in any complete orthonormal basis, not only in V.
        errors += [abs(L.sum() - n), abs(learnabilities(K, random_basis, train).sum() - n)]
        curves[f"{name}, n={n}"] = series(np.arange(1, 151), L[:150])

# Zero-sum competition: multiply one eigenvalue of the Laplace kernel by 4. The eigenvectors
# are unchanged, so whatever that mode gains in learnability the other modes must lose.
mu, V = eigenbasis(kernels["laplace"])
j = 30  # the 31st-largest mode
boosted = kernels["laplace"] + 3 * mu[j] * np.outer(V[:, j], V[:, j])
train = rng.choice(M, 40, replace=False)
change = learnabilities(boosted, V, train) - learnabilities(kernels["laplace"], V, train)

write_result(
    args,
    metrics={
        "max_conservation_error": max(errors),
        "min_learnability": min(L.min() for L in eigen_L),
        "max_learnability": max(L.max() for L in eigen_L),
        "boosted_mode_gain": change[j],
        "zero_sum_ratio": -np.delete(change, j).sum() / change[j],
    },
    curves=curves,
)
