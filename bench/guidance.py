#!/usr/bin/env python
"""Classifier-free guidance on the class-conditional MNIST model of lesson 18: quality and accuracy against the scale w.

Usage: python bench/guidance.py [--ckpt sdfound/checkpoints/mnist_cond] [--n 1000] [--bs 100] [--sampler dpmpp_2m]
           [--steps 20] [--scales 0,1,1.5,2,3,5] [--neg-scales 2,4] [--seed 0] [--threads 1] [--only SCALE,...]
           [--runs bench/runs/guidance] [--results bench/results/guidance_mnist_cond.json]

Guided rows: image i asks for digit i % 10 (100 of each class at n = 1000); the denoiser is sdfound.guidance.class_cfg
(D_u + w (D_c - D_u), both branches in one batched call), sampled with --sampler on the Karras grid of the model for
--steps steps (each step costs two network evaluations per image). Negative rows: image i asks for no class and names
digit i % 10 as the negative label: D = D_neg + w (D_none - D_neg), guidance away from that digit.
Noise: batch k uses torch.Generator seeded with seed + k (bench/ddpm_eval.py sample_batch), the same start noise for
every scale. Samples are cached per row under --runs (git ignores runs/), so an interrupted run resumes.
Scoring: bench/ddpm_eval.py score_samples against the held-out images 8,000-9,999 (FID, KID, stray-ink rate, largest
class share; floor at the same n), plus the accuracy of two classifiers on the asked-for digit: lesson 08's ResNet and
the no-erasing evaluator ResNet of lesson 14 (an independent judge), and for negative rows the share of images that
the lesson-08 classifier calls the negated digit.
--only runs the listed rows (e.g. '0,1' or 'neg2') and writes nothing but their cache: two processes can share the
work; a last run without --only scores everything and writes the results file.
Smoke test: python bench/guidance.py --n 20 --bs 10 --steps 2 --scales 0,2 --neg-scales 2 --runs /tmp/g --results /tmp/g.json
"""
import argparse, hashlib, json, platform, sys, time
from pathlib import Path
import torch
from ddpm_eval import ROOT, cached_samples, score_samples, real_floor_stats


def rows_wanted(args) -> list:
    "(kind, scale) of every row: ('guided', w) for --scales, ('negative', w) for --neg-scales."
    try:
        rows = [('guided', float(w)) for w in args.scales.split(',') if w]
        rows += [('negative', float(w)) for w in args.neg_scales.split(',') if w]
    except ValueError: raise SystemExit(f'--scales and --neg-scales must be comma-separated numbers') from None
    if any(w < 0 for _, w in rows): raise SystemExit('guidance scales must be >= 0')
    return rows


def row_name(kind: str, w: float) -> str: return f"{'neg' if kind == 'negative' else 'w'}{w:g}"


