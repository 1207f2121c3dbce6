"""Shared pieces of the DDPM benchmarks (fid_ddpm.py, samplers.py, sampler_variants.py): the shipped checkpoint, the
reference split and evaluator of nbs/14_fid.ipynb, seeded sampling in batches and a resumable cache of samples; and
`score_samples(samples)`: one call that scores a sample set (n >= 1000) against the held-out images 8,000-9,999 with
features that see stray ink (FID, KID, stray-ink rate, largest class share, class counts, and the floor at the same n).

Usage as a script: python bench/ddpm_eval.py [--n 1000] prints the floor, the real held-out statistics and salted and
collapsed controls, and writes bench/results/evaluator.json."""
import hashlib, os, time
from pathlib import Path
import torch
from safetensors import safe_open
from safetensors.torch import save_file, load_file
import sdfound
from sdfound.data import load_mnist
from sdfound.fid import ImageEvaluator

ROOT = Path(sdfound.__file__).parent.parent
CKPT = Path(sdfound.__file__).parent / 'checkpoints' / 'mnist_ddpm.safetensors'


def reference_split(n_all: int = 10_000, seed: int = 0):
    "Indices of the reference half and of the real pool: the random split of nbs/14_fid.ipynb."
    perm = torch.randperm(n_all, generator=torch.Generator().manual_seed(seed))
    return perm[:n_all // 2], perm[n_all // 2:]


def mnist_evaluator() -> tuple:
    "`ImageEvaluator` on the reference half of load_mnist('test') (5,000 images), and the other half (5,000, 1, 28, 28): the real pool for floors."
    x, _ = load_mnist('test')
    idx_ref, idx_real = reference_split(len(x))
    return ImageEvaluator(x[idx_ref], device='cpu'), x[idx_real]


def checkpoint_sha1() -> str:
    "SHA-1 of the DDPM weights file: samples from different weights are never mixed or scored as these."
    return hashlib.sha1(CKPT.read_bytes()).hexdigest()


def sample_batch(sample_fn, k: int, b: int, seed: int) -> tuple:
    "Batch `k` of `b` images: xT (b, 1, 32, 32) then the sampler's noise from a generator seeded `seed` + k; `sample_fn(xT, g)` -> x0 in about [-1, 1]. Returns (images in [0, 1], seconds)."
    g = torch.Generator().manual_seed(seed + k)
    xT = torch.randn((b, 1, 32, 32), generator=g)                                      # (b, 1, 32, 32)
    t0 = time.perf_counter()
    x0 = sample_fn(xT, g)                                                               # (b, 1, 32, 32), about [-1, 1]
    return ((x0.float() + 1) / 2).clamp(0, 1), time.perf_counter() - t0


def load_samples(path: Path, want: dict) -> tuple:
    "Samples (k, 1, 32, 32) cached in `path` and their sampling seconds; empty if no file; an error if made with settings other than `want`."
    if not path.is_file(): return torch.empty(0, 1, 32, 32), 0.
    with safe_open(str(path), 'pt') as f: meta = f.metadata() or {}
    have = {k: meta.get(k) for k in want}
    if have != want: raise SystemExit(f"{path} holds samples made with {have}, not {want}: delete it or choose another file")
    return load_file(str(path))['samples'], float(meta.get('sampling_s', 0))


def save_samples(samples: torch.Tensor, path: Path, meta: dict, secs: float):
    "Write `samples` with `meta` and the sampling seconds as metadata, atomically (temporary file, then rename)."
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    save_file({'samples': samples.contiguous()}, str(tmp), metadata={**meta, 'sampling_s': f'{secs:.1f}'})
    os.replace(tmp, path)


def cached_samples(path: Path, want: dict, n: int, bs: int, seed: int, batch_fn) -> tuple:
    "`n` samples (n, 1, 32, 32) in [0, 1] cached in `path` (made with settings `want`), sampling the missing whole batches: batch k uses `sample_batch(batch_fn(k, b), k, b, seed)`; returns (samples, seconds)."
    samples, secs = load_samples(path, want)
    if len(samples) >= n: return samples[:n], secs * n / len(samples)
    samples = samples[:len(samples) // bs * bs]                          # whole batches only: batch k <-> seed + k
    while len(samples) < n:
        k, b = len(samples) // bs, min(bs, n - len(samples))
        new, dt = sample_batch(batch_fn(k, b), k, b, seed)
        samples, secs = torch.cat([samples, new]), secs + dt
        save_samples(samples, path, want, secs)
    return samples, secs


# --- Scoring a sample set against the held-out images: FID/KID with features that see stray ink, plus plain statistics ---
N_TRAIN = 8000                                       # the shipped models trained on images 0-7,999; 8,000-9,999 are held out
_SCORER: dict = {}


def heldout_split(seed: int = 0) -> tuple:
    "Reference = the 2,000 held-out images 8,000-9,999 of load_mnist('test'); pool = training images 0-7,999 in a fixed random order (seed)."
    x, _ = load_mnist('test')
    perm = torch.randperm(N_TRAIN, generator=torch.Generator().manual_seed(seed))
    return x[N_TRAIN:], x[:N_TRAIN][perm]


def heldout_evaluator() -> tuple:
    "(`ImageEvaluator` with the no-erasing features on the held-out reference, the training pool), built once per process."
    if not _SCORER:
        from sdfound.fid import load_mnist_eval_model
        ref, pool = heldout_split()
        _SCORER['ev'], _SCORER['pool'] = ImageEvaluator(ref, model=load_mnist_eval_model(), device='cpu'), pool
    return _SCORER['ev'], _SCORER['pool']


def real_floor_stats(n: int, k: int = 8, kid_subsets: int = 100) -> dict:
    "The floor at `n`: `real_floor` over up to `k` disjoint sets of n training images against the held-out reference, plus their mean stray-ink rate and largest class share."
    from sdfound.fid import real_floor, evaluate
    ev, pool = heldout_evaluator()
    fl = real_floor(ev, pool, n, k=k, kid_subsets=kid_subsets)
    rows = [evaluate(pool[i * n:(i + 1) * n], ev, kid_subsets=1) for i in range(fl['k'])]   # KID comes from real_floor
    return dict(fl, stray_ink=sum(r['stray_ink'] for r in rows) / len(rows),
                max_class_share=sum(r['max_class_share'] for r in rows) / len(rows))


def score_samples(samples: torch.Tensor, k: int = 8, kid_subsets: int = 100, floor: bool = True) -> dict:
    """Score `samples` (n, 1, H, W) in [0, 1] (32x32 DDPM samples are cropped), n >= 2 (use >= 1000), against the held-out
    reference: `sdfound.fid.evaluate`'s fid, kid, kid_std, stray_ink, max_class_share, class_counts; with `floor`, also the
    floor at the same n (`real_floor_stats`) and fid_ratio = fid / floor fid."""
    from sdfound.fid import evaluate
    ev, _ = heldout_evaluator()
    r = evaluate(samples, ev, kid_subsets=kid_subsets)
    if floor:
        fl = real_floor_stats(len(samples), k=k, kid_subsets=kid_subsets)
        r.update(floor=fl, fid_ratio=r['fid'] / fl['fid'])
    return r


def _salt(x: torch.Tensor, frac: float, seed: int = 0) -> torch.Tensor:
    "`x` with a random share `frac` of its pixels set to 1."
    g = torch.Generator().manual_seed(seed)
    return torch.where(torch.rand(x.shape, generator=g) < frac, torch.ones_like(x), x)


def main():
    "Print the evaluator's table at --n: floor, real held-out statistics, salted and collapsed controls; write bench/results/evaluator.json."
    import argparse, json
    ap = argparse.ArgumentParser(description='The held-out evaluator: floor, real statistics, salted and collapsed controls')
    ap.add_argument('--n', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=ROOT / 'bench' / 'results' / 'evaluator.json')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from sdfound.fid import evaluate, stray_ink, class_counts
    t0 = time.perf_counter()
    ev, pool = heldout_evaluator()
    ref = heldout_split()[0]
    x, y = load_mnist('test')
    ev_old = ImageEvaluator(ref, device='cpu')                                          # lesson-08 features, for comparison
    n = args.n
    ones_sevens = x[:N_TRAIN][(y[:N_TRAIN] == 1) | (y[:N_TRAIN] == 7)][:n]
    sets = {'real training set 0': pool[:n], 'salt 0.5%': _salt(pool[:n], 0.005), 'salt 2%': _salt(pool[:n], 0.02),
            'digits 1 and 7 only': ones_sevens}
    fl = real_floor_stats(n)
    rows = {'floor (mean of %d sets)' % fl['k']: fl}
    for name, s in sets.items():
        rows[name] = dict(evaluate(s, ev), fid_lesson08=ev_old.score(s)['fid'])
    fl_old = sum(ev_old.score(pool[i * n:(i + 1) * n], kid_subsets=1)['fid'] for i in range(fl['k'])) / fl['k']
    rows['floor (mean of %d sets)' % fl['k']]['fid_lesson08'] = fl_old
    counts = class_counts(ref)
    held = dict(n=len(ref), stray_ink=stray_ink(ref).double().mean().item(), max_class_share=(counts.max() / counts.sum()).item(),
                class_counts=counts.tolist())
    print(f"reference: held-out images 8,000-9,999 ({len(ref)}); features: no-erasing ResNet (sdfound.fid.load_mnist_eval_model); n = {n}")
    print(f"{'set':<26} {'FID':>8} {'/floor':>7} {'KID x 1000':>11} {'stray ink':>10} {'max class':>10} {'FID lesson-08':>14} {'/floor':>7}")
    for name, r in rows.items():
        print(f"{name:<26} {r['fid']:>8.3f} {r['fid'] / fl['fid']:>7.1f} {1000 * r['kid']:>11.3f} {r['stray_ink']:>10.1%} "
              f"{r['max_class_share']:>10.1%} {r['fid_lesson08']:>14.3f} {r['fid_lesson08'] / fl_old:>7.1f}")
    print(f"floor sets: FID {fl['fid_min']:.3f} to {fl['fid_max']:.3f} (std {fl['fid_std']:.3f})")
    print(f"real held-out ({held['n']}): stray ink {held['stray_ink']:.1%}, max class share {held['max_class_share']:.1%}")
    out = dict(n=n, reference='load_mnist("test")[8000:]', floor_pool='load_mnist("test")[:8000], permutation seed 0, disjoint sets of n',
               features='sdfound.fid.load_mnist_eval_model (ResNet 8-16-32-64, no Random Erasing)', real_heldout=held,
               rows={k_: {kk: (round(v, 6) if isinstance(v, float) else v) for kk, v in r.items()} for k_, r in rows.items()},
               seconds=round(time.perf_counter() - t0, 1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + '\n')
    print(f'wrote {args.out} ({out["seconds"]:.0f} s)')


if __name__ == '__main__':
    main()
