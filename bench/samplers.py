#!/usr/bin/env python
"""FID and KID against the number of network evaluations (NFE) for every sampler of lesson 15 on lesson 13's MNIST DDPM.

Usage: python bench/samplers.py [--n 600] [--bs 100] [--nfe 5,10,20,50,100] [--configs all] [--seed 0] [--threads 1]
                                [--runs bench/runs/samplers] [--results bench/results/samplers.json] [--quick] [--score-only]

Samplers (CONFIGS below): DDIM (eta=0), strided DDPM (DDIM with eta=1), Euler, Euler ancestral, Heun,
DPM-Solver++(2M) and DPM-Solver++(2M) SDE (midpoint), the sigma-space ones with the Karras (rho=7) noise levels, all with 'trailing' timesteps otherwise,
and Heun with EDM's stochastic churn (Algorithm 2 with the ImageNet-64 settings of Karras et al. 2022, Table 5:
S_churn 80, S_tmin 0.05, S_tmax 50, S_noise 1.003);
each at NFE budgets 5, 10, 20, 50, 100 (Heun gets (NFE+1)//2 steps: 2*steps-1 evaluations), and lesson 13's DDPM
(Algorithm 2) with all 1000 steps.
Noise: batch k (images k*bs to (k+1)*bs - 1) uses torch.Generator seeded with seed + k: first for xT (b, 1, 32, 32),
then for the sampler's own noise. Every sampler therefore starts from the same xT for the same image index, and the
DDPM 1000-step samples are exactly those of bench/fid_ddpm.py with the same seed and bs (reused from
bench/runs/fid_ddpm_samples.safetensors when that file holds enough of them, made with the same weights).
Samples are mapped from [-1, 1] to [0, 1] (clamped) and cached per configuration as safetensors under --runs (git
ignores runs/), written after every batch, so an interrupted run resumes; settings and the SHA-1 of the weights are
stored, and a mismatch is an error.
Scoring, the protocol of nbs/14_fid.ipynb: the reference is a random half (5,000 images, permutation seed 0) of the
10,000 MNIST images of load_mnist('test'); the floor is the mean over up to 8 disjoint sets of n real images from the
other half (sdfound.fid.real_floor), scored at the same n, with its spread; features
are the shipped MNIST ResNet's (sdfound.fid.ImageEvaluator). KID: 100 subsets of min(1000, n).
Quality targets checked at the end: DDPM (1000 steps) FID <= 3x the floor; the best sampler with <= 20 NFE within
1.3x of the DDPM 1000-step FID.
--quick: n=16, bs=8, NFE 5 only and DDPM with 20 steps, into a temporary folder, no results file (a smoke test).
"""
import argparse, json, platform, shutil, tempfile, time
from pathlib import Path
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from sdfound.fid import real_floor
from sdfound.samplers import get_sampler, steps_for_nfe, sampler_nfe
from ddpm_eval import ROOT, CKPT, mnist_evaluator, checkpoint_sha1, sample_batch, load_samples, save_samples

FID_DDPM_SAMPLES = ROOT / 'bench' / 'runs' / 'fid_ddpm_samples.safetensors'

# label -> (sampler name, keyword arguments)
CONFIGS = {
    'DDIM': ('ddim', {}),
    'DDPM strided (DDIM eta=1)': ('ddim', {'eta': 1.0}),
    'Euler': ('euler', {'karras': True}),
    'Euler ancestral': ('euler_ancestral', {'karras': True}),
    'Heun': ('heun', {'karras': True}),
    'DPM-Solver++(2M)': ('dpmpp_2m', {'karras': True}),
    'DPM-Solver++(2M) SDE': ('dpmpp_2m_sde', {'karras': True}),
    'Heun + churn (EDM Alg. 2)': ('heun', {'karras': True, 's_churn': 80.0, 's_tmin': 0.05, 's_tmax': 50.0, 's_noise': 1.003}),
}
DDPM_LABEL = 'DDPM (Algorithm 2)'


def load_model() -> tuple:
    "Lesson 13's `(model, sched)` and the SHA-1 of the weights file it was loaded from (checked unchanged around the load)."
    from sdfound.ddpm import load_mnist_ddpm
    sha = checkpoint_sha1()
    model, sched = load_mnist_ddpm()
    if checkpoint_sha1() != sha: raise SystemExit(f'{CKPT} changed while loading it: run again')
    return model.requires_grad_(False), sched, sha


