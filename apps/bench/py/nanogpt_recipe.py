"""The PyTorch peer of apps/bench/src/train.ts: nanoGPT's CPU Shakespeare recipe, written with
torch.nn, trained on the text file the benchmark passes in, timed per iteration.

The recipe (karpathy/nanoGPT README, "I only have a macbook"): a character-level GPT-2 with
n_layer 4, n_head 4, n_embd 128, block 64, batch 12, dropout 0, biases on, the output head tied to
the token embedding; AdamW lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on 2-D weights only;
linear warmup over 100 iterations, cosine to 1e-4 at 2000; gradient clipping at norm 1.0;
evaluation of eval_iters batches per split every eval_interval iterations. It is the model and loop
that `llmts train` runs with its defaults (packages/train), so ms/iteration compare like for like.

Written for this benchmark, not copied from nanoGPT: the same architecture as Hugging Face's
GPT2LMHeadModel (the layout @llmts/model loads), the same init (N(0, 0.02), residual projections
scaled by 1/sqrt(2 n_layer)), attention spelled out (PyTorch 1.13 has no fused attention).

Not here: mixed precision, torch.compile (neither is in PyTorch 1.13 on CPU as nanoGPT uses them),
data loading beyond one in-memory tensor.

Usage: nanogpt_recipe.py --data FILE --iters N --threads 1,2 [--eval-interval 250 --eval-iters 20]
Prints one JSON object per thread count on stdout; progress goes to stderr.
"""

import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The recipe. Keep in step with DEFAULT_TRAIN_CONFIG in packages/train/src/config.ts.
N_LAYER, N_HEAD, N_EMBD, BLOCK, BATCH = 4, 4, 128, 64, 12
LR, MIN_LR, WARMUP, DECAY_ITERS = 1e-3, 1e-4, 100, 2000
BETAS, WEIGHT_DECAY, GRAD_CLIP = (0.9, 0.99), 0.1, 1.0


class Block(nn.Module):
    """x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)) — GPT-2's pre-norm transformer block."""

    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD, eps=1e-5)
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)  # q, k, v in one matmul
        self.attn_proj = nn.Linear(N_EMBD, N_EMBD)
        self.ln_2 = nn.LayerNorm(N_EMBD, eps=1e-5)
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.mlp_proj = nn.Linear(4 * N_EMBD, N_EMBD)
        mask = torch.tril(torch.ones(BLOCK, BLOCK, dtype=torch.bool))
        self.register_buffer("causal", mask.view(1, 1, BLOCK, BLOCK), persistent=False)

    def attention(self, x):
        B, T, C = x.shape
        hd = C // N_HEAD
        q, k, v = self.c_attn(x).split(C, dim=2)
        # [B, T, C] -> [B, nHead, T, headDim]
        q, k, v = (t.view(B, T, N_HEAD, hd).transpose(1, 2) for t in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(hd)  # [B, nHead, T, T]
        scores = scores.masked_fill(~self.causal[:, :, :T, :T], float("-inf"))
        y = F.softmax(scores, dim=-1) @ v  # [B, nHead, T, headDim]
        return self.attn_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        # HF GPT-2's "gelu_new" is the tanh approximation.
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, N_EMBD)
        self.wpe = nn.Embedding(BLOCK, N_EMBD)
        self.h = nn.ModuleList(Block() for _ in range(N_LAYER))
        self.ln_f = nn.LayerNorm(N_EMBD, eps=1e-5)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() == 1:
                nn.init.ones_(p)  # LayerNorm gains
            elif name.endswith("proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * N_LAYER))
            else:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx, targets):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))  # [B, T, C]
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied head: [B, T, V]
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def get_lr(it):
    """Linear warmup from LR / (WARMUP + 1), cosine to MIN_LR at DECAY_ITERS, then MIN_LR."""
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > DECAY_ITERS:
        return MIN_LR
    ratio = (it - WARMUP) / (DECAY_ITERS - WARMUP)
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


def get_batch(data, gen):
    starts = torch.randint(len(data) - BLOCK, (BATCH,), generator=gen)
    x = torch.stack([data[i : i + BLOCK] for i in starts])
    y = torch.stack([data[i + 1 : i + 1 + BLOCK] for i in starts])
    return x, y


@torch.no_grad()
def evaluate(model, splits, eval_iters, seed):
    gen = torch.Generator().manual_seed(seed + 3)  # the same batches at every evaluation
    return {
        name: sum(model(*get_batch(data, gen)).item() for _ in range(eval_iters)) / eval_iters
        for name, data in splits.items()
    }


def run(text, iters, threads, eval_interval, eval_iters, seed=1337):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    tokens = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    n = int(0.9 * len(tokens))
    splits = {"train": tokens[:n], "val": tokens[n:]}
    model = GPT(len(chars))
    decay = [p for p in model.parameters() if p.dim() >= 2]  # matrices and embeddings
    no_decay = [p for p in model.parameters() if p.dim() < 2]  # biases, LayerNorm gains
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
        lr=LR,
        betas=BETAS,
        eps=1e-8,
    )
    gen = torch.Generator().manual_seed(seed + 1)
    step_ms, last_eval, loss = [], None, float("nan")
    start = time.perf_counter()
    for it in range(iters + 1):
        if eval_iters > 0 and (it % eval_interval == 0 or it == iters):
            model.eval()
            last_eval = evaluate(model, splits, eval_iters, seed)
            model.train()
            print(f"pytorch {threads}t iter {it}: {last_eval}", file=sys.stderr, flush=True)
        if it == iters:
            break
        t0 = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = get_lr(it)
        x, y = get_batch(splits["train"], gen)
        loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        step_ms.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - start
    timed = step_ms[2:] or step_ms  # the first iterations warm up the allocator, as in train.ts
    ms = sum(timed) / len(timed)
    return {
        "threads": threads,
        "iters": iters,
        "params": sum(p.numel() for p in model.parameters()),
        "ms_per_iter": ms,
        "tokens_per_s": BATCH * BLOCK / ms * 1000,
        "last_loss": loss.item(),
        "wall_s": wall,
        "train_loss": last_eval and last_eval["train"],
        "val_loss": last_eval and last_eval["val"],
        "torch": torch.__version__,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="UTF-8 text file (character level)")
    parser.add_argument("--iters", type=int, required=True, help="iterations of the 2000-step schedule")
    parser.add_argument("--threads", default="1,2", help="comma-separated torch.set_num_threads values")
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--eval-iters", type=int, default=0, help="batches per split; 0 = no evaluation")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        text = f.read()
    for threads in (int(t) for t in args.threads.split(",")):
        print(json.dumps(run(text, args.iters, threads, args.eval_interval, args.eval_iters)), flush=True)


if __name__ == "__main__":
    main()
