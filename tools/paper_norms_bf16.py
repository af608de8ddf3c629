#!/usr/bin/env python3
"""The DyT paper's own layer comparison, eager PyTorch on this CPU: Hugging Face's LlamaRMSNorm (which
upcasts to fp32 and casts back) against the paper's DynamicTanh, in bfloat16 (the paper's precision) or
float32 (dytrain's). DJL aborts on bfloat16, so this is the only way to run the paper's setting here.

    python3 tools/paper_norms_bf16.py TOKENS HIDDEN bfloat16|float32

Bytes each moves per element, one whole-tensor op at a time, in bf16: RMSNorm 36 (to fp32 2+4, pow 4+4,
mean 4, mul 4+4, to bf16 4+2, weight 2+2), DyT 16 (alpha*x, tanh, *w, +b: 2+2 each), so a bandwidth-bound
device predicts DyT at 16/36 - 1 = -56% forward; in fp32 the same ops move 28 against 32 bytes (+14%).
Needs torch; not part of the build.
"""
import sys
sys.path.append("/usr/lib/python3/dist-packages")
import time

import torch

T, D, dtype = int(sys.argv[1]), int(sys.argv[2]), getattr(torch, sys.argv[3])
torch.manual_seed(0)
x = torch.randn(T, D, dtype=dtype)
dy = torch.randn(T, D, dtype=dtype)
w = torch.ones(D, dtype=dtype, requires_grad=True)
b = torch.zeros(D, dtype=dtype, requires_grad=True)
alpha = torch.full((1,), 0.5, dtype=dtype, requires_grad=True)


def hf_llama_rmsnorm(h):  # transformers' LlamaRMSNorm.forward
    input_dtype = h.dtype
    h = h.to(torch.float32)
    variance = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + 1e-6)
    return w * h.to(input_dtype)


def paper_dyt(h):  # DynamicTanh.forward of the paper's code (channels last)
    h = torch.tanh(alpha * h)
    return h * w + b


def bench(f, train, runs=30):
    xi = x.clone().requires_grad_(train)
    for _ in range(3):
        y = f(xi)
        if train:
            y.backward(dy)
    t = time.perf_counter()
    for _ in range(runs):
        if train:
            f(xi).backward(dy)
        else:
            with torch.no_grad():
                f(xi)
    return (time.perf_counter() - t) / runs * 1e3


best = {}
for _ in range(3):  # alternating rounds, best of each
    for key, f, train in (("rms fwd", hf_llama_rmsnorm, False), ("dyt fwd", paper_dyt, False),
                          ("rms f+b", hf_llama_rmsnorm, True), ("dyt f+b", paper_dyt, True)):
        best[key] = min(best.get(key, 1e9), bench(f, train))
print(f"{sys.argv[3]} {T}x{D}: forward RMSNorm {best['rms fwd']:.2f} ms, DyT {best['dyt fwd']:.2f} ms "
      f"({100 * (best['dyt fwd'] / best['rms fwd'] - 1):+.1f}%); forward+backward RMSNorm {best['rms f+b']:.2f} ms, "
      f"DyT {best['dyt f+b']:.2f} ms ({100 * (best['dyt f+b'] / best['rms f+b'] - 1):+.1f}%)")
