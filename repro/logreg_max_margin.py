"""Logistic regression on separable data: w(t) = ŵ ln t + w̃ + o(1) (Soudry et al. 2018)."""

import itertools

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)
n, margin_floor = p.n_points, p.margin_floor


def hard_margin_svm(Z):
    """Min ‖w‖ s.t. Z w ≥ 1, in 2-D by enumerating active sets of one or two points."""
    best = None
    for k in (1, 2):
        for S in itertools.combinations(range(len(Z)), k):
            ZS = Z[list(S)]
            if abs(np.linalg.det(ZS @ ZS.T)) < 1e-12:
                continue
            alpha = np.linalg.solve(ZS @ ZS.T, np.ones(k))
            if (alpha <= 0).any():
                continue
            w = ZS.T @ alpha
            if (Z @ w).min() >= 1 - 1e-9 and (best is None or w @ w < best[0] @ best[0]):
                best = (w, list(S), alpha)
    return best


# Separable data with a margin of at least 0.3 along a random direction. The prediction for
# w̃ needs support vectors that span the plane, so draws with a single one are redrawn.
while True:
    u = rng.standard_normal(2)
    u /= np.linalg.norm(u)
    x = rng.standard_normal((4 * n, 2))
    x = x[np.abs(x @ u) >= margin_floor][:n]
    Z = np.sign(x @ u)[:, None] * x  # label-signed inputs: the margins are Z @ w
    w_svm, support, alpha = hard_margin_svm(Z)
    if len(support) == 2:
        break
# A non-support point at margin m adds a t^(1-m) term to the o(1) remainder; push every such
# point out along ŵ to margin >= 2 (the SVM itself is unchanged) so the remainder dies as 1/t.
pushed = np.setdiff1d(np.arange(n), support)
Z[pushed] += np.maximum(0, p.push_margin - Z[pushed] @ w_svm)[:, None] * w_svm / (w_svm @ w_svm)
# Gradient flow on Σ log(1 + e^{-z·w}): support vectors obey exp(−z_n·w̃) = α_n.
w_tilde = np.linalg.solve(Z[support], -np.log(alpha))


def velocity(s, w):
    """dw/ds with s = ln(1 + t): the flow is smooth in log-time, so RK4 can take even steps."""
    return np.exp(s) * Z.T @ (1 / (1 + np.exp(Z @ w)))


t_end, ds = p.t_end, p.log_time_step
w, s, log_t, ws = np.zeros(2), 0.0, [], []
while s < np.log1p(t_end):
    k1 = velocity(s, w)
    k2 = velocity(s + ds / 2, w + ds / 2 * k1)
    k3 = velocity(s + ds / 2, w + ds / 2 * k2)
    k4 = velocity(s + ds, w + ds * k3)
    w, s = w + ds / 6 * (k1 + 2 * k2 + 2 * k3 + k4), s + ds
    log_t.append(np.log(np.expm1(s)))
    ws.append(w)
log_t, ws = np.array(log_t), np.array(ws)


def angle(a, b):
    return np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))


predicted = np.outer(log_t, w_svm) + w_tilde
angles = np.array([angle(v, w_svm) for v in ws])
angles_pred = np.array([angle(v, w_svm) for v in predicted])
late = log_t >= log_t[-1] - np.log(10)  # the last decade of time
growth = np.polyfit(log_t[late], np.linalg.norm(ws[late], axis=1), 1)[0]
show = slice(None, None, 50)
write_result(
    args,
    metrics={
        "angle_ratio": angles[-1] / angles_pred[-1],
        "offset_error": np.linalg.norm(ws[-1] - predicted[-1]) / np.linalg.norm(w_tilde),
        "norm_growth_ratio": growth / np.linalg.norm(w_svm),
        "final_angle_rad": angles[-1],
    },
    curves={
        "angle to SVM direction": series(log_t[show] / np.log(10), angles[show]),
        "theory: ŵ ln t + w̃": series(log_t[show] / np.log(10), angles_pred[show], style="theory"),
    },
)
