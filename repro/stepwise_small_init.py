"""Small-init tanh nets learn a rank-3 map in three steps, each delayed by ln(1/σ)/s_j."""

import numpy as np
from harness import Never, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d, k, width, eta = p.input_dim, p.output_dim, p.width, p.lr
s = np.array(p.singular_values)  # singular values of the teacher (three modes)
sigmas = np.array(p.init_scales)

# All 2^8 points of the hypercube: exactly white inputs whose coordinates are independent, so
# higher moments factorise and tanh's cubic terms cannot seed a mode from another one.
X = np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1).T
n = len(X)
U, _ = np.linalg.qr(rng.standard_normal((k, 3)))
teacher = U @ np.diag(s) @ np.eye(d)[:3]
Y = X @ teacher.T

G1 = rng.standard_normal((width, d)) / np.sqrt(d)  # one init direction, rescaled by each sigma
G2 = rng.standard_normal((k, width)) / np.sqrt(width)
plateaus = 0.5 * np.array([np.sum(s[j:] ** 2) for j in range(4)])  # loss at the linear saddles
crossings = (plateaus[:-1] + plateaus[1:]) / 2

drop_times = []
for sigma in sigmas:
    W1, W2 = sigma * G1, sigma * G2
    t_drop = np.full(3, np.nan)
    times, losses = [], []
    step = 0
    while np.isnan(t_drop[-1]) and step * eta < p.t_max:
        H = np.tanh(X @ W1.T)
        R = H @ W2.T - Y
        loss = 0.5 * np.mean(np.sum(R**2, axis=1))
        t_drop[np.isnan(t_drop) & (loss < crossings)] = step * eta
        times.append(step * eta)
        losses.append(loss)
        grad_W2 = R.T @ H / n
        grad_W1 = ((R @ W2) * (1 - H**2)).T @ X / n
        W1, W2 = W1 - eta * grad_W1, W2 - eta * grad_W2
        step += 1
    drop_times.append(t_drop)
drop_times = np.array(drop_times)

log_inv_sigma = np.log(1 / sigmas)
missing = Never(f"a loss drop did not happen before time {p.t_max} at some σ")
slopes: list[float | Never] = [
    missing
    if np.isnan(drop_times[:, j]).any()
    else np.polyfit(log_inv_sigma, drop_times[:, j], 1)[0]
    for j in range(3)
]
# Loss half-way (in time) between drops, for the smallest sigma: should sit on the saddle values.
times, losses = np.array(times), np.array(losses)  # from the last (smallest) sigma
mid = [(drop_times[-1, j] + drop_times[-1, j + 1]) / 2 for j in range(2)]
plateau_loss = [missing if np.isnan(t) else losses[np.searchsorted(times, t)] for t in mid]

write_result(
    args,
    metrics={
        "slope_times_s_mode1": slopes[0] * s[0],
        "slope_times_s_mode2": slopes[1] * s[1],
        "slope_times_s_mode3": slopes[2] * s[2],
        "plateau1_loss": plateau_loss[0],
        "plateau2_loss": plateau_loss[1],
        "drops_at_smallest_sigma": np.sum(~np.isnan(drop_times[-1])),
    },
    curves={  # theory lines: predicted slope, drawn through the first measured point
        **{f"drop {j + 1}: measured": series(log_inv_sigma, drop_times[:, j]) for j in range(3)},
        **{
            f"drop {j + 1}: slope eta/ln(1+eta s)": series(
                log_inv_sigma,
                drop_times[0, j]
                + eta / np.log(1 + eta * s[j]) * (log_inv_sigma - log_inv_sigma[0]),
                style="theory",
            )
            for j in range(3)
        },
    },
)
