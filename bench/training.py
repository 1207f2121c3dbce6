#!/usr/bin/env python
"""Training speed of lesson 08's MNIST ResNet on the CPU: images/s in float32 vs bfloat16 autocast, and time to 99% accuracy.

Usage: python bench/training.py [--quick] [--repeats N] [--batches N] [--bs 64] [--threads 1[,2]] [--no-target]

Throughput: full training steps through the `Learner` (augmentation, forward, cross-entropy, backward, AdamW step) on
`--batches` fixed batches of MNIST; float32 (`TrainCB`) and bfloat16 (`MixedPrecisionCB`) runs are interleaved
(fp32, bf16, fp32, bf16, ...) so that load on a shared machine hits both alike, each configuration gets one untimed
warm-up, and the table shows the median over `--repeats`. bfloat16 only pays on CPUs with native bf16 instructions
(AVX-512 BF16, AMX); elsewhere autocast adds conversions.
Time to target: `train_classifier` with the recipe recorded in the shipped checkpoint's JSON
(sdfound/checkpoints/mnist_resnet.json), float32, stopped at the first epoch whose held-out accuracy reaches 99%.
--quick: 8 batches of 32, 2 repeats, and the time to 95% on the 8x8 digits instead (a few seconds).
"""
import argparse, json, platform, statistics, time
from functools import partial
import torch
import torch.nn.functional as F
from sdfound.core import set_seed
from sdfound.data import load_mnist, load_digits
from sdfound.datasets import DataLoaders
from sdfound.learner import Learner, Callback, TrainCB, MixedPrecisionCB, CancelFitException
from sdfound.resnet import (ResNet, BatchTransformCB, random_shift, random_erase, train_classifier, predict)
from sdfound.checkpoint import CHECKPOINT_DIR, read_info


def throughput(args, threads: int, x, y, cfg) -> dict:
    "Median images/s of training steps for fp32 and bf16, interleaved, on `threads` threads."
    torch.set_num_threads(threads)
    n = args.batches * args.bs
    dls = DataLoaders.from_tensors(x[:n], y[:n], x[:args.bs], y[:args.bs], bs=args.bs, seed=0)
    tfms = [partial(random_shift, pad=2), partial(random_erase, p=0.5)]
    learners = {}
    for prec, tcb in (('fp32', TrainCB()), ('bf16', MixedPrecisionCB(dtype=torch.bfloat16))):
        set_seed(0)
        learners[prec] = Learner(ResNet(**cfg), dls, F.cross_entropy, lr=1e-3, opt_func=torch.optim.AdamW,
                                 cbs=[tcb, BatchTransformCB(*tfms, seed=0)])
        learners[prec].fit(1, valid=False)                       # warm-up (allocations, oneDNN kernel selection)
    times = {k: [] for k in learners}
    for _ in range(args.repeats):
        for prec, learn in learners.items():
            t = time.perf_counter(); learn.fit(1, valid=False); times[prec].append(time.perf_counter() - t)
    rows = []
    for prec, ts in times.items():
        med = statistics.median(ts)
        rows.append(dict(precision=prec, threads=threads, bs=args.bs, ips=n / med, ms=1000 * med / args.batches,
                         spread=(max(ts) - min(ts)) / med))
    for r in rows: r['ratio'] = r['ips'] / rows[0]['ips']
    return rows


class TargetCB(Callback):
    "Record the wall time after each validation epoch; stop the fit once the held-out accuracy reaches `target`."
    order = 100
    def __init__(self, target): self.target, self.log, self.reached = target, [], None
    def before_fit(self, learn): self.t0 = time.perf_counter()
    def after_epoch(self, learn):
        if learn.training: return
        acc, t = learn.metrics.history[-1]['accuracy'], time.perf_counter() - self.t0
        self.log.append((learn.epoch + 1, acc, t))
        if acc >= self.target:
            self.reached = (learn.epoch + 1, acc, t)
            raise CancelFitException()


