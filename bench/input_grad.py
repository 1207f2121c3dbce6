#!/usr/bin/env python
"""Cost of the input gradient of lesson 09's classifier: autograd vs forward differences, in forward-pass units.

Usage: python bench/input_grad.py [--quick] [--repeats N] [--threads 1] [--dtypes float64,float32]

For one held-out MNIST image and target class 8, times (median over `--repeats`, methods interleaved so that load on a
shared machine hits all alike, one untimed warm-up each):
  forward          one forward pass of `class_logprob`
  autograd         `input_grad`: one forward and one backward pass
  fd bs=1          `input_grad_fd` with one moved image per call: 785 calls
  fd bs=64         the same 785 evaluations stacked 64 per call: 14 calls
and prints seconds and the ratio to one forward pass, plus the relative error of each finite-difference gradient
against autograd (float32 forward differences use h = 1e-3: their rounding error is eps_32 / h).
--quick: float32 only, 2 repeats, 1 image (a few seconds).
"""
import argparse, platform, statistics, time
import torch
from sdfound.data import load_mnist
from sdfound.resnet import load_mnist_classifier
from sdfound.input_grad import class_logprob, input_grad, input_grad_fd


def bench(dtype: torch.dtype, repeats: int, x: torch.Tensor) -> list[dict]:
    "Median seconds of each method for `x` (1, 1, 28, 28) in `dtype`, interleaved over `repeats`."
    model = load_mnist_classifier().to(dtype)
    x = x.to(dtype)
    h = 1e-6 if dtype == torch.float64 else 1e-3
    methods = {'forward': (1, lambda: class_logprob(model, x, 8).detach()),
               'autograd': (1, lambda: input_grad(model, x, 8)),
               'fd bs=1': (785, lambda: input_grad_fd(model, x, 8, h=h, bs=1)),
               'fd bs=64': (14, lambda: input_grad_fd(model, x, 8, h=h, bs=64))}
    g = input_grad(model, x, 8)
    out = {k: f() for k, (_, f) in methods.items()}                    # warm-up, and the results for the errors
    times = {k: [] for k in methods}
    for _ in range(repeats):
        for k, (_, f) in methods.items():
            t = time.perf_counter(); f(); times[k].append(time.perf_counter() - t)
    base = statistics.median(times['forward'])
    rows = []
    for k, (calls, _) in methods.items():
        med = statistics.median(times[k])
        err = ((out[k] - g).norm() / g.norm()).item() if k.startswith('fd') else None
        rows.append(dict(dtype=str(dtype).replace('torch.', ''), method=k, calls=calls, s=med, ratio=med / base, err=err))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true')
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--dtypes', default='float64,float32')
    a = p.parse_args()
    if a.quick: a.repeats, a.dtypes = 2, 'float32'
    torch.set_num_threads(a.threads)
    x, y = load_mnist('test')
    i3 = (y[8000:] == 3).nonzero()[0, 0].item() + 8000                 # the first held-out 3, as in the lesson
    rows = [r for dt in a.dtypes.split(',') for r in bench(getattr(torch, dt), a.repeats, x[i3:i3 + 1])]
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {a.threads} thread(s), "
          f"median of {a.repeats} repeats")
    print(f"{'dtype':<8} {'method':<10} {'model calls':>11} {'time (s)':>10} {'x forward':>10} {'rel. error':>11}")
    for r in rows:
        err = f"{r['err']:.1e}" if r['err'] is not None else '-'
        print(f"{r['dtype']:<8} {r['method']:<10} {r['calls']:>11} {r['s']:>10.4f} {r['ratio']:>10.1f} {err:>11}")


if __name__ == '__main__': main()
