#!/usr/bin/env python
"""Time every matrix multiplication of lesson 01 side by side: median ms, GFLOP/s and fraction of torch's.

Usage: python bench/matmul.py [--quick] [--repeats N] [--threads T]

Sizes: 5x784 @ 784x10 (the first five MNIST test digits, flattened, times a random weight matrix; random
pixels if MNIST is not found), 128^3 (every method; the pure-Python loops would take minutes at 1024) and
1024^3 (the methods fast enough for it). --quick shrinks them to 32^3 and 256^3 and times each method twice.
All methods run in one process on `--threads` threads (default 1; our numba kernel is single-threaded).
"""
import argparse, time
from functools import partial
import torch
from numba import njit
from sdfound.core import set_seed
from sdfound.matmul import (matmul_loops, matmul_elementwise, matmul_broadcast, matmul_einsum, matmul_tiled,
                            tiled_kernel, compare_matmuls, format_table)


def mnist_batch(n: int = 5) -> tuple[torch.Tensor, str]:
    "The first `n` MNIST test digits flattened to (n, 784), or uniform noise if MNIST is not available."
    try:
        from sdfound.data import load_mnist
        x, _ = load_mnist('test')
        return x[:n].view(n, -1), 'MNIST test digits'  # (n, 1, 28, 28) -> (n, 784)
    except (FileNotFoundError, ValueError) as e:
        print(f'(MNIST not found, using random pixels instead: {str(e)[:100]})')
        return torch.rand(n, 784), 'random pixels'


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--quick', action='store_true', help='small sizes, 2 repeats: a few seconds')
    p.add_argument('--repeats', type=int, default=None, help='timed runs per method (median reported); default 5, 2 with --quick')
    p.add_argument('--threads', type=int, default=1, help='torch threads (default 1)')
    args = p.parse_args()
    if args.threads < 1: p.error(f'--threads must be >= 1, got {args.threads}')
    repeats = args.repeats or (2 if args.quick else 5)
    n_mid, n_big = (32, 256) if args.quick else (128, 1024)
    torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    matmul_numba = partial(matmul_tiled, kernel=njit(fastmath=True)(tiled_kernel))
    matmul_numba(torch.randn(8, 8), torch.randn(8, 8))  # compile outside the timings
    t_compile = time.perf_counter() - t0
    methods = {'loops': matmul_loops, 'elementwise': matmul_elementwise, 'broadcast': matmul_broadcast,
               'einsum': matmul_einsum, 'numba tiled': matmul_numba, 'torch': torch.matmul}
    fast = {k: methods[k] for k in ('broadcast', 'einsum', 'numba tiled', 'torch')}

    set_seed(42)
    xb, source = mnist_batch(5)                           # (5, 784)
    w = torch.randn(784, 10)                              # (784, 10)
    a_mid, b_mid = torch.randn(n_mid, n_mid), torch.randn(n_mid, n_mid)
    a_big, b_big = torch.randn(n_big, n_big), torch.randn(n_big, n_big)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s); median of {repeats} runs; '
          f'5x784 uses {source}; numba compile {t_compile:.1f} s (not timed)\n')
    rows = []
    for ms, a, b in [(methods, xb, w), (methods, a_mid, b_mid), (fast, a_big, b_big)]:
        rows += compare_matmuls(ms, a, b, repeats=repeats)
    print(format_table(rows))
    bad = [r for r in rows if not r['max_err'] < 1e-3]
    if bad: raise SystemExit(f"results differ from torch.matmul: {[(r['method'], r['size'], r['max_err']) for r in bad]}")
    loops = next(r for r in rows if r['method'] == 'loops' and r['m'] == n_mid)
    print(f"\n'x torch' is relative to torch at the same size. Pure-Python loops at 1024^3, extrapolated from "
          f"{n_mid}^3: ~{2 * 1024 ** 3 / (loops['gflops'] * 1e9) / 60:.1f} min.")


if __name__ == '__main__': main()
