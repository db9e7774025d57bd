"""Emergence as a metric artifact: exact match over k tokens of a trained model's answers.

A perceptron student learns a teacher's labels with the Hebb rule from N examples, N on a log
grid (nested training sets). Its per-token accuracy improves smoothly with N; exact match over
answers of k tokens, read from the same student's outputs on fresh inputs, rises late and
steeply, at an N that depends on k.
"""

import numpy as np
from harness import Never, first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

d = p.input_dim
teacher = rng.standard_normal(d)
teacher /= np.linalg.norm(teacher)
log10_N = np.arange(p.log10_n_range[0], p.log10_n_range[1] + 1e-9, p.log10_n_step)
sizes = np.unique(np.round(10**log10_N).astype(int))
log10_N = np.log10(sizes)

# Fresh test tokens, shared by every student: one question of k tokens is k consecutive tokens.
# With shared inputs every token of a question is the same input, so its errors repeat.
k_max = max(p.answer_lengths)
questions = p.test_tokens // k_max
if p.shared_inputs:
    base = rng.standard_normal((questions, d))
    test_x = np.repeat(base, k_max, axis=0)
else:
    test_x = rng.standard_normal((questions * k_max, d))
test_y = np.sign(test_x @ teacher)
test_y[rng.random(len(test_y)) < p.test_label_flip] *= -1  # noisy references cap accuracy

# Hebb rule w = Σ y x over the first N examples, accumulated in chunks along the grid.
w, seen, correct = np.zeros(d), 0, []
for N in sizes:
    while seen < N:
        m = min(p.chunk, N - seen)
        x = rng.standard_normal((m, d))
        y = np.sign(x @ teacher)
        y[rng.random(m) < p.train_label_flip] *= -1
        w += x.T @ y
        seen += m
    correct.append(np.sign(test_x @ w) == test_y)
correct = np.array(correct)  # (grid point, token)

token_error = 1 - correct.mean(axis=1)
exact_match = {
    k: correct[:, : questions * k_max].reshape(len(sizes), -1, k).all(axis=2).mean(axis=1)
    for k in p.answer_lengths
}


def crossing(values, level, what):
    """log10 N where an increasing curve first reaches `level` (linear interpolation)."""
    first = first_time(range(len(values)), values >= level, what)
    if isinstance(first, Never):
        return first
    i = int(first)
    if i == 0:  # already above the level at the smallest N: no crossing inside the grid
        return Never(f"{what} already at the smallest N")
    frac = (level - values[i - 1]) / (values[i] - values[i - 1])
    return log10_N[i - 1] + frac * (log10_N[i] - log10_N[i - 1])


k_short, k_long = p.answer_lengths
mid_short = crossing(exact_match[k_short], 0.5, f"exact match (k={k_short}) reached 0.5")
mid_long = crossing(exact_match[k_long], 0.5, f"exact match (k={k_long}) reached 0.5")
width_short = crossing(exact_match[k_short], 0.9, f"exact match (k={k_short}) reached 0.9") - (
    crossing(exact_match[k_short], 0.1, f"exact match (k={k_short}) reached 0.1")
)
fit = log10_N >= p.slope_fit_from
slope = np.polyfit(log10_N[fit], np.log10(np.maximum(token_error[fit], 1e-12)), 1)[0]

curves = {f"exact match, k={k}": series(log10_N, em) for k, em in exact_match.items()}
curves["per-token accuracy"] = series(log10_N, 1 - token_error)
alpha = sizes / d
theory_error = np.arccos(np.sqrt(2 * alpha / (2 * alpha + np.pi))) / np.pi
for k in p.answer_lengths:
    curves[f"Hebb theory (1 − ε)^k, k={k}"] = series(log10_N, (1 - theory_error) ** k, "theory")

write_result(
    args,
    metrics={
        "midpoint_log10n_k10": mid_short,
        "midpoint_log10n_k100": mid_long,
        "midpoint_shift_decades": mid_long - mid_short,
        "width_10_90_decades_k10": width_short,
        "token_error_loglog_slope": slope,
    },
    curves=curves,
)
