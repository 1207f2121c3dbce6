#!/usr/bin/env python
"""Forward-pass time of lesson 10's convolutions on the CPU: `conv2d_loops`, `conv2d_im2col` and `F.conv2d`.

Usage: python bench/conv.py [--quick] [--repeats N] [--threads 1]

For each shape the three implementations run interleaved (loops, im2col, F.conv2d, loops, ...) so that load on a
shared machine hits them alike, each after one untimed warm-up; the table shows the median over `--repeats` in
milliseconds, the ratio to `F.conv2d`, and the size of the im2col matrix relative to the input.
--quick: one small shape, 3 repeats (a second or two).
"""
import argparse, platform, statistics, time
import torch
import torch.nn.functional as F
from sdfound.autoencoder import conv2d_loops, conv2d_im2col, conv_out_size

IMPLS = {'conv2d_loops': conv2d_loops, 'conv2d_im2col': conv2d_im2col,
         'F.conv2d': lambda x, w, b, s, p: F.conv2d(x, w, b, s, p)}


def bench_shape(N, C, O, H, k, s, p, repeats):
    "Median seconds per call of each implementation for one shape, measured interleaved."
    torch.manual_seed(0)
    x, w = torch.randn(N, C, H, H), torch.randn(O, C, k, k)
    for f in IMPLS.values(): f(x, w, None, s, p)                                  # warm-up
    times = {n: [] for n in IMPLS}
    for _ in range(repeats):
        for n, f in IMPLS.items():
            t = time.perf_counter(); f(x, w, None, s, p); times[n].append(time.perf_counter() - t)
    Ho = conv_out_size(H, k, s, p)
    return {n: statistics.median(ts) for n, ts in times.items()}, C * k * k * Ho * Ho / (C * H * H)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--repeats', type=int, default=None)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 15)
    shapes = [(8, 4, 8, 16, 3, 1, 1)] if args.quick else [
        (64, 16, 32, 16, 3, 1, 1), (64, 1, 16, 32, 3, 2, 1), (64, 32, 32, 8, 3, 1, 1), (16, 8, 8, 32, 5, 1, 2)]
    print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}, {args.threads} thread(s), '
          f'median of {repeats}')
    hdr = f"{'N, C, O, H, k, s, p':<26}" + ''.join(f'{n + " (ms)":>20}' for n in IMPLS) + f"{'loops/F':>9}{'im2col/F':>10}{'cols/input':>11}"
    print(hdr); print('-' * len(hdr))
    for shp in shapes:
        t, blowup = bench_shape(*shp, repeats)
        ref = t['F.conv2d']
        print(f'{str(shp)[1:-1]:<26}' + ''.join(f'{1e3 * t[n]:>20.2f}' for n in IMPLS)
              + f"{t['conv2d_loops'] / ref:>9.1f}{t['conv2d_im2col'] / ref:>10.1f}{blowup:>11.1f}")


if __name__ == '__main__':
    main()
