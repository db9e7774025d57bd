"""Emergence as a metric artifact: exact match over k tokens turns a smooth power law into a jump."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
rng = np.random.default_rng(args.seed)

alpha, c = 0.3, 1.0  # per-token loss -ln p(N) = c N^-alpha, a smooth power law in model size N
lengths = [1, 10, 100]
questions = 2000 if args.smoke else 20000
log10_N = np.arange(-1.0, 12.0001, 0.125)
p_token = np.exp(-c * 10 ** (-alpha * log10_N))


def crossing(log_x, values, level):
    """log10 N where an increasing sampled curve first reaches `level` (linear interpolation)."""
    i = np.argmax(values >= level)
    return log_x[i - 1] + (level - values[i - 1]) / (values[i] - values[i - 1]) * (
        log_x[i] - log_x[i - 1]
    )


exact_match, token_acc = {}, {}
for k in lengths:
    # Each question: k answer tokens, each right with probability p; exact match needs all k.
    right = rng.binomial(k, p_token[:, None], size=(len(log10_N), questions))
    exact_match[k] = (right == k).mean(1)
    token_acc[k] = right.mean(1) / k

midpoint = {k: crossing(log10_N, exact_match[k], 0.5) for k in lengths}
width_k100 = crossing(log10_N, exact_match[100], 0.9) - crossing(log10_N, exact_match[100], 0.1)

# The per-token metric stays a straight line in log-log: fit over N where errors are well sampled.
token_loss = -np.log(token_acc[100])
fit = (log10_N <= 6) & (token_loss > 0)
token_slope = np.polyfit(log10_N[fit], np.log10(token_loss[fit]), 1)[0]

curves = {}
for k in lengths:
    curves[f"exact match, k={k}"] = series(log10_N, exact_match[k])
    curves[f"theory exp(-k c N^-a), k={k}"] = series(log10_N, p_token**k, style="theory")
curves["per-token accuracy, k=100"] = series(log10_N, token_acc[100])

write_result(
    args,
    metrics={
        "midpoint_log10n_k1": midpoint[1],
        "midpoint_log10n_k10": midpoint[10],
        "midpoint_log10n_k100": midpoint[100],
        "midpoint_shift_decades": midpoint[100] - midpoint[1],
        "width_10_90_decades_k100": width_k100,
        "token_loss_loglog_slope": token_slope,
    },
    curves=curves,
)