def time_to_target(args):
    "Train with the shipped checkpoint's recipe (or a digits recipe with --quick) until the target accuracy."
    torch.set_num_threads(int(args.threads.split(',')[0]))
    if args.quick:
        x, y = load_digits()
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
        x, y = x[perm], y[perm]
        xt, yt, xv, yv = x[:1437], y[:1437], x[1437:], y[1437:]
        cfg = dict(nfs=(16, 32, 64), strides=(1, 2), mean=xt.mean().item(), std=xt.std().item())
        recipe, tfms, target, what = dict(epochs=10, lr=1e-2, bs=64, wd=0.05, seed=0), [partial(random_shift, pad=1)], 0.95, '8x8 digits'
    else:
        x, y = load_mnist('test')
        xt, yt, xv, yv = x[:8000], y[:8000], x[8000:], y[8000:]
        ck = read_info(CHECKPOINT_DIR / 'mnist_resnet')
        cfg, meta = ck['model_args'], ck['metadata']
        recipe = {k: meta[k] for k in ('epochs', 'lr', 'bs', 'wd', 'seed')}
        tf = meta['tfms']
        tfms = [partial(random_shift, pad=tf['shift_pad']), partial(random_erase, p=tf['erase_p'], area=tuple(tf['erase_area']))]
        target, what = 0.99, 'MNIST (8,000 train / 2,000 held out)'
    set_seed(recipe['seed'])
    cb = TargetCB(target)
    train_classifier(ResNet(**cfg), xt, yt, xv, yv, tfms=tfms, cbs=[cb], verbose=False, **recipe)
    return what, target, recipe, cb


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='8 batches of 32, 2 repeats; time to 95%% on the 8x8 digits')
    ap.add_argument('--repeats', type=int, default=None, help='timed repeats per precision (default 5, 2 with --quick)')
    ap.add_argument('--batches', type=int, default=None, help='batches per timed repeat (default 20, 8 with --quick)')
    ap.add_argument('--bs', type=int, default=None, help='batch size (default 64, as in training; 32 with --quick)')
    ap.add_argument('--threads', default='1', help='comma-separated torch thread counts, e.g. 1,2 (default 1); '
                    'time to target uses the first')
    ap.add_argument('--no-target', action='store_true', help='skip the time-to-accuracy run')
    args = ap.parse_args()
    args.repeats = args.repeats or (2 if args.quick else 5)
    args.batches = args.batches or (8 if args.quick else 20)
    args.bs = args.bs or (32 if args.quick else 64)
    threads = [int(t) for t in args.threads.split(',')]
    for nm in ('repeats', 'batches', 'bs'):
        if getattr(args, nm) < 1: ap.error(f'--{nm} must be >= 1, got {getattr(args, nm)}')
    if any(t < 1 for t in threads): ap.error(f'--threads must be positive integers, got {args.threads}')

    x, y = load_mnist('test')
    x, y = x[:8000], y[:8000]
    cfg = dict(nfs=(16, 32, 64, 128), strides=(2, 2, 2), mean=x.mean().item(), std=x.std().item())
    print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}, bf16 autocast on CPU; '
          f'{args.batches} batches of {args.bs} MNIST images per repeat, median of {args.repeats} interleaved repeats\n')
    rows = [r for t in threads for r in throughput(args, t, x, y, cfg)]
    print(f"{'precision':<10}{'threads':>8}{'batch':>7}{'images/s':>10}{'ms/batch':>10}{'x fp32':>8}{'spread':>8}")
    for r in rows:
        print(f"{r['precision']:<10}{r['threads']:>8}{r['bs']:>7}{r['ips']:>10.0f}{r['ms']:>10.1f}{r['ratio']:>8.2f}{r['spread']:>8.0%}")
    print("('x fp32': images/s relative to float32 at the same thread count; 'spread': (max - min) / median of the repeats)")

    if args.no_target: return
    what, target, recipe, cb = time_to_target(args)
    print(f'\ntime to {target:.0%} held-out accuracy on {what}, float32, {args.threads.split(",")[0]} thread(s), '
          f'recipe {recipe}:')
    for ep, acc, t in cb.log: print(f'  epoch {ep:>2}: accuracy {acc:.4f} after {t:6.1f} s')
    if cb.reached: print(f'reached {cb.reached[1]:.4f} at epoch {cb.reached[0]} of {recipe["epochs"]}: {cb.reached[2]:.1f} s '
                         f'({cb.reached[2] / 60:.1f} min)')
    else: print(f'not reached in {recipe["epochs"]} epochs (best {max(a for _, a, _ in cb.log):.4f})')


if __name__ == '__main__': main()
