"""Grokking on modular addition: late generalisation through a few Fourier frequencies."""

import math

import torch
import torch.nn.functional as F
from harness import parse_args, series, write_result

args = parse_args(__doc__)
torch.manual_seed(args.seed)
torch.use_deterministic_algorithms(True, warn_only=True)
dev = torch.device(args.device)

if args.smoke:
    P, D, HEADS, D_MLP, STEPS, EVAL_EVERY = 11, 16, 2, 32, 30, 10
else:
    P, D, HEADS, D_MLP, STEPS, EVAL_EVERY = 113, 128, 4, 512, 30000, 50
TRAIN_FRACTION, LR, WEIGHT_DECAY, TOP = 0.3, 1e-3, 1.0, 10

# Every pair (a, b) is the sequence "a b =" with target (a + b) mod P; token P is "=".
a, b = torch.cartesian_prod(torch.arange(P), torch.arange(P)).T
data = torch.stack([a, b, torch.full_like(a, P)], 1).to(dev)
labels = ((a + b) % P).to(dev)
perm = torch.randperm(P * P, device=dev)
train, test = perm[: int(TRAIN_FRACTION * P * P)], perm[int(TRAIN_FRACTION * P * P) :]


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
    pairs = power[1 : (P + 1) // 2] + power[(P + 1) // 2 :].flip(
        0
    )  # frequency f and P - f together
    return (pairs.sort(descending=True).values[:TOP].sum() / pairs.sum()).item()


model = OneLayerTransformer().to(dev)
fourier_init = fourier_top_fraction(model.embed.detach())
opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY, betas=(0.9, 0.98))
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


def first_step(values, level):
    """First evaluated step at which accuracy reaches a level (the run length if never)."""
    return next((s for s, v in zip(steps, values, strict=True) if v >= level), STEPS)


step_train, step_test = first_step(train_acc, 0.99), first_step(test_acc, 0.95)
write_result(
    args,
    metrics={
        "train_step_99": step_train,
        "test_step_95": step_test,
        "grok_delay_ratio": step_test / max(step_train, EVAL_EVERY),
        "final_test_accuracy": test_acc[-1],
        "fourier_top10_fraction": fourier_top_fraction(model.embed.detach()),
        "fourier_top10_fraction_init": fourier_init,
    },
    curves={
        "train accuracy": series(steps[1:], train_acc[1:]),
        "test accuracy": series(steps[1:], test_acc[1:]),
    },
)