def reuse_fid_ddpm(n: int, seed: int, bs: int, sha: str):
    "The first `n` DDPM 1000-step samples of bench/fid_ddpm.py if it made them with the same seed and bs, else None."
    if not FID_DDPM_SAMPLES.is_file(): return None
    with safe_open(str(FID_DDPM_SAMPLES), 'pt') as f: meta = f.metadata() or {}
    if (meta.get('steps'), meta.get('seed'), meta.get('bs')) != ('1000', str(seed), str(bs)): return None
    if meta.get('checkpoint_sha1') != sha: return None                                # made with other weights
    if meta.get('clip', '0') != '0': return None                                      # this table samples without clipping
    s = load_file(str(FID_DDPM_SAMPLES))['samples']
    if len(s) < n: return None
    return s[:n], float(meta.get('sampling_s', 0)) * n / len(s)


def generate(label, name, kw, steps, args, model, sched, sha: str, path: Path) -> tuple:
    "Samples (n, 1, 32, 32) in [0, 1] of one configuration, resuming from `path`; and the sampling seconds (all batches)."
    want = dict(sampler=name, kw=json.dumps(kw, sort_keys=True), steps=str(steps), seed=str(args.seed), bs=str(args.bs),
                checkpoint=CKPT.name, checkpoint_sha1=sha[:12])
    samples, secs = load_samples(path, want)
    if len(samples) >= args.n: return samples[:args.n], secs * args.n / len(samples)
    if name == 'ddpm' and steps == 1000 and not args.quick:
        got = reuse_fid_ddpm(args.n, args.seed, args.bs, sha)
        if got is not None:
            print(f'  reusing {args.n} samples of {FID_DDPM_SAMPLES.name} (same weights, seed, bs and noise)', flush=True)
            save_samples(got[0], path, want, got[1])
            return got
    samples = samples[:len(samples) // args.bs * args.bs]                 # whole batches only: batch k <-> seed + k
    f = get_sampler(name, **kw)
    while len(samples) < args.n:
        k, b = len(samples) // args.bs, min(args.bs, args.n - len(samples))
        new, dt = sample_batch(lambda xT, g: f(model, xT, sched, steps, generator=g), k, b, args.seed)
        samples, secs = torch.cat([samples, new]), secs + dt
        save_samples(samples, path, want, secs)
    return samples, secs


def check_targets(rows: list, floor: dict) -> dict:
    "The two quality targets of lesson 15, from the table `rows`."
    ddpm = next((r for r in rows if r['sampler'] == 'ddpm'), None)
    if ddpm is None: return {}
    few = [r for r in rows if r['nfe'] <= 20 and r['sampler'] != 'ddpm']
    best = min(few, key=lambda r: r['fid']) if few else None
    t = {'ddpm_fid_over_floor': ddpm['fid'] / floor['fid'], 'ddpm_target': 3.0}
    t['ddpm_pass'] = t['ddpm_fid_over_floor'] <= t['ddpm_target']
    if best is not None:
        t.update(best_le20=f"{best['label']} @ {best['nfe']} NFE", best_le20_fid=best['fid'],
                 best_le20_over_ddpm=best['fid'] / ddpm['fid'], best_target=1.3)
        t['best_pass'] = t['best_le20_over_ddpm'] <= t['best_target']
    return t


def print_table(rows: list, floor: dict, budgets: list):
    labels = list(dict.fromkeys(r['label'] for r in rows if r['sampler'] != 'ddpm'))
    print(f"\nFID (KID x 1000 below) against network evaluations; n = {floor['n']} samples vs {floor['n_ref']} reference images")
    print(f"{'sampler':<28}" + ''.join(f'{"NFE " + str(b):>10}' for b in budgets))
    for metric, scale in (('fid', 1), ('kid', 1000)):
        for lab in labels:
            cells = {r['budget']: r for r in rows if r['label'] == lab}
            print(f'{lab:<28}' + ''.join(f"{scale * cells[b][metric]:>10.2f}" if b in cells else f"{'-':>10}" for b in budgets))
        if metric == 'fid': print()
    for r in rows:
        if r['sampler'] == 'ddpm': print(f"{r['label']}, {r['nfe']} NFE: FID {r['fid']:.2f}, KID x 1000 {1000 * r['kid']:.2f}")
    print(f"real vs real floor (mean of {floor['k']} disjoint sets): FID {floor['fid']:.2f} (sets {floor['fid_min']:.2f} to "
          f"{floor['fid_max']:.2f}), KID x 1000 {1000 * floor['kid']:.2f}")
    print("(Heun's NFE budgets buy (NFE+1)//2 steps = " + ', '.join(f'{2 * ((b + 1) // 2) - 1}' for b in budgets) + ' evaluations)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=600, help='samples per configuration')
    ap.add_argument('--bs', type=int, default=100, help='images per sampling batch (100, as bench/fid_ddpm.py was run, to reuse its samples)')
    ap.add_argument('--nfe', default='5,10,20,50,100', help='NFE budgets, comma-separated')
    ap.add_argument('--configs', default='all', help=f'comma-separated labels of {list(CONFIGS)}, or all')
    ap.add_argument('--ddpm-steps', type=int, default=1000, help="steps of lesson 13's DDPM sampler")
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--runs', type=Path, default=ROOT / 'bench' / 'runs' / 'samplers', help='folder of cached samples')
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'samplers.json')
    ap.add_argument('--quick', action='store_true', help='tiny smoke test in a temporary folder, no results file')
    ap.add_argument('--score-only', action='store_true', help='score cached samples only, never sample')
    args = ap.parse_args()
    tmp = None
    if args.quick:
        tmp = Path(tempfile.mkdtemp(prefix='sdfound_samplers_'))
        args.n, args.bs, args.nfe, args.ddpm_steps, args.runs, args.results = 16, 8, '5', 20, tmp, None
    if args.n < 2: raise SystemExit(f'--n must be >= 2, got {args.n}')
    budgets = [int(b) for b in args.nfe.split(',')]
    configs = CONFIGS if args.configs == 'all' else {k: CONFIGS[k] for k in args.configs.split(',')}
    torch.set_num_threads(args.threads)
    if not CKPT.is_file(): raise SystemExit(f'no DDPM checkpoint at {CKPT}: train it with nbs/13_ddpm.ipynb first')
    model, sched, sha = load_model()

    ev, real = mnist_evaluator()
    kid_size = min(1000, args.n)
    floor = real_floor(ev, real, args.n)                       # mean (and spread) over disjoint real sets of n

    jobs = [(lab, name, kw, b) for lab, (name, kw) in configs.items() for b in budgets] + [(DDPM_LABEL, 'ddpm', {}, args.ddpm_steps)]
    rows, t_all = [], time.perf_counter()
    for lab, name, kw, budget in jobs:
        steps = budget if name == 'ddpm' else steps_for_nfe(name, budget)
        key = f"{name}_{'_'.join(f'{k}{v}' for k, v in sorted(kw.items()))}_steps{steps}".replace('.', 'p')
        path = args.runs / f'{key}.safetensors'
        if args.score_only:
            samples, secs = load_samples(path, {'checkpoint_sha1': sha[:12]})
            if len(samples) < args.n: print(f'{lab} @ {budget}: only {len(samples)} cached samples, skipped'); continue
            samples = samples[:args.n]
        else:
            t0 = time.perf_counter()
            samples, secs = generate(lab, name, kw, steps, args, model, sched, sha, path)
            print(f'{lab:<28} NFE {sampler_nfe(name, steps):>4} ({steps} steps): {len(samples)} samples, '
                  f'{secs / len(samples) * 1000:.0f} ms/image sampling ({time.perf_counter() - t0:.0f} s this run)', flush=True)
        s = ev.score(samples, kid_subset_size=kid_size)
        rows.append(dict(label=lab, sampler=name, kw=kw, budget=budget, steps=steps, nfe=sampler_nfe(name, steps),
                         fid=s['fid'], kid=s['kid'], kid_std=s['kid_std'], n=s['n'], ms_per_image=1000 * secs / len(samples)))
    print_table(rows, floor, budgets)
    targets = check_targets(rows, floor)
    if not targets: print('no DDPM row: targets not checked')
    else: print(f"\ntarget 1: DDPM {args.ddpm_steps}-step FID / floor = {targets['ddpm_fid_over_floor']:.2f} (<= 3): "
          f"{'PASS' if targets['ddpm_pass'] else 'FAIL'}")
    if targets and 'best_le20' in targets:
        print(f"target 2: best sampler with <= 20 NFE, {targets['best_le20']}: FID {targets['best_le20_fid']:.2f}, "
              f"{targets['best_le20_over_ddpm']:.2f}x the DDPM FID (<= 1.3): {'PASS' if targets['best_pass'] else 'FAIL'}")
    if args.results is not None:
        out = dict(meta=dict(n=args.n, bs=args.bs, seed=args.seed, budgets=budgets, ddpm_steps=args.ddpm_steps,
                             checkpoint=CKPT.name, checkpoint_sha1=sha, reference='load_mnist("test"), random half (perm seed 0), 5000 images',
                             features='sdfound MNIST ResNet (lesson 08), 128-d', kid_subsets=100, kid_subset_size=kid_size,
                             threads=args.threads, torch=torch.__version__, python=platform.python_version(),
                             machine=platform.machine(), date=time.strftime('%Y-%m-%d'),
                             sampling_s=round(sum(r['ms_per_image'] * r['n'] for r in rows) / 1000),
                             this_run_s=round(time.perf_counter() - t_all)),
                   floor=floor, rows=rows, targets=targets)
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(out, indent=1, default=float) + '\n')
        print(f'results -> {args.results}')
    if tmp is not None: shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
