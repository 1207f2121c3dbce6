#!/usr/bin/env python
"""Sample quality against the number of network evaluations (NFE) for every sampler of lesson 15, on any checkpoint.

Usage: python bench/samplers.py [--ckpt sdfound/checkpoints/mnist_ddpm] [--n 1000] [--bs 100] [--nfe 5,10,20,50]
           [--samplers ddim,euler,euler_ancestral,heun,dpmpp_2m,dpmpp_2m_sde,ddpm] [--cap heun:20]
           [--ref dpmpp_2m_sde:100,ddpm:100]
           [--clip | --no-clip] [--seed 0] [--threads 1] [--device cpu] [--runs bench/runs/samplers] [--results PATH]

Checkpoint: anything `sdfound sample` loads (sdfound.cli._load_sampling_model): an eps-model with its noise schedule
(lesson 13's save_ddpm, `sdfound train`; default: the shipped MNIST DDPM) or a registered continuous denoiser with
sigma_min and sigma_max (sampled with sched=None on the Karras grid of its range). Images are 32x32 MNIST-like, in [-1, 1].
Samplers: every name of sdfound.samplers.sampler_names() through get_sampler; the sigma-space ones (euler,
euler_ancestral, heun, dpmpp_2m, dpmpp_2m_sde) on the Karras (rho = 7) grid, ddim and ddpm on 'trailing' timesteps.
Each at every --nfe budget (Heun gets (NFE+1)//2 steps, 2*steps-1 evaluations; the others NFE steps), plus the
reference rows --ref (name:NFE, NFE >= 100). --clip clips the estimate x0-hat to [-1, 1] at every step (clip_x0 for
an eps-model, ClipDenoiser for a denoiser); the default is no clipping.
Noise: batch k (images k*bs to (k+1)*bs - 1) uses torch.Generator seeded with seed + k, first for xT (b, 1, 32, 32),
then for the sampler's own noise (bench/ddpm_eval.py sample_batch): every sampler starts from the same xT per image.
Samples are mapped to [0, 1] and cached per cell as safetensors under --runs/<checkpoint stem>/ (git ignores runs/),
written after every batch, so an interrupted run resumes; the settings and the SHA-1 of the weights are stored with
them, and a mismatch is an error.
Scoring: bench/ddpm_eval.py score_samples (reference: the held-out images 8,000-9,999 of load_mnist('test'), features
of the no-erasing MNIST ResNet): FID, KID, stray-ink rate and largest class share; the real-vs-real floor is computed
once at n (real_floor_stats) and every FID is also given as a multiple of it.
Output: one table (rows sampler x NFE) and bench/results/samplers_<checkpoint stem>.json (--results to change it).
Smoke test: python bench/samplers.py --n 16 --bs 8 --nfe 5 --ref '' --runs /tmp/smoke --results /tmp/smoke.json
"""
import argparse, hashlib, json, platform, sys, time
from pathlib import Path
import torch
from ddpm_eval import ROOT, CKPT, cached_samples, score_samples, real_floor_stats

GRID = {'ddim': {}, 'ddpm': {}, 'euler': {'karras': True}, 'euler_ancestral': {'karras': True}, 'heun': {'karras': True},
        'dpmpp_2m': {'karras': True}, 'dpmpp_2m_sde': {'karras': True}}          # options per sampler


def load_checkpoint(path: Path) -> tuple:
    "(model, sched or None, SHA-1 of the weights, stem) of the checkpoint `path` (with or without suffix)."
    from sdfound.cli import _load_sampling_model
    base = path.with_suffix('') if path.suffix in ('.safetensors', '.json') else path
    st = base.with_suffix('.safetensors')
    if not st.is_file(): raise SystemExit(f'--ckpt: no weights file {st}')
    sha = hashlib.sha1(st.read_bytes()).hexdigest()
    model, sched = _load_sampling_model(base)
    if hashlib.sha1(st.read_bytes()).hexdigest() != sha: raise SystemExit(f'{st} changed while loading it: run again')
    return model.requires_grad_(False), sched, sha, base.name


def parse_jobs(args) -> list:
    "(sampler name, NFE budget, is a reference row) for every cell of the table."
    from sdfound.samplers import sampler_names
    names = [s for s in args.samplers.split(',') if s]
    bad = [s for s in names if s not in sampler_names()]
    if bad: raise SystemExit(f'--samplers: unknown {bad}; known: {sampler_names()}')
    try: budgets = [int(b) for b in args.nfe.split(',') if b]
    except ValueError: raise SystemExit(f'--nfe must be comma-separated integers, got {args.nfe!r}') from None
    if not budgets or min(budgets) < 1: raise SystemExit(f'--nfe must be integers >= 1, got {args.nfe!r}')
    cap = {}
    for c in (c for c in args.cap.split(',') if c):
        name, _, nfe = c.partition(':')
        if name not in names or not nfe.isdigit(): raise SystemExit(f"--cap: entries must be name:NFE for a name in --samplers, got {c!r}")
        cap[name] = int(nfe)
    jobs = [(s, b, False) for s in names for b in budgets if b <= cap.get(s, b)]
    for r in (r for r in args.ref.split(',') if r):
        name, _, nfe = r.partition(':')
        if name not in sampler_names() or not nfe.isdigit() or int(nfe) < 100:
            raise SystemExit(f"--ref: entries must be name:NFE with a sampler of {sampler_names()} and NFE >= 100, got {r!r}")
        jobs.append((name, int(nfe), True))
    return jobs


