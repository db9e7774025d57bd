"""Only muP keeps hidden features moving at every width; NTP freezes them as m^-1/2."""

import numpy as np
from harness import parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
rng = np.random.default_rng(args.seed)

batch, d, lr0, steps = p.batch, p.input_dim, p.base_lr, p.steps
widths = p.widths
# Width exponents of each parametrisation: output multiplier m^-c and learning rate lr0 m^e.
scalings = {
    "ntp": (p.ntp_output_exponent, p.ntp_lr_exponent),
    "mup": (p.mup_output_exponent, p.mup_lr_exponent),
}
X = rng.standard_normal((batch, d))
y = np.tanh(X @ rng.standard_normal(d) / np.sqrt(d))


def run(W1, W2, w3, param):
    """RMS change of layer-2 pre-activations and of the output after `steps` of GD.

    Both use N(0, 1) weights with multipliers 1/sqrt(fan_in) on the input and hidden layer.
    NTP: output multiplier 1/sqrt(m), learning rate lr0.  muP: output multiplier 1/m and
    learning rate lr0 * m, which is Yang & Hu's muP after their abc-reparametrisation."""
    m = len(w3)
    out_exp, lr_exp = scalings[param]
    out_mult, lr = 1 / m**out_exp, lr0 * m**lr_exp
    W1, W2, w3 = W1.copy(), W2.copy(), w3.copy()

    def forward():
        h1 = X @ W1.T / np.sqrt(d)
        h2 = np.tanh(h1) @ W2.T / np.sqrt(m)
        return h1, h2, np.tanh(h2) @ w3 * out_mult

    _, h2_0, f_0 = forward()
    for _ in range(steps):
        h1, h2, f = forward()
        # the output is centred at initialisation (f - f_0), so NTP's random initial function
        # does not change the targets from one draw to the next
        g_f = (f - f_0 - y) / batch  # d loss / d f for the mean of (f - f_0 - y)^2 / 2
        g_h2 = g_f[:, None] * w3 * out_mult * (1 - np.tanh(h2) ** 2)
        g_h1 = g_h2 @ W2 / np.sqrt(m) * (1 - np.tanh(h1) ** 2)
        w3 -= lr * out_mult * np.tanh(h2).T @ g_f
        W2 -= (lr / np.sqrt(m) * g_h2.T) @ np.tanh(h1)
        W1 -= (lr / np.sqrt(d) * g_h1.T) @ X
    _, h2, f = forward()
    return np.sqrt(np.mean((h2 - h2_0) ** 2)), np.sqrt(np.mean((f - f_0) ** 2))


results = {"ntp": [], "mup": []}
for m in widths:
    init = (rng.standard_normal((m, d)), rng.standard_normal((m, m)), rng.standard_normal(m))
    for param in results:
        results[param].append(run(*init, param))

log_m, m_ref = np.log(widths), np.array(widths, dtype=float)
metrics, curves = {}, {}
for param, rows in results.items():
    dh, df = np.array(rows).T
    metrics[f"feature_slope_{param}"] = np.polyfit(log_m, np.log(dh), 1)[0]
    metrics[f"output_slope_{param}"] = np.polyfit(log_m, np.log(df), 1)[0]
    curves[f"RMS change of h2, {param}"] = series(widths, dh)
    curves[f"RMS change of f, {param}"] = series(widths, df)
    if param == "ntp":
        curves["m^-1/2 through the first NTP point"] = series(
            widths, dh[0] * (m_ref / widths[0]) ** -0.5, style="theory"
        )

write_result(args, metrics=metrics, curves=curves)
