#!/usr/bin/env python3
"""The PyTorch peer of `dytrain bench train`: the same LLaMA (pre-norm, RoPE rotate_half, SwiGLU, no
biases, causal scaled_dot_product_attention, untied or tied LM head, dyt with embed_scale) and the same
step (forward, mean cross-entropy, backward, global-norm clip 1.0, AdamW), timed the same way (2 warm-up
steps, then the mean of STEPS steps; best of 3 alternating rounds). Variants: eager fp32, eager with bf16
autocast, and torch.compile with bf16 autocast, each for rmsnorm and dyt. Run it in the same minute as
dytrain's bench on a shared machine and compare ranges.

    python3 tools/torch_train_step.py [--hidden 512 --layers 4 --heads 8 --ffn 1368 --seq 256 --batch 8
                                       --vocab 4096 --steps 5 --threads 2 --variants eager-fp32,eager-bf16,compile-bf16]

The quickstart shape: --hidden 256 --ffn 688 --heads 4 --seq 128 --batch 16 --vocab 2048 --tied.
Needs torch (the CPU wheel); not part of the build.
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--heads", type=int, default=8)
p.add_argument("--ffn", type=int, default=1368)  # dytrain's llamaIntermediateSize(512)
p.add_argument("--seq", type=int, default=256)
p.add_argument("--batch", type=int, default=8)
p.add_argument("--vocab", type=int, default=4096)
p.add_argument("--tied", action="store_true")
p.add_argument("--steps", type=int, default=5)
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--norms", default="rmsnorm,dyt")
p.add_argument("--variants", default="eager-fp32,eager-bf16,compile-bf16")
# On a machine shared with other jobs wall time measures the others; CPU seconds of this process (all its
# threads) measure the work. Run both sides with OMP_WAIT_POLICY=PASSIVE so spinning threads do not count.
p.add_argument("--cpu-time", action="store_true", help="time by process CPU seconds, not wall seconds")
args = p.parse_args()
torch.set_num_threads(args.threads)


class RmsNorm(nn.Module):  # Hugging Face's LlamaRMSNorm: fp32 inside, as autocast leaves it
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)
        return self.weight * x.to(dtype)


class DynamicTanh(nn.Module):  # DyT paper, sec. 3: one scalar alpha per layer
    def __init__(self, d, alpha0=1.0):
        super().__init__()
        self.alpha = nn.Parameter(torch.full((1,), alpha0))
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return self.weight * torch.tanh(self.alpha * x)


def rotate_half(x):
    a, b = x.chunk(2, -1)
    return torch.cat((-b, a), -1)


class Block(nn.Module):
    def __init__(self, d, heads, ffn, norm):
        super().__init__()
        self.heads = heads
        self.n1, self.n2 = norm(d), norm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.gate, self.up = nn.Linear(d, ffn, bias=False), nn.Linear(d, ffn, bias=False)
        self.down = nn.Linear(ffn, d, bias=False)

    def forward(self, h, cos, sin):
        b, t, d = h.shape
        x = self.n1(h)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        h = h + self.o(y.transpose(1, 2).reshape(b, t, d))
        x = self.n2(h)
        return h + self.down(F.silu(self.gate(x)) * self.up(x))


class Llama(nn.Module):
    def __init__(self, norm_type):
        super().__init__()
        d, self.dyt = args.hidden, norm_type == "dyt"
        norm = DynamicTanh if self.dyt else RmsNorm
        self.embed = nn.Embedding(args.vocab, d)
        self.embed_scale = nn.Parameter(torch.full((1,), math.sqrt(d))) if self.dyt else None
        self.blocks = nn.ModuleList(Block(d, args.heads, args.ffn, norm) for _ in range(args.layers))
        self.norm = norm(d)
        self.head = nn.Linear(d, args.vocab, bias=False)
        if args.tied:
            self.head.weight = self.embed.weight
        for w in self.parameters():
            if w.dim() == 2:
                nn.init.normal_(w, std=0.02)
        hd = d // args.heads
        inv = 10000.0 ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.outer(torch.arange(args.seq).float(), inv)
        ang = torch.cat((ang, ang), -1)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, tokens, targets):
        h = self.embed(tokens)
        if self.dyt:
            h = h * self.embed_scale
        for blk in self.blocks:
            h = blk(h, self.cos, self.sin)
        logits = self.head(self.norm(h))
        return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())


def step_fn(model, bf16):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1)

    def step(x, y):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return step


def seconds_per_step(norm_type, variant):
    torch.manual_seed(1)
    model = Llama(norm_type)
    if variant.startswith("compile"):
        model = torch.compile(model)
    step = step_fn(model, variant.endswith("bf16"))
    x = torch.randint(0, args.vocab, (args.batch, args.seq))
    y = torch.randint(0, args.vocab, (args.batch, args.seq))
    for _ in range(2):
        step(x, y)
    clock = time.process_time if args.cpu_time else time.perf_counter
    start = clock()
    for _ in range(args.steps):
        step(x, y)
    return (clock() - start) / args.steps


runs = [(n, v) for v in args.variants.split(",") for n in args.norms.split(",")]
best = {r: float("inf") for r in runs}
print(f"torch {torch.__version__}, {args.threads} threads{', CPU time' if args.cpu_time else ''}: d={args.hidden} layers={args.layers} heads={args.heads}"
      f" ffn={args.ffn} vocab={args.vocab}{' tied' if args.tied else ''}, batch {args.batch} x {args.seq} tokens,"
      f" best of {args.rounds} rounds of {args.steps} steps", flush=True)
for _ in range(args.rounds):
    for r in runs:
        best[r] = min(best[r], seconds_per_step(*r))
for (n, v), s in best.items():
    print(f"{v:13s} {n:8s} {s * 1e3:8.1f} ms/step {args.batch * args.seq / s:9.0f} tokens/s", flush=True)
