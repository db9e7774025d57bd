"""One large gradient step on the first layer beats random features (Ba et al. 2022).

Two-layer ReLU network f(x) = N^-1/2 Σ a_i σ(w_i·x + b_i) on a single-index target
y = c1 He1(z) + c2 He2(z)/√2 + noise, z = β*·x. Neurons come in pairs (w, b, a) and (w, b, −a),
so f = 0 at initialisation. One full-batch gradient step on W with step η√N (n0 fresh samples),
then ridge regression of the second layer on σ(W x + b) with fresh samples; the ridge penalty is
chosen on a validation split. The random-features baseline is the same readout on the untrained W.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d, half = p.input_dim, p.width // 2
beta = rng.standard_normal(d)
beta /= np.linalg.norm(beta)


def sample(n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.standard_normal((n, d))
    z = x @ beta
    y = p.c1 * z + p.c2 * (z**2 - 1) / np.sqrt(2) + p.noise * rng.standard_normal(n)
    return x, y


w_half = rng.standard_normal((half, d)) / np.sqrt(d)
b_half = rng.standard_normal(half)
a_half = rng.standard_normal(half)
W0 = np.vstack([w_half, w_half])
bias = np.concatenate([b_half, b_half])
a = np.concatenate([a_half, -a_half])
N = len(a)


def features(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.maximum(x @ W.T + bias, 0.0)


# Gradient of ½·mean (y − f)² with respect to W; f = 0 at initialisation, so the residual is y.
x0, y0 = sample(p.step_samples)
active = (x0 @ W0.T + bias > 0).astype(float)  # σ'(w_i·x + b_i) for ReLU
grad = -(a[:, None] / np.sqrt(N)) * ((active * y0[:, None]).T @ x0) / p.step_samples

x_fit, y_fit = sample(p.ridge_samples)
x_val, y_val = sample(p.ridge_samples // 4)
x_test, y_test = sample(p.test_samples)


def ridge_risk(W: np.ndarray) -> float:
    """Test risk E(y − ŷ)² of the ridge readout whose penalty wins on the validation split."""
    F, Fv, Ft = features(W, x_fit), features(W, x_val), features(W, x_test)
    gram, rhs = F.T @ F / len(F), F.T @ y_fit / len(F)
    scale = np.trace(gram) / N
    best = (np.inf, np.zeros(N))
    for lam in np.geomspace(1e-6, 1.0, 13) * scale:
        coef = np.linalg.solve(gram + lam * np.eye(N), rhs)
        val = np.mean((Fv @ coef - y_val) ** 2)
        if val < best[0]:
            best = (val, coef)
    return float(np.mean((Ft @ best[1] - y_test) ** 2))


# The declared step, and a sweep of step sizes for the plot (same gradient, same data).
sweep = np.array(p.plot_step_sizes)
sweep_risk = [ridge_risk(W0 - eta * np.sqrt(N) * grad) for eta in sweep]
floor = p.c2**2 + p.noise**2
write_result(
    args,
    metrics={
        "rf_risk": ridge_risk(W0),
        "one_step_risk": ridge_risk(W0 - p.step_size * np.sqrt(N) * grad),
    },
    curves={
        "ridge risk after one step": series(sweep, sweep_risk),
        "random-features floor c₂² + σ²": series(sweep[[0, -1]], [floor, floor], style="theory"),
    },
)
