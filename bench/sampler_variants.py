#!/usr/bin/env python
"""Variants of the few-step samplers at about 20 NFE on lesson 13's MNIST DDPM, scored on starting noises that
bench/samplers.py does not use (seed 1000 by default), so that choosing among them does not tune on the scored images.

Usage: python bench/sampler_variants.py [--n 300] [--seed 1000] [--threads 1] [--only 'LABEL;LABEL']

Batch k of 100 images draws xT (100, 1, 32, 32) and then the sampler's own noise from torch.Generator seeded with
seed + k. FID/KID as in bench/samplers.py (reference: the random half of load_mnist('test'), permutation seed 0), with
the 1000-step DDPM FID on the same noises as the yardstick when --ddpm is given (slow: 1000 NFE per image).
"""
import argparse, time
import torch
from sdfound.ddpm import load_mnist_ddpm
from sdfound.samplers import get_sampler, sampler_nfe
from sdfound.cli import clip_x0
from sdfound.fid import real_floor
from ddpm_eval import mnist_evaluator, sample_batch

EDM_IMAGENET = dict(karras=True, s_churn=80., s_tmin=0.05, s_tmax=50., s_noise=1.003)   # Karras et al. 2022, Table 5
VARIANTS = {   # label: (sampler, steps, kwargs, clip x0 to [-1, 1])
    'Heun + churn, EDM ImageNet-64': ('heun', 10, EDM_IMAGENET, False),
    'Heun + churn, clip x0': ('heun', 10, EDM_IMAGENET, True),
    'same, S_noise 1': ('heun', 10, {**EDM_IMAGENET, 's_noise': 1.}, False),
    'same, churn only sigma < 10': ('heun', 10, {**EDM_IMAGENET, 's_tmax': 10.}, False),
    'same, churn at every sigma': ('heun', 10, {**EDM_IMAGENET, 's_tmin': 0., 's_tmax': 1e9}, False),
    'same, rho 3': ('heun', 10, {**EDM_IMAGENET, 'rho': 3.}, False),
    'same, trailing grid': ('heun', 10, {**EDM_IMAGENET, 'karras': False}, False),
    'Heun + churn, EDM CIFAR-10 VP': ('heun', 10, dict(karras=True, s_churn=30., s_tmin=0.01, s_tmax=1., s_noise=1.007), False),
    'DDPM strided, sigma^2 = beta_tilde': ('ddpm', 20, {}, False),
    'DDPM strided, clip x0': ('ddpm', 20, dict(clip=1.), False),
    'DDPM strided, sigma^2 = beta': ('ddpm', 20, dict(variance='large'), False),
    'DDIM eta 0.7': ('ddim', 20, dict(eta=0.7), False),
    'Euler ancestral, Karras': ('euler_ancestral', 20, dict(karras=True), False),
    'Euler ancestral, clip x0': ('euler_ancestral', 20, dict(karras=True), True),
    'Euler ancestral, trailing': ('euler_ancestral', 20, {}, False),
    'DPM-Solver++(2M) SDE, Karras': ('dpmpp_2m_sde', 20, dict(karras=True), False),
    'DPM-Solver++(2M) SDE, Karras, heun': ('dpmpp_2m_sde', 20, dict(karras=True, solver='heun'), False),
    'DPM-Solver++(2M) SDE, trailing': ('dpmpp_2m_sde', 20, {}, False),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=300)
    ap.add_argument('--seed', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--only', default='', help='labels separated by ; (default: all)')
    ap.add_argument('--ddpm', action='store_true', help='also 1000-step DDPM on the same noises')
    args = ap.parse_args()
    if args.n < 100 or args.n % 100: raise SystemExit(f'--n must be a multiple of 100, got {args.n}')
    torch.set_num_threads(args.threads)
    model, sched = load_mnist_ddpm(); model.requires_grad_(False)
    ev, real = mnist_evaluator()
    floor = real_floor(ev, real, args.n)
    only = [s.strip() for s in args.only.split(';') if s.strip()]
    unknown = [s for s in only if s not in VARIANTS]
    if unknown: raise SystemExit(f'--only: unknown variant(s) {unknown}; known: {list(VARIANTS)}')
    jobs = {k: v for k, v in VARIANTS.items() if not only or k in only}
    if args.ddpm: jobs['DDPM, 1000 steps'] = ('ddpm', 1000, {}, False)
    print(f"n = {args.n}, noise seed {args.seed}; real-vs-real floor FID {floor['fid']:.2f} (mean of {floor['k']} sets)")
    print(f"{'variant':<36} {'NFE':>4} {'FID':>7} {'KID x 1000':>11} {'s':>5}")
    for lab, (name, steps, kw, clip) in jobs.items():
        f, out, t0 = get_sampler(name, **kw), [], time.perf_counter()
        m = clip_x0(model, sched) if clip else model
        for k in range(args.n // 100):
            out.append(sample_batch(lambda xT, g: f(m, xT, sched, steps, generator=g), k, 100, args.seed)[0])
        s = ev.score(torch.cat(out))
        print(f"{lab:<36} {sampler_nfe(name, steps):>4} {s['fid']:>7.3f} {1000 * s['kid']:>11.2f} {time.perf_counter() - t0:>5.0f}", flush=True)


if __name__ == '__main__':
    main()
