#!/usr/bin/env python
"""Benchmark sdfound's mean shift against scikit-learn's `MeanShift` (n_jobs=1) on the blobs of nbs/02_meanshift.ipynb.

Every method clusters the same data (6 Gaussian blobs, std 1, centres 8 apart, bandwidth 2). Timings include
turning shifted points into clusters (`cluster_points`), since sklearn's `fit` does that too. Repeats are
interleaved (sklearn, then each of ours, then again) so that load on a shared machine hits all methods alike;
each method gets one untimed warm-up run. ARI and the largest matched-centre distance are against sklearn.

Usage: python bench/meanshift.py [--quick] [--n 1500] [--repeats 5] [--threads 1]
"""
import argparse, os, platform, statistics, time
import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import MeanShift
from sklearn.metrics import adjusted_rand_score
from sdfound.meanshift import make_blobs, meanshift, meanshift_loop, cluster_points

BW = 2.

def matched_gap(a, b) -> float:
    "Largest distance between centres `a` and `b` after one-to-one (Hungarian) matching; inf if the counts differ."
    if len(a) != len(b): return float('inf')
    D = torch.cdist(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)).numpy()
    r, c = linear_sum_assignment(D)
    return float(D[r, c].max())

def methods(X32, X64, with_loop):
    "name -> function returning (centres, labels) as numpy arrays."
    def ours(X, kernel, f=meanshift):
        def run():
            c, l = cluster_points(f(X, BW, kernel), BW / 2)
            return c.numpy(), l.numpy()
        return run
    def sk():
        m = MeanShift(bandwidth=BW, n_jobs=1).fit(X64.numpy())
        return m.cluster_centers_, m.labels_
    ms = {'sklearn MeanShift (flat, f64)': sk}
    if with_loop: ms['loop, one seed at a time (flat, f32)'] = ours(X32, 'flat', meanshift_loop)
    ms['batched (flat, f32)'] = ours(X32, 'flat')
    ms['batched (flat, f64)'] = ours(X64, 'flat')
    ms['batched (gaussian, f32)'] = ours(X32, 'gaussian')
    return ms

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='300 points, 2 repeats')
    ap.add_argument('--n', type=int, default=None, help='number of points (default 1500, 300 with --quick)')
    ap.add_argument('--repeats', type=int, default=None, help='timed repeats per method (default 5, 2 with --quick)')
    ap.add_argument('--threads', type=int, default=1, help='torch threads (default 1, to match sklearn n_jobs=1)')
    ap.add_argument('--no-loop', action='store_true', help='skip the slow one-seed-at-a-time loop')
    args = ap.parse_args()
    n = args.n or (300 if args.quick else 1500)
    repeats = args.repeats or (2 if args.quick else 5)
    torch.set_num_threads(args.threads)
    X32, _, _ = make_blobs(n, n_clusters=6, std=1., radius=8., seed=42)
    X64 = X32.double()
    ms = methods(X32, X64, with_loop=not args.no_loop)
    results = {name: f() for name, f in ms.items()}          # warm-up run, also the result we score
    times = {name: [] for name in ms}
    for _ in range(repeats):                                 # interleaved repeats
        for name, f in ms.items():
            t0 = time.perf_counter(); f(); times[name].append(time.perf_counter() - t0)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    sk_name = next(iter(ms))
    sk_c, sk_l = results[sk_name]
    print(f'mean shift on {n} points (6 blobs), bandwidth {BW:g}; median of {repeats} repeats; torch {torch.__version__} '
          f'threads={torch.get_num_threads()}; sklearn n_jobs=1; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs')
    hdr = f"| {'method':<38} | {'n points':>8} | {'median ms':>10} | {'speedup vs sklearn':>18} | {'ARI':>5} | {'max centre gap':>14} |"
    print(hdr); print('|' + '|'.join('-' * (len(c)) for c in hdr.split('|')[1:-1]) + '|')
    for name in ms:
        c, l = results[name]
        print(f'| {name:<38} | {n:>8} | {1e3 * med[name]:>10.1f} | {med[sk_name] / med[name]:>17.1f}x | '
              f'{adjusted_rand_score(sk_l, l):>5.3f} | {matched_gap(c, sk_c):>14.2e} |')
    best = med[sk_name] / med['batched (flat, f32)']
    ari = adjusted_rand_score(sk_l, results['batched (flat, f32)'][1])
    print(f'target (batched >= 20x sklearn with ARI 1.0): {"met" if best >= 20 and ari == 1.0 else "NOT met"} '
          f'(flat f32: {best:.1f}x, ARI {ari:.3f})')

if __name__ == '__main__': main()
