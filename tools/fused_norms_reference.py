#!/usr/bin/env python3
"""DyT vs RMSNorm layer time in PyTorch on this CPU, eager and with torch.compile (each norm fused into
one kernel): what dytrain's DJL layers would gain from fusion, which DJL does not offer.

    python3 tools/fused_norms_reference.py TOKENS HIDDEN [sigmoid]
"sigmoid" computes DyT as 2w*sigmoid(2*alpha*x) - w (dytrain's form) instead of w*tanh(alpha*x). Needs
torch and, for torch.compile, a C++ compiler plus torch's Python dependencies (filelock, sympy, networkx,
jinja2, fsspec: here from Debian's python3-* packages, appended to the path below). Not part of the build.
"""
import sys
sys.path.append("/usr/lib/python3/dist-packages")
import time

import torch
torch.manual_seed(0)
T, D = int(sys.argv[1]), int(sys.argv[2])
x = torch.randn(T, D)
dy = torch.randn(T, D)
w = torch.ones(D, requires_grad=True)
alpha = torch.tensor([0.5], requires_grad=True)

def rms(x): return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5))
def dyt(x): return (2 * w) * torch.sigmoid((2 * alpha) * x) - w if SIG else w * torch.tanh(alpha * x)
SIG = len(sys.argv) > 3

def bench(f, train, runs=30):
    xi = x.clone().requires_grad_(train)
    for _ in range(5):
        y = f(xi)
        if train: y.backward(dy)
    t = time.perf_counter()
    for _ in range(runs):
        if train:
            y = f(xi); y.backward(dy)
        else:
            with torch.no_grad(): f(xi)
    return (time.perf_counter() - t) / runs * 1e3

for name, compile_ in (("eager", False), ("compiled (fused)", True)):
    r = torch.compile(rms) if compile_ else rms
    d = torch.compile(dyt) if compile_ else dyt
    best = {}
    for rnd in range(3):
        for k, f in (("rms fwd", lambda: bench(r, False)), ("dyt fwd", lambda: bench(d, False)),
                     ("rms f+b", lambda: bench(r, True)), ("dyt f+b", lambda: bench(d, True))):
            best[k] = min(best.get(k, 1e9), f())
    print(f"{name:18s} {T}x{D}: RMSNorm fwd {best['rms fwd']:.2f} ms, DyT fwd {best['dyt fwd']:.2f} ms ({100*(best['dyt fwd']/best['rms fwd']-1):+.1f}%); "
          f"fwd+bwd RMSNorm {best['rms f+b']:.2f}, DyT {best['dyt f+b']:.2f} ({100*(best['dyt f+b']/best['rms f+b']-1):+.1f}%)")
