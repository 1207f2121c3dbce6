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
import argparse, hashlib, json, os, time
from pathlib import Path
import torch
from safetensors import safe_open
from safetensors.torch import save_file, load_file
import sdfound
from sdfound.data import load_mnist
from sdfound.fid import ImageEvaluator, real_floor

ROOT = Path(sdfound.__file__).parent.parent
CKPT = Path(sdfound.__file__).parent / 'checkpoints' / 'mnist_ddpm.safetensors'


def reference_split(n_all: int = 10_000, seed: int = 0):
    "Indices of the reference half and of the real pool: the random split of nbs/14_fid.ipynb."
    perm = torch.randperm(n_all, generator=torch.Generator().manual_seed(seed))
    return perm[:n_all // 2], perm[n_all // 2:]


def checkpoint_sha1() -> str:
    "SHA-1 of the DDPM weights file: samples from different weights are never mixed or scored as these."
    return hashlib.sha1(CKPT.read_bytes()).hexdigest()


def load_samples(path: Path, steps: int, seed: int, bs: int, clip: bool = False) -> tuple[torch.Tensor, float]:
    "Samples (k, 1, 32, 32) already in `path`, checked to come from this checkpoint with the same `steps`, `seed`, `bs`, `clip`, and their sampling seconds; empty if no file."
    if not path.is_file(): return torch.empty(0, 1, 32, 32), 0.
    with safe_open(str(path), 'pt') as f: meta = f.metadata() or {}
    want = dict(steps=str(steps), seed=str(seed), bs=str(bs), clip=str(int(clip)), checkpoint_sha1=checkpoint_sha1())
    have = {k: meta.get(k, '0' if k == 'clip' else None) for k in want}          # files from before --clip are unclipped
    if have != want: raise SystemExit(f"{path} holds samples made with {have}, not {want}: delete it or pass another --out")
    return load_file(str(path))['samples'], float(meta.get('sampling_s', 0))


def save_samples(samples: torch.Tensor, path: Path, steps: int, seed: int, bs: int, secs: float, clip: bool = False):
    "Write `samples` with their settings as metadata, atomically (temporary file, then rename)."
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    save_file({'samples': samples.contiguous()}, str(tmp),
              metadata={'steps': str(steps), 'seed': str(seed), 'bs': str(bs), 'clip': str(int(clip)), 'sampling_s': f'{secs:.1f}',
                        'threads': str(torch.get_num_threads()), 'checkpoint': CKPT.name, 'checkpoint_sha1': checkpoint_sha1()})
    os.replace(tmp, path)


def generate(args, out: Path) -> torch.Tensor:
    "Sample until `out` holds `args.n` images; return them (n, 1, 32, 32) in [0, 1]."
    from sdfound.ddpm import load_mnist_ddpm, ddpm_sample
    samples, secs = load_samples(out, args.steps, args.seed, args.bs, args.clip)
    if len(samples) >= args.n:
        print(f'{out}: {len(samples)} samples already there (steps={args.steps}, seed={args.seed}, bs={args.bs})')
        return samples[:args.n]
    samples = samples[:len(samples) // args.bs * args.bs]                               # whole batches only: batch k <-> seed + k
    loaded = load_mnist_ddpm()
    model, sched = loaded if isinstance(loaded, tuple) else (loaded, None)
    if sched is None:
        from sdfound.ddpm import make_schedule
        sched = make_schedule('linear', 1000)
    model.eval()
    while len(samples) < args.n:
        k = len(samples) // args.bs
        b = min(args.bs, args.n - len(samples))
        g = torch.Generator().manual_seed(args.seed + k)
        xT = torch.randn((b, 1, 32, 32), generator=g)                                  # (b, 1, 32, 32)
        t0 = time.perf_counter()
        x0 = ddpm_sample(model, xT, sched, steps=args.steps, generator=g, clip=1. if args.clip else None)   # (b, 1, 32, 32), about [-1, 1]
        dt = time.perf_counter() - t0; secs += dt
        samples = torch.cat([samples, ((x0.float() + 1) / 2).clamp(0, 1)])            # (k*bs + b, 1, 32, 32) in [0, 1]
        save_samples(samples, out, args.steps, args.seed, args.bs, secs, args.clip)
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
    samples = load_samples(args.out, args.steps, args.seed, args.bs, args.clip)[0][:args.n] if args.score_only else generate(args, args.out)
    n = len(samples)
    if n < 2: raise SystemExit(f'{args.out} holds {n} samples: run without --score-only first')
    x, _ = load_mnist('test')
    idx_ref, idx_real = reference_split(len(x))
    ev = ImageEvaluator(x[idx_ref], device='cpu')
    floor = real_floor(ev, x[idx_real], n)
    rows = [('DDPM, %d steps%s' % (args.steps, ', clip' if args.clip else ''), ev.score(samples)),
            (f"real vs real (floor, {floor['k']} sets)", floor)]
    print(f"\nreference: {len(idx_ref)} real images; scored sets of n = {n}")
    print(f"{'set':<30} {'n':>6} {'FID':>9} {'KID x 1000':>11} {'(std)':>8}")
    for name, r in rows: print(f"{name:<30} {r['n']:>6} {r['fid']:>9.3f} {1000 * r['kid']:>11.3f} {1000 * r['kid_std']:>8.3f}")
    print(f"floor sets: FID {floor['fid_min']:.3f} to {floor['fid_max']:.3f} (std {floor['fid_std']:.3f}); "
          f"DDPM FID / floor = {rows[0][1]['fid'] / floor['fid']:.2f} (target <= 3)")
    print(json.dumps({name: {k: round(v, 6) if isinstance(v, float) else v for k, v in r.items()} for name, r in rows}))


if __name__ == '__main__':
    main()
