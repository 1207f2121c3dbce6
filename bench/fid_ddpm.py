#!/usr/bin/env python
"""FID and KID of lesson 13's MNIST DDPM sampled with all 1000 ancestral steps, next to the real-vs-real floor at the same n.

Usage: python bench/fid_ddpm.py [--n 1000] [--bs 250] [--steps 1000] [--seed 0] [--clip] [--threads 1] [--out PATH] [--score-only]

Sampling: `ddpm_sample` (Algorithm 2 of Ho et al. 2020) from `load_mnist_ddpm()` (sdfound/checkpoints/mnist_ddpm.safetensors),
in batches of `--bs`; batch k (images k*bs to (k+1)*bs - 1) draws its noise from a generator seeded with `--seed` + k,
so the samples depend only on seed, bs and steps, not on how often the run was interrupted. Algorithm 2 as written by
default; --clip clips the predicted x_0 to [-1, 1] at every step (`ddpm_sample(..., clip=1.)`, the model card's setting). The samples are mapped from [-1, 1] to [0, 1] (clamped) and stored as (n, 1, 32, 32) float32 under the key
'samples' in a safetensors file (default bench/runs/fid_ddpm_samples.safetensors; git ignores runs/), written after every
batch (atomically), so an interrupted run resumes where it stopped (a short last batch is dropped and redone whole when
more samples are asked for). Samples made with other settings are never mixed in: the file records steps, seed and bs, and
a mismatch is an error (delete the file or pass another --out; --clip defaults to its own file); so are samples from another checkpoint (SHA-1 recorded).
1000 U-Net evaluations per image are slow on a CPU; the script prints the time per image after every batch.
Scoring (the same protocol as nbs/14_fid.ipynb): reference = a random half (5,000 images, permutation seed 0) of the
10,000 MNIST images of load_mnist('test'); the floor = the mean over up to 8 disjoint sets of n real images from the other
half (sdfound.fid.real_floor), scored at the same n; its spread is printed with it, and the ratio DDPM FID / floor.
"""
import argparse, json
from pathlib import Path
import torch
from sdfound.fid import real_floor
from ddpm_eval import ROOT, CKPT, mnist_evaluator, checkpoint_sha1, sample_batch, load_samples, save_samples


def settings(args) -> dict:
    "What the samples in a file depend on, as stored in its metadata."
    return dict(steps=str(args.steps), seed=str(args.seed), bs=str(args.bs), clip=str(int(args.clip)), checkpoint_sha1=checkpoint_sha1())


def generate(args, out: Path) -> torch.Tensor:
    "Sample until `out` holds `args.n` images; return them (n, 1, 32, 32) in [0, 1]."
    from sdfound.ddpm import load_mnist_ddpm, ddpm_sample
    want = settings(args)
    samples, secs = load_samples(out, want)
    if len(samples) >= args.n:
        print(f'{out}: {len(samples)} samples already there (steps={args.steps}, seed={args.seed}, bs={args.bs})')
        return samples[:args.n]
    samples = samples[:len(samples) // args.bs * args.bs]                               # whole batches only: batch k <-> seed + k
    model, sched = load_mnist_ddpm()
    clip = 1. if args.clip else None
    while len(samples) < args.n:
        k, b = len(samples) // args.bs, min(args.bs, args.n - len(samples))
        new, dt = sample_batch(lambda xT, g: ddpm_sample(model, xT, sched, steps=args.steps, generator=g, clip=clip), k, b, args.seed)
        samples, secs = torch.cat([samples, new]), secs + dt                            # (k*bs + b, 1, 32, 32) in [0, 1]
        save_samples(samples, out, {**want, 'threads': str(torch.get_num_threads()), 'checkpoint': CKPT.name}, secs)
        print(f'batch {k}: {b} images x {args.steps} steps in {dt:.0f} s ({dt / b:.2f} s/image); {len(samples)}/{args.n} saved',
              flush=True)
    print(f'sampling: {secs:.0f} s in all, {secs / len(samples):.2f} s per image on {torch.get_num_threads()} thread(s)')
    return samples


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=1000, help='number of samples to score')
    ap.add_argument('--bs', type=int, default=250, help='images per sampling batch')
    ap.add_argument('--steps', type=int, default=1000, help='sampling steps (1000 = all of them, Algorithm 2)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--clip', action='store_true', help='clip the predicted x_0 to [-1, 1] at every step')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=None, help='samples file (default bench/runs/fid_ddpm_samples[_clip].safetensors)')
    ap.add_argument('--score-only', action='store_true', help='score the samples in --out, never sample')
    args = ap.parse_args()
    if args.out is None: args.out = ROOT / 'bench' / 'runs' / f"fid_ddpm_samples{'_clip' if args.clip else ''}.safetensors"
    if args.n < 2: raise SystemExit(f'--n must be >= 2, got {args.n}')
    torch.set_num_threads(args.threads)
    if not CKPT.is_file(): raise SystemExit(f'no DDPM checkpoint at {CKPT}: train it with nbs/13_ddpm.ipynb first')
    samples = load_samples(args.out, settings(args))[0][:args.n] if args.score_only else generate(args, args.out)
    n = len(samples)
    if n < 2: raise SystemExit(f'{args.out} holds {n} samples: run without --score-only first')
    ev, real = mnist_evaluator()
    floor = real_floor(ev, real, n)
    rows = [('DDPM, %d steps%s' % (args.steps, ', clip' if args.clip else ''), ev.score(samples)),
            (f"real vs real (floor, {floor['k']} sets)", floor)]
    print(f"\nreference: {len(ev.ref_feats)} real images; scored sets of n = {n}")
    print(f"{'set':<30} {'n':>6} {'FID':>9} {'KID x 1000':>11} {'(std)':>8}")
    for name, r in rows: print(f"{name:<30} {r['n']:>6} {r['fid']:>9.3f} {1000 * r['kid']:>11.3f} {1000 * r['kid_std']:>8.3f}")
    print(f"floor sets: FID {floor['fid_min']:.3f} to {floor['fid_max']:.3f} (std {floor['fid_std']:.3f}); "
          f"DDPM FID / floor = {rows[0][1]['fid'] / floor['fid']:.2f} (target <= 3)")
    print(json.dumps({name: {k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()} for name, r in rows}))


if __name__ == '__main__':
    main()
