"""Grokking on modular addition: late generalisation through a few Fourier frequencies."""

import math

import torch
import torch.nn.functional as F
from harness import first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
torch.manual_seed(args.seed)
torch.use_deterministic_algorithms(True, warn_only=True)
dev = torch.device(args.device)

P, D, HEADS, D_MLP = p.modulus, p.width, p.heads, p.mlp_width
STEPS, EVAL_EVERY, TOP = p.steps, p.eval_every, p.top_frequencies

# Every pair (a, b) is the sequence "a b =" with target (a + b) mod P; token P is "=".
a, b = torch.cartesian_prod(torch.arange(P), torch.arange(P)).T
data = torch.stack([a, b, torch.full_like(a, P)], 1).to(dev)
labels = ((a + b) % P).to(dev)
perm = torch.randperm(P * P, device=dev)
n_train = int(p.train_fraction * P * P)
train, test = perm[:n_train], perm[n_train:]


class OneLayerTransformer(torch.nn.Module):
    """Embedding, one attention layer and one ReLU MLP on the residual stream, no LayerNorm."""

    def __init__(self):
        super().__init__()

        def weight(*shape):
            return torch.nn.Parameter(torch.randn(*shape) / math.sqrt(D))

        self.embed, self.pos = weight(P + 1, D), weight(3, D)
        self.qkv, self.attn_out = weight(D, 3 * D), weight(D, D)
        self.mlp_in, self.mlp_out = weight(D, D_MLP), weight(D_MLP, D)
        self.mlp_bias = torch.nn.Parameter(torch.zeros(D_MLP))
        self.unembed = weight(D, P)

    def forward(self, x):
        n = x.shape[0]
        z = self.embed[x] + self.pos
        q, k, v = (z @ self.qkv).view(n, 3, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        # No causal mask needed: only the "=" position is read, and it sees every token anyway.
        att = (q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)).softmax(-1)
        z = z + (att @ v).transpose(1, 2).reshape(n, 3, D) @ self.attn_out
        z = z + torch.relu(z @ self.mlp_in + self.mlp_bias) @ self.mlp_out
        return z[:, -1] @ self.unembed  # read the answer at the "=" position


def fourier_top_fraction(embed):
    """Share of the number embeddings' non-constant Fourier power in the TOP strongest modes."""
    power = torch.fft.fft(embed[:P].double(), dim=0).abs().pow(2).sum(1)
    pairs = power[1 : (P + 1) // 2] + power[(P + 1) // 2 :].flip(0)  # frequencies f and P - f
    return (pairs.sort(descending=True).values[:TOP].sum() / pairs.sum()).item()


model = OneLayerTransformer().to(dev)
fourier_init = fourier_top_fraction(model.embed.detach())
opt = torch.optim.AdamW(
    model.parameters(), lr=p.learning_rate, weight_decay=p.weight_decay, betas=(0.9, 0.98)
)
steps, train_acc, test_acc = [], [], []
for step in range(STEPS + 1):
    if step % EVAL_EVERY == 0:
        with torch.no_grad():
            correct = (model(data).argmax(-1) == labels).float()
        steps.append(step)
        train_acc.append(correct[train].mean().item())
        test_acc.append(correct[test].mean().item())
    if step == STEPS:
        break
    loss = F.cross_entropy(model(data[train]), labels[train])  # full batch
    opt.zero_grad()
    loss.backward()
    opt.step()

# Either event may never happen within the budget; then the delay ratio is absent, not a number.
step_train = first_time(steps, [v >= 0.99 for v in train_acc], "training accuracy reached 0.99")
step_test = first_time(steps, [v >= 0.95 for v in test_acc], "test accuracy reached 0.95")
write_result(
    args,
    metrics={
        "train_step_99": step_train,
        "test_step_95": step_test,
        # A run that fits its data at the first evaluation still counts as one interval.
        "grok_delay_ratio": step_test / (step_train if step_train != 0 else EVAL_EVERY),
        "final_test_accuracy": test_acc[-1],
        "fourier_top10_fraction": fourier_top_fraction(model.embed.detach()),
        "fourier_top10_fraction_init": fourier_init,
    },
    curves={
        "train accuracy": series(steps[1:], train_acc[1:]),
        "test accuracy": series(steps[1:], test_acc[1:]),
    },
)
