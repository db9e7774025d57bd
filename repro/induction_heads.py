"""In-context Markov chains: 2 attention-only layers form induction heads, 1 layer cannot."""

import math

import torch
import torch.nn.functional as F
from harness import first_time, parse_args, series, write_result

args = parse_args(__doc__)
p = args.params
torch.manual_seed(args.seed)
torch.use_deterministic_algorithms(True, warn_only=True)
dev = torch.device(args.device)

K, ALPHA = p.states, p.dirichlet_alpha  # states per chain; symmetric Dirichlet prior per row
T, D, HEADS, STEPS, BATCH = p.context, p.width, p.heads, p.steps, p.batch
LR, EVAL_EVERY, N_EVAL = p.learning_rate, p.eval_every, p.eval_sequences
DEPTHS = (1, p.deep_layers)  # the shallow model and the deep model, trained side by side


def sample_chains(n):
    """n sequences, each from its own transition matrix drawn from the Dirichlet prior."""
    rows = torch.distributions.Gamma(ALPHA, 1.0).sample((n, K, K)).to(dev)
    cdf = (rows / rows.sum(-1, keepdim=True)).cumsum(-1)
    x = torch.empty(n, T, dtype=torch.long, device=dev)
    x[:, 0] = torch.randint(K, (n,), device=dev)
    u = torch.rand(T, n, 1, device=dev)
    for t in range(1, T):
        c = cdf[torch.arange(n, device=dev), x[:, t - 1]]
        x[:, t] = torch.searchsorted(c, u[t]).squeeze(-1).clamp(max=K - 1)
    return x


def reference_losses(x):
    """Per-token loss of the in-context unigram and the Bayes-optimal in-context bigram rule."""
    n = x.shape[0]
    uni = F.one_hot(x[:, :-1], K).cumsum(1).float()  # token counts in x_0..x_t
    pairs = F.one_hot(x[:, :-1] * K + x[:, 1:], K * K).float()
    seen = torch.cat([torch.zeros(n, 1, K * K, device=dev), pairs.cumsum(1)[:, :-1]], 1)
    row = seen.view(n, T - 1, K, K).gather(2, x[:, :-1, None, None].expand(-1, -1, 1, K))[:, :, 0]
    nxt = x[:, 1:, None]
    t = torch.arange(1, T, device=dev)[None, :, None]
    p_uni = (uni.gather(2, nxt) + ALPHA) / (t + K * ALPHA)
    p_bi = (row.gather(2, nxt) + ALPHA) / (row.sum(2, keepdim=True) + K * ALPHA)
    return -p_uni.log()[..., 0], -p_bi.log()[..., 0]


class AttentionOnly(torch.nn.Module):
    """Attention-only transformer; ``frozen_first`` fixes layer 1 to uniform causal attention,
    which removes the previous-token path that an induction head composes with."""

    def __init__(self, layers, frozen_first=False):
        super().__init__()
        self.frozen_first = frozen_first
        self.embed = torch.nn.Embedding(K, D)
        self.pos = torch.nn.Parameter(0.02 * torch.randn(T, D))
        self.qkv = torch.nn.ModuleList(torch.nn.Linear(D, 3 * D, bias=False) for _ in range(layers))
        self.out = torch.nn.ModuleList(torch.nn.Linear(D, D, bias=False) for _ in range(layers))
        self.unembed = torch.nn.Linear(D, K, bias=False)
        self.register_buffer("mask", torch.ones(T, T, dtype=torch.bool).triu(1))

    def forward(self, x):
        n, t = x.shape
        z, self.patterns = self.embed(x) + self.pos[:t], []
        for i, (qkv, out) in enumerate(zip(self.qkv, self.out, strict=True)):
            q, k, v = qkv(z).view(n, t, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
            scores = q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)
            if i == 0 and self.frozen_first:
                scores = torch.zeros_like(scores)
            att = scores.masked_fill(self.mask[:t, :t], -torch.inf).softmax(-1)
            self.patterns.append(att)
            z = z + out((att @ v).transpose(1, 2).reshape(n, t, D))  # residual stream, no MLPs
        return self.unembed(z)


