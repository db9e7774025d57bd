"""Stationary excess risk of constant-step single-sample SGD on least squares.

Inputs x = sqrt(λ) ⊙ z with z i.i.d. of unit variance (Gaussian, Rademacher or Laplace), labels
y = xᵀw* + ξ with ξ ~ N(0, σ²). Many independent replicas of SGD run in parallel with their
own data streams; the excess risk E[(w − w*)ᵀH(w − w*)] and the per-coordinate weight errors
are averaged over replicas and over the steps after a burn-in, for two step sizes.

Theory (second-moment recursion, closed because the fourth moment of z factorises): with
m4 = E[z⁴], the stationary covariance of e = w − w* is diagonal with
c_i = η(σ² + R)/(2 − (m4 − 1)ηλ_i), and the excess risk R = Σλ_i c_i = σ²S/(1 − S) with
S = Σ ηλ_i/(2 − (m4 − 1)ηλ_i). Gaussian inputs have m4 = 3.
"""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

lam = 1.0 / np.arange(1, p.dim + 1) ** p.spectrum_power
sqrt_lam = np.sqrt(lam)
fourth_moment = {"gaussian": 3.0, "rademacher": 1.0, "laplace": 6.0}[p.input_law]


def draw_z(shape: tuple[int, int]) -> np.ndarray:
    """Unit-variance i.i.d. coordinates of the chosen law."""
    if p.input_law == "gaussian":
        return rng.standard_normal(shape)
    if p.input_law == "rademacher":
        return rng.choice([-1.0, 1.0], size=shape)
    return rng.laplace(scale=1 / np.sqrt(2), size=shape)


def theory_floor(eta: float) -> float:
    """Exact stationary excess risk for the chosen input law (m4 = E[z⁴])."""
    s = np.sum(eta * lam / (2 - (fourth_moment - 1) * eta * lam))
    return p.label_noise**2 * s / (1 - s)


def run(eta: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Time- and replica-averaged excess risk, mean squared error per coordinate, and the
    replica-averaged risk curve (thinned) for one step size."""
    w_star = rng.standard_normal(p.dim) / np.sqrt(p.dim)
    err = -np.tile(w_star, (p.replicas, 1))  # w0 = 0, so e0 = −w*
    risk_sum, err2_sum, kept = 0.0, np.zeros(p.dim), 0
    curve = []
    for step in range(p.steps):
        x = draw_z((p.replicas, p.dim)) * sqrt_lam
        noise = p.label_noise * rng.standard_normal(p.replicas)
        residual = np.einsum("rd,rd->r", x, err) - noise  # prediction minus label
        err -= eta * residual[:, None] * x
        risk = (err**2 @ lam).mean()
        if step >= p.burn_in:
            risk_sum += risk
            err2_sum += (err**2).mean(axis=0)
            kept += 1
        if step % p.plot_every == 0:
            curve.append(risk)
    return risk_sum / kept, err2_sum / kept, np.array(curve)


eta_small, eta_large = p.step_sizes
floor_small, _, curve_small = run(eta_small)
floor_large, err2_large, curve_large = run(eta_large)

steps = np.arange(0, p.steps, p.plot_every)
curves = {}
for eta, curve in ((eta_small, curve_small), (eta_large, curve_large)):
    curves[f"SGD, η = {eta:g} (mean over replicas)"] = series(steps, curve)
    floor = theory_floor(eta)
    curves[f"exact floor, η = {eta:g}"] = series([0, p.steps], [floor, floor], style="theory")

write_result(
    args,
    metrics={
        "floor_small_step": floor_small,
        "floor_large_step": floor_large,
        "floor_ratio": floor_large / floor_small,
        "stiff_to_soft_error_ratio": err2_large[0] / err2_large[-1],
    },
    curves=curves,
)
