#!/usr/bin/env python
"""Text-to-image on placed MNIST digits (lesson 20): prompt adherence and FID against the guidance scale and NFE.

Usage: python bench/txt2img.py [--scales 0,1,2,4,6,8] [--steps 20] [--nfe-steps 5,10,50] [--n-fid 1000]
           [--n-per-prompt 16] [--sampler dpmpp_2m] [--seed 0] [--threads 1] [--results bench/results/txt2img.json]

Each row is one (guidance scale w, steps) setting of `sdfound.txt2img.TextToImage.shipped()`; the --scales rows use
--steps, the --nfe-steps rows use w = 4. NFE = 2 x steps (both guidance branches in one batched call).
Adherence: lesson 18a's prompt_set() (8 prompts of combinations held out of training, 30 seen ones; a digit and two
attributes each), --n-per-prompt images per prompt; digit judged by lesson 08's classifier after
`normalise_digits`, attributes by lesson 18a's measuring functions. Quality: the held-out placed digits 8,000-9,999
(`heldout_pairs()`) split in two halves; --n-fid images generated from the captions of the first half, scored against
the real images of the second half (the reference): FID and KID on the no-erasing evaluator ResNet of lesson 14, the
stray-ink rate and the largest class share (lesson 08's judge). The floor is the same statistics for the first half's
real images, whose captions the generated set was made from: the score of a perfect model at this n.
Smoke test: python bench/txt2img.py --scales 0,4 --nfe-steps '' --steps 2 --n-fid 50 --n-per-prompt 1 --results /tmp/t.json
"""
import argparse, json, platform, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent


def quality(ev, images, clf) -> dict:
    "FID, KID, stray-ink rate and largest class share of `images` against the evaluator's reference."
    from sdfound.fid import stray_ink
    from sdfound.txt2img import judge_digits
    f = ev.features(images)
    sc = ev.score_features(f, kid_subset_size=min(1000, len(images)))
    counts = torch.bincount(judge_digits(images, clf), minlength=10)
    return dict(fid=sc['fid'], kid=sc['kid'], stray_ink=stray_ink(images).float().mean().item(),
                max_class_share=(counts.max() / counts.sum()).item(), class_counts=counts.tolist())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--scales', default='0,1,2,4,6,8')
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--nfe-steps', default='5,10,50', help='steps of the extra rows at w = 4')
    ap.add_argument('--n-fid', type=int, default=1000)
    ap.add_argument('--n-per-prompt', type=int, default=16)
    ap.add_argument('--sampler', default='dpmpp_2m')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'txt2img.json')
    args = ap.parse_args(argv)
    try:
        rows = [(float(w), args.steps) for w in args.scales.split(',') if w]
        rows += [(4., int(s)) for s in args.nfe_steps.split(',') if s]
    except ValueError: raise SystemExit('--scales and --nfe-steps must be comma-separated numbers') from None
    if args.n_fid < 2 or args.n_fid > 1000: raise SystemExit('--n-fid must be in [2, 1000]')
    torch.set_num_threads(args.threads)
    from sdfound.txt2img import TextToImage, prompt_scores
    from sdfound.clip import heldout_pairs
    from sdfound.fid import ImageEvaluator, load_mnist_eval_model
    from sdfound.resnet import load_mnist_classifier
    pipe, clf = TextToImage.shipped(), load_mnist_classifier()
    valid = heldout_pairs()
    ev = ImageEvaluator(valid['images'][1000:], model=load_mnist_eval_model(), device='cpu')   # reference: 2nd half
    real = valid['images'][:args.n_fid]                            # the real images of the captions generated from
    floor = quality(ev, real, clf)
    print(f"floor (n = {args.n_fid} real held-out placed digits, first half): FID {floor['fid']:.3f}, stray {floor['stray_ink']:.1%}, "
          f"largest class {floor['max_class_share']:.1%}", flush=True)
    out_rows, t_all = [], time.perf_counter()
    for w, steps in rows:
        t0 = time.perf_counter()
        ims = pipe(valid['captions'][:args.n_fid], guidance=w, steps=steps, sampler=args.sampler, seed=args.seed)
        secs = time.perf_counter() - t0
        q = quality(ev, ims, clf)
        sc = prompt_scores(pipe, n_per_prompt=args.n_per_prompt, guidance=w, steps=steps, sampler=args.sampler,
                           seed=args.seed)['summary']
        r = dict(guidance=w, steps=steps, nfe=2 * steps, **q, fid_ratio=q['fid'] / floor['fid'],
                 images_per_s=len(ims) / secs, **{k: v for k, v in sc.items() if k not in ('guidance', 'steps')})
        out_rows.append(r)
        print(f"w {w:<4g} steps {steps:<3d} FID {r['fid']:7.3f} ({r['fid_ratio']:5.1f}x) stray {r['stray_ink']:6.1%} "
              f"digit {r['digit']:6.1%} attrs {r['attributes']:6.1%} unseen {r['unseen_digit']:6.1%}/"
              f"{r['unseen_attributes']:6.1%} {r['images_per_s']:6.1f} img/s", flush=True)
    res = dict(meta=dict(n_fid=args.n_fid, n_per_prompt=args.n_per_prompt, sampler=args.sampler, seed=args.seed,
                         threads=args.threads, torch=torch.__version__, python=platform.python_version(),
                         date=time.strftime('%Y-%m-%d'), this_run_s=round(time.perf_counter() - t_all),
                         reference='held-out placed digits 9,000-9,999 (heldout_pairs()[1000:]); generated from the '
                                   'captions of 8,000-8,999; floor: those real images; no-erasing evaluator ResNet',
                         command=' '.join(sys.argv)), floor=floor, rows=out_rows)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(res, indent=1, default=float) + '\n')
    print(f'results -> {args.results}')


if __name__ == '__main__':
    main()