x_eval = sample_chains(N_EVAL)
loss_uni, loss_bi = (v[:, T // 2 :].mean().item() for v in reference_losses(x_eval))
# Key s is an induction target of query t when the token before s equals the current token x_t.
targets = (x_eval[:, None, :-1] == x_eval[:, 1:, None]).float()  # [n, t - 1, s - 1]
targets = F.pad(targets, (1, 0, 1, 0)).tril()[:, T // 2 : T - 1, : T - 1]  # late queries t, keys s
chance = (targets.sum(-1) / torch.arange(T // 2, T - 1, device=dev).add(1)).mean().item()

frozen = not p.first_layer_attention_learned and p.deep_layers > 1
models = {
    "shallow": AttentionOnly(DEPTHS[0]).to(dev),
    "deep": AttentionOnly(DEPTHS[1], frozen_first=frozen).to(dev),
}
opts = {L: torch.optim.Adam(m.parameters(), lr=LR) for L, m in models.items()}
history = {L: ([], [], []) for L in models}  # steps, gap closed, induction attention
for step in range(STEPS + 1):
    if step % EVAL_EVERY == 0:
        for L, m in models.items():
            with torch.no_grad():
                logits = m(x_eval[:, :-1])
                loss = F.cross_entropy(logits.transpose(1, 2), x_eval[:, 1:], reduction="none")
                last = m.patterns[-1][:, :, T // 2 :]  # last layer, late queries
                mass = (last * targets[:, None]).sum(-1).mean((0, 2)).max().item()
            late = loss[:, T // 2 :].mean().item()
            gap_closed = (loss_uni - late) / (loss_uni - loss_bi)
            for lst, val in zip(history[L], (step, gap_closed, mass), strict=True):
                lst.append(val)
    if step == STEPS:
        break
    if step % 100 == 0:  # sampling is sequential in time, so draw 100 batches at once
        block = sample_chains(100 * BATCH)
    x = block[(step % 100) * BATCH : (step % 100 + 1) * BATCH]
    for L, m in models.items():
        loss = F.cross_entropy(m(x[:, :-1]).transpose(1, 2), x[:, 1:])
        opts[L].zero_grad()
        loss.backward()
        opts[L].step()


def first_step(steps, values, level, what):
    """First evaluated step at which a curve reaches a level, or Never (a failed prediction)."""
    return first_time(steps, [v >= level for v in values], f"{what} reached {level}")


steps2, gap2, att2 = history["deep"]
gap_name, att_name = "deep model's gap closed", "deep model's induction attention"
t_lo, t_hi = first_step(steps2, gap2, 0.2, gap_name), first_step(steps2, gap2, 0.6, gap_name)
t_gap, t_att = first_step(steps2, gap2, 0.5, gap_name), first_step(steps2, att2, 0.5, att_name)
tail = max(1, len(steps2) // 20)  # average the last 5% of evaluations
write_result(
    args,
    metrics={
        "bigram_gap_closed_2layer": sum(gap2[-tail:]) / tail,
        "bigram_gap_closed_1layer": sum(history["shallow"][1][-tail:]) / tail,
        "induction_attention_2layer": sum(att2[-tail:]) / tail,
        "induction_attention_1layer": sum(history["shallow"][2][-tail:]) / tail,
        "induction_attention_chance": chance,
        "transition_span_ratio": t_hi / (t_lo or EVAL_EVERY),
        "attention_lag_fraction": (t_att - t_gap) / (t_gap or EVAL_EVERY),
        "loss_unigram_rule": loss_uni,
        "loss_bayes_bigram": loss_bi,
    },
    curves={
        "2-layer (deep model): fraction of unigram→bigram gap closed": series(steps2, gap2),
        "1-layer (shallow model): fraction of unigram→bigram gap closed": series(
            history["shallow"][0], history["shallow"][1]
        ),
        "2-layer (deep model): attention on induction targets": series(steps2, att2),
        "Bayes-optimal in-context bigram": series(steps2, [1.0] * len(steps2), style="theory"),
    },
)
