"""Weight decay on scale-invariant weights sets the angular update to sqrt(2 eta lambda / (1 + beta))."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

# Scale-invariant loss: least squares on the direction w/|w| only, as for weights feeding a norm layer.
d, batch, noise = p.dim, p.batch, p.label_noise
u_star = rng.standard_normal(d)
u_star /= np.linalg.norm(u_star)
eta_lambda = p.eta_lambda


def run(eta, wd, beta=0.0, loss_scale=1.0):
    """Heavy-ball SGD with L2 weight decay; returns per-step angles and |w| over the run."""
    steps = int(p.run_length / eta_lambda)
    w, v = rng.standard_normal(d), np.zeros(d)
    w /= np.linalg.norm(w)
    angles, norms = [], []
    for _ in range(steps):
        X = rng.standard_normal((batch, d))
        y = X @ u_star + noise * rng.standard_normal(batch)
        norm = np.linalg.norm(w)
        u = w / norm
        grad_u = loss_scale * X.T @ (X @ u - y) / batch
        grad = (grad_u - u * (u @ grad_u)) / norm  # orthogonal to w, shrinks like 1/|w|
        v = beta * v + grad + wd * w
        w_next = w - eta * v
        angles.append(np.arccos(np.clip(u @ w_next / np.linalg.norm(w_next), -1.0, 1.0)))
        norms.append(norm)
        w = w_next
    return np.array(angles), np.array(norms)


def rms_second_half(angles):
    return np.sqrt(np.mean(angles[len(angles) // 2 :] ** 2))


# Same product eta * lambda, learning rates 100x apart: the equilibrium angle should not care.
# (With equal_products false every run gets the weight decay of the middle one instead.)
etas = p.learning_rates
configs = [(eta, eta_lambda / (eta if p.equal_products else etas[1])) for eta in etas]
sgd = [run(eta, wd) for eta, wd in configs]
sgd_rms = np.array([rms_second_half(a) for a, _ in sgd])
beta = p.momentum
momentum_rms = rms_second_half(run(etas[1], eta_lambda / etas[1], beta=beta)[0])
scaled_rms = rms_second_half(run(etas[1], eta_lambda / etas[1], loss_scale=p.loss_scale)[0])

predicted = np.sqrt(2 * eta_lambda)
window = 50  # running RMS for the plot
curves = {}
for (eta, wd), (angles, _) in zip(configs, sgd, strict=True):
    running = np.sqrt(np.convolve(angles**2, np.ones(window) / window, mode="valid"))[::window]
    curves[f"SGD η={eta:g}, λ={wd:g}"] = series(np.arange(len(running)) * window, running)
curves["√(2ηλ)"] = series([0, len(sgd[0][0])], [predicted, predicted], style="theory")
write_result(
    args,
    metrics={
        "angle_ratio_sgd": np.mean(sgd_rms) / predicted,  # predicted for equal products
        "angle_spread_sgd": sgd_rms.max() / sgd_rms.min(),
        "angle_ratio_momentum": momentum_rms / np.sqrt(2 * eta_lambda / (1 + beta)),
        "angle_ratio_loss_scaled": scaled_rms / sgd_rms[1],
    },
    curves=curves,
)
