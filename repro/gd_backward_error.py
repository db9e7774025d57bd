"""Gradient descent follows a modified gradient flow on L + (eta/4)|grad L|^2 (Barrett & Dherin 2021)."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# Matrix factorisation L(U, V) = 1/2 |U V^T - A|_F^2: non-convex, with an analytic Hessian.
d, tau, dt = p.dim, p.tau, p.rk4_step
etas = p.learning_rates
A = rng.standard_normal((d, d))
A *= p.target_norm / np.linalg.norm(A, 2)
U0 = p.init_scale * rng.standard_normal((d, d)) / np.sqrt(d)
V0 = p.init_scale * rng.standard_normal((d, d)) / np.sqrt(d)


def grad(U, V):
    R = U @ V.T - A
    return R @ V, R.T @ U


def hvp(U, V, dU, dV):
    """Hessian of L at (U, V) applied to the direction (dU, dV)."""
    R, dR = U @ V.T - A, dU @ V.T + U @ dV.T
    return dR @ V + R @ dV, dR.T @ U + R.T @ dU


def rk4(field, state, t_end):
    def shift(base, slope, h):
        return [s + h * k for s, k in zip(base, slope, strict=True)]

    for _ in range(round(t_end / dt)):
        k1 = field(state)
        k2 = field(shift(state, k1, dt / 2))
        k3 = field(shift(state, k2, dt / 2))
        k4 = field(shift(state, k3, dt))
        state = [
            s + dt / 6 * (a + 2 * b + 2 * c + e)
            for s, a, b, c, e in zip(state, k1, k2, k3, k4, strict=True)
        ]
    return state


def flow_and_sensitivity(state):
    """Gradient flow, plus the linearised response delta to the (1/4)|grad L|^2 penalty:
    delta' = -H delta - (1/2) H grad L, so that modified flow = gradient flow + eta * delta + O(eta^2)."""
    U, V, dU, dV = state
    gU, gV = grad(U, V)
    hU, hV = hvp(U, V, gU, gV)
    jU, jV = hvp(U, V, dU, dV)
    return [-gU, -gV, -jU - 0.5 * hU, -jV - 0.5 * hV]


def modified_flow(eta):
    c = p.penalty_coefficient

    def field(state):
        gU, gV = grad(*state)
        hU, hV = hvp(*state, gU, gV)  # gradient of c eta |grad L|^2 is 2 c eta H grad L
        return [-gU - 2 * c * eta * hU, -gV - 2 * c * eta * hV]

    return field


flat = np.concatenate
U_gf, V_gf, dU, dV = rk4(flow_and_sensitivity, [U0, V0, 0 * U0, 0 * V0], tau)
delta = flat([dU.ravel(), dV.ravel()])
err_flow, err_modified, coefficient = [], [], []
for eta in etas:
    U, V = U0.copy(), V0.copy()
    for _ in range(round(tau / eta)):
        gU, gV = grad(U, V)
        if p.heun_step:  # second-order Runge-Kutta step: matches gradient flow to O(eta^2)
            pU, pV = grad(U - eta * gU, V - eta * gV)
            gU, gV = (gU + pU) / 2, (gV + pV) / 2
        U, V = U - eta * gU, V - eta * gV
    U_mf, V_mf = rk4(modified_flow(eta), [U0, V0], tau)
    gap = flat([(U - U_gf).ravel(), (V - V_gf).ravel()])
    err_flow.append(np.linalg.norm(gap))
    err_modified.append(np.linalg.norm(flat([(U - U_mf).ravel(), (V - V_mf).ravel()])))
    # Project the GD-vs-flow gap on the first-order prediction: 1/4 if the modified loss is right.
    coefficient.append(0.25 * (gap @ delta) / (eta * delta @ delta))

log_eta = np.log(etas)
write_result(
    args,
    metrics={
        "slope_vs_gradient_flow": np.polyfit(log_eta, np.log(err_flow), 1)[0],
        "slope_vs_modified_flow": np.polyfit(log_eta, np.log(err_modified), 1)[0],
        "penalty_coefficient": coefficient[-1],
    },
    curves={
        "|GD - gradient flow|": series(etas, err_flow),
        "|GD - modified flow|": series(etas, err_modified),
        "first order: eta |delta(tau)|": series(
            etas, [eta * np.linalg.norm(delta) for eta in etas], style="theory"
        ),
    },
)
