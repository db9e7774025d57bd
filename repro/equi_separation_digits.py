"""Law of equi-separation: each layer of a trained MLP on digits shrinks class fuzziness by one factor."""

import numpy as np
import torch
from harness import parse_args, series, write_result
from sklearn.datasets import load_digits

args = parse_args(__doc__)
p = args.params
torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

images, labels = load_digits(return_X_y=True)
images = (images - images.mean(axis=0)) / (images.std(axis=0) + 1e-8)
train = rng.permutation(len(images))[: p.n_train]
X = torch.tensor(images[train], dtype=torch.float32)
y = torch.tensor(labels[train])

blocks = []
width_in = X.shape[1]
for _ in range(p.depth):
    linear = torch.nn.Linear(width_in, p.width)
    torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
    torch.nn.init.zeros_(linear.bias)
    norm = [torch.nn.BatchNorm1d(p.width)] if p.batchnorm else []
    blocks.append(torch.nn.Sequential(linear, *norm, torch.nn.ReLU()))
    width_in = p.width
hidden = torch.nn.Sequential(*blocks)
readout = torch.nn.Linear(width_in, 10)
for param in hidden.parameters():
    param.requires_grad_(p.train_hidden)

trainable = [q for q in [*hidden.parameters(), *readout.parameters()] if q.requires_grad]
opt = torch.optim.SGD(trainable, lr=p.lr, momentum=0.9, weight_decay=p.weight_decay)
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(p.epochs, 1))
for _ in range(p.epochs):
    order = torch.randperm(len(X))
    for start in range(0, len(X), p.batch_size):
        batch = order[start : start + p.batch_size]
        loss = torch.nn.functional.cross_entropy(readout(hidden(X[batch])), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    schedule.step()


def fuzziness(features: np.ndarray, classes: np.ndarray) -> float:
    """He & Su's separation fuzziness Tr(SS_w SS_b^+), both matrices divided by n."""
    centre = features.mean(axis=0)
    between = np.zeros((features.shape[1],) * 2)
    within = np.zeros_like(between)
    for k in np.unique(classes):
        members = features[classes == k]
        mean_k = members.mean(axis=0)
        between += len(members) * np.outer(mean_k - centre, mean_k - centre)
        within += (members - mean_k).T @ (members - mean_k)
    n = len(features)
    return float(np.trace(within / n @ np.linalg.pinv(between / n, rcond=1e-10)))


hidden.eval()
readout.eval()
classes = labels[train]
with torch.no_grad():
    h = X
    log_fuzz = [np.log(fuzziness(h.double().numpy(), classes))]  # layer 0: the input itself
    for block in hidden:
        h = block(h)
        log_fuzz.append(np.log(fuzziness(h.double().numpy(), classes)))
    accuracy = float((readout(h).argmax(dim=1) == y).float().mean())

layers = np.arange(p.depth + 1)
log_fuzz_arr = np.array(log_fuzz)
fit = np.polyfit(layers, log_fuzz_arr, 1)
residual = ((log_fuzz_arr - np.polyval(fit, layers)) ** 2).sum()
r2 = 1 - residual / ((log_fuzz_arr - log_fuzz_arr.mean()) ** 2).sum()

write_result(
    args,
    metrics={
        "log_fuzziness_r2": r2,
        "log_fuzziness_slope": fit[0],
        "train_accuracy": accuracy,
    },
    curves={
        "log separation fuzziness": series(layers, log_fuzz_arr),
        "straight-line fit": series(layers, np.polyval(fit, layers), style="theory"),
    },
)