def generate(name: str, steps: int, model, sched, sha: str, args, path: Path) -> tuple:
    "Samples (n, 1, 32, 32) in [0, 1] of one cell, resuming from `path`; and the sampling seconds of all batches."
    from sdfound.samplers import get_sampler, ClipDenoiser
    from sdfound.cli import clip_x0
    want = dict(sampler=name, kw=json.dumps(GRID[name], sort_keys=True), steps=str(steps), seed=str(args.seed),
                bs=str(args.bs), clip=str(int(args.clip)), checkpoint=args.ckpt.name, checkpoint_sha1=sha[:12])
    f = get_sampler(name, **GRID[name])
    m = (clip_x0(model, sched) if sched is not None else ClipDenoiser(model)) if args.clip else model
    run = lambda xT, g: f(m, xT.to(args.device), sched, steps, generator=g).cpu()
    return cached_samples(path, want, args.n, args.bs, args.seed, lambda k, b: run)


def print_table(rows: list, floor: dict):
    print(f"\nn = {floor['n']} samples per cell; real-vs-real floor FID {floor['fid']:.3f} (mean of {floor['k']} sets, "
          f"{floor['fid_min']:.3f} to {floor['fid_max']:.3f}), stray ink {floor['stray_ink']:.1%}, "
          f"largest class {floor['max_class_share']:.1%}")
    print(f"{'sampler':<16} {'NFE':>4} {'steps':>5} {'FID':>8} {'/floor':>7} {'KID x1000':>10} {'stray ink':>10} "
          f"{'max class':>10} {'ms/image':>9}")
    for r in rows:
        print(f"{r['sampler'] + (' (ref)' if r['ref'] else ''):<16} {r['nfe']:>4} {r['steps']:>5} {r['fid']:>8.3f} "
              f"{r['fid_ratio']:>7.2f} {1000 * r['kid']:>10.3f} {r['stray_ink']:>10.1%} {r['max_class_share']:>10.1%} "
              f"{r['ms_per_image']:>9.0f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ckpt', type=Path, default=CKPT.with_suffix(''), help='checkpoint (default: the shipped MNIST DDPM)')
    ap.add_argument('--n', type=int, default=1000, help='samples per cell (score_samples wants >= 1000)')
    ap.add_argument('--bs', type=int, default=100, help='images per sampling batch')
    ap.add_argument('--nfe', default='5,10,20,50', help='NFE budgets, comma-separated')
    ap.add_argument('--samplers', default='ddim,euler,euler_ancestral,heun,dpmpp_2m,dpmpp_2m_sde,ddpm')
    ap.add_argument('--cap', default='', help="largest NFE budget for some samplers, e.g. 'heun:20,euler:20' (default: none)")
    ap.add_argument('--ref', default='dpmpp_2m_sde:100,ddpm:100', help="reference rows name:NFE (NFE >= 100), or ''")
    ap.add_argument('--clip', action=argparse.BooleanOptionalAction, default=False, help='clip x0-hat to [-1, 1] (default: no)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--device', default='cpu', help='device of the model and the sampling (noise is drawn on the CPU)')
    ap.add_argument('--runs', type=Path, default=ROOT / 'bench' / 'runs' / 'samplers', help='folder of cached samples')
    ap.add_argument('--results', type=Path, default=None, help='results file (default bench/results/samplers_<stem>.json)')
    args = ap.parse_args(argv)
    if args.n < 2 or args.bs < 1: raise SystemExit(f'--n must be >= 2 and --bs >= 1, got {args.n} and {args.bs}')
    jobs = parse_jobs(args)
    torch.set_num_threads(args.threads)
    from sdfound.samplers import steps_for_nfe, sampler_nfe
    model, sched, sha, stem = load_checkpoint(args.ckpt)
    model = model.to(args.device)
    results = args.results or ROOT / 'bench' / 'results' / f'samplers_{stem}.json'
    floor = real_floor_stats(args.n)                                        # once, at the same n as every cell
    rows, t_all = [], time.perf_counter()
    for name, budget, ref in jobs:
        steps = steps_for_nfe(name, budget)
        path = args.runs / stem / f"{name}_steps{steps}{'_clip' if args.clip else ''}.safetensors"
        t0 = time.perf_counter()
        samples, secs = generate(name, steps, model, sched, sha, args, path)
        s = score_samples(samples, floor=False)
        rows.append(dict(sampler=name, kw=GRID[name], ref=ref, budget=budget, steps=steps, nfe=sampler_nfe(name, steps),
                         fid=s['fid'], fid_ratio=s['fid'] / floor['fid'], kid=s['kid'], kid_std=s['kid_std'],
                         stray_ink=s['stray_ink'], max_class_share=s['max_class_share'], class_counts=s['class_counts'],
                         n=len(samples), ms_per_image=1000 * secs / len(samples)))
        print(f"{name:<16} NFE {rows[-1]['nfe']:>4}: FID {s['fid']:.3f} ({time.perf_counter() - t0:.0f} s this run)", flush=True)
    print_table(rows, floor)
    out = dict(meta=dict(ckpt=str(args.ckpt), checkpoint_sha1=sha, sched=sched is not None, n=args.n, bs=args.bs,
                         seed=args.seed, nfe=args.nfe, samplers=args.samplers, cap=args.cap, ref=args.ref, clip=args.clip, grid=GRID,
                         scorer='bench/ddpm_eval.py score_samples (held-out 8,000-9,999; no-erasing ResNet features)',
                         threads=args.threads, device=args.device, torch=torch.__version__,
                         python=platform.python_version(), date=time.strftime('%Y-%m-%d'),
                         this_run_s=round(time.perf_counter() - t_all), command=' '.join(sys.argv)),
               floor=floor, rows=rows)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(out, indent=1, default=float) + '\n')
    print(f'results -> {results}')


if __name__ == '__main__':
    main()