def generate(kind: str, w: float, cfg, n_classes: int, sha: str, args) -> tuple:
    "Samples (n, 1, 32, 32) in [0, 1] of one row, resuming from its cache; and their sampling seconds."
    from sdfound.samplers import get_sampler
    path = args.runs / f'{row_name(kind, w)}.safetensors'
    want = dict(kind=kind, scale=f'{w:g}', sampler=args.sampler, steps=str(args.steps), seed=str(args.seed),
                bs=str(args.bs), checkpoint=args.ckpt.name, checkpoint_sha1=sha[:12])
    f = get_sampler(args.sampler, karras=True)
    def batch_fn(k, b):
        digits = torch.arange(k * args.bs, k * args.bs + b) % 10            # (b,) the digit of image i is i % 10
        none = torch.full((b,), n_classes)                                  # the 'no class' label
        extra = (dict(cond=digits, cond_scale=w) if kind == 'guided' else dict(cond=none, uncond=digits, cond_scale=w))
        return lambda xT, g: f(cfg, xT, None, args.steps, extra_args=extra, generator=g)
    return cached_samples(path, want, args.n, args.bs, args.seed, batch_fn)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ckpt', type=Path, default=ROOT / 'sdfound' / 'checkpoints' / 'mnist_cond')
    ap.add_argument('--n', type=int, default=1000, help='samples per row (score_samples wants >= 1000)')
    ap.add_argument('--bs', type=int, default=100)
    ap.add_argument('--sampler', default='dpmpp_2m')
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--scales', default='0,1,1.5,2,3,5', help='guidance scales w of the guided rows')
    ap.add_argument('--neg-scales', default='2,4', help='scales of the negative-label rows')
    ap.add_argument('--only', default='', help="rows to sample, e.g. 'w0,w1,neg2'; writes no results")
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--runs', type=Path, default=ROOT / 'bench' / 'runs' / 'guidance')
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'guidance_mnist_cond.json')
    args = ap.parse_args(argv)
    if args.n < 2 or args.bs < 1 or args.steps < 1: raise SystemExit('--n must be >= 2, --bs and --steps >= 1')
    rows = rows_wanted(args)
    only = [r for r in args.only.split(',') if r]
    torch.set_num_threads(args.threads)
    from sdfound.checkpoint import load_model
    from sdfound.guidance import class_cfg
    from sdfound.samplers import sampler_names
    if args.sampler not in sampler_names(): raise SystemExit(f'--sampler: unknown {args.sampler!r}; known: {sampler_names()}')
    st = args.ckpt.with_suffix('.safetensors')
    if not st.is_file(): raise SystemExit(f'--ckpt: no weights file {st}')
    sha = hashlib.sha1(st.read_bytes()).hexdigest()
    model = load_model(args.ckpt).requires_grad_(False)
    cfg, n_classes = class_cfg(model), model.net.n_classes
    if only:
        for kind, w in rows:
            if row_name(kind, w) in only:
                t0 = time.perf_counter(); generate(kind, w, cfg, n_classes, sha, args)
                print(f'{row_name(kind, w)}: sampled in {time.perf_counter() - t0:.0f} s', flush=True)
        return
    from sdfound.resnet import load_mnist_classifier, predict
    from sdfound.fid import load_mnist_eval_model, prepare_images
    judges = dict(acc_lesson08=load_mnist_classifier(), acc_eval=load_mnist_eval_model())
    floor, out_rows, t_all = real_floor_stats(args.n), [], time.perf_counter()
    for kind, w in rows:
        samples, secs = generate(kind, w, cfg, n_classes, sha, args)
        digits = torch.arange(len(samples)) % 10
        s = score_samples(samples, floor=False)
        preds = {k: predict(m, prepare_images(samples)).argmax(1) for k, m in judges.items()}   # (n,) each
        r = dict(kind=kind, scale=w, fid=s['fid'], fid_ratio=s['fid'] / floor['fid'], kid=s['kid'],
                 stray_ink=s['stray_ink'], max_class_share=s['max_class_share'], class_counts=s['class_counts'],
                 n=len(samples), nfe=2 * args.steps, ms_per_image=1000 * secs / len(samples))
        if kind == 'guided': r.update({k: (p == digits).float().mean().item() for k, p in preds.items()})
        else:
            hit = preds['acc_lesson08'] == digits                          # called the digit it was steered away from
            r.update(negated_share=hit.float().mean().item(),
                     negated_share_by_digit=[hit[digits == d].float().mean().item() for d in range(10)])
        out_rows.append(r)
        print(f"{kind:<9} w {w:<4g} FID {r['fid']:7.3f} ({r['fid_ratio']:5.1f}x floor) stray {r['stray_ink']:6.1%} "
              + (f"acc {r['acc_lesson08']:6.1%} / {r['acc_eval']:6.1%}" if kind == 'guided'
                 else f"negated digit's share {r['negated_share']:6.1%}"), flush=True)
    out = dict(meta=dict(ckpt=str(args.ckpt), checkpoint_sha1=sha, n=args.n, bs=args.bs, sampler=args.sampler,
                         steps=args.steps, seed=args.seed, scales=args.scales, neg_scales=args.neg_scales,
                         scorer='bench/ddpm_eval.py score_samples (held-out 8,000-9,999; no-erasing ResNet features)',
                         threads=args.threads, torch=torch.__version__, python=platform.python_version(),
                         date=time.strftime('%Y-%m-%d'), this_run_s=round(time.perf_counter() - t_all),
                         command=' '.join(sys.argv)), floor=floor, rows=out_rows)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=1, default=float) + '\n')
    print(f'results -> {args.results}')


if __name__ == '__main__':
    main()
