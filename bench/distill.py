#!/usr/bin/env python
"""Progressive distillation (lesson 25): the guided teacher's DDIM at few steps against the students made for them.

Usage: python bench/distill.py [--teacher-steps 1,2,4,8,16,64] [--n-fid 1000] [--n-per-prompt 16] [--seed 0]
           [--threads 1] [--results bench/results/distill.json]

Rows: the shipped text-to-image model with classifier-free guidance w = 4 (`DistilledPipe(pipe)`, 2 network calls a
step) by DDIM on `distill_sigmas(steps)` (every 64/steps-th level of the 64-level Karras grid, then 0), and each shipped
student (`load_student(k)`, guidance in its weights, 1 call a step) at the step count it was distilled for. Every row
starts from the same noise (seed). Quality as in bench/txt2img.py (its `quality`): --n-fid images generated from the
captions of held-out placed digits 8,000-8,999, scored against the real 9,000-9,999 (FID and KID on the no-erasing
evaluator ResNet of lesson 14, stray-ink rate, largest class share by lesson 08's judge); the floor is the same
statistics for the real 8,000-8,999. Adherence: lesson 18a's prompt_set(), --n-per-prompt images per prompt, digit
accuracy by `judge_digits`. Goals: 4-step student FID <= 1.25x the teacher's 64-step FID, 1-step <= 3x, the 4-step
student's digit accuracy within 1 point of the teacher's (64 steps).
Smoke test: python bench/distill.py --teacher-steps 1,64 --n-fid 50 --n-per-prompt 1 --results /tmp/d.json
"""
import argparse, importlib.util, json, platform, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent


def _txt2img_bench():
    "bench/txt2img.py as a module (for its `quality`)."
    spec = importlib.util.spec_from_file_location('bench_txt2img', ROOT / 'bench' / 'txt2img.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--teacher-steps', default='1,2,4,8,16,64')
    ap.add_argument('--n-fid', type=int, default=1000)
    ap.add_argument('--n-per-prompt', type=int, default=16)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'distill.json')
    args = ap.parse_args(argv)
    try: t_steps = [int(s) for s in args.teacher_steps.split(',') if s]
    except ValueError: raise SystemExit('--teacher-steps must be comma-separated integers') from None
    if args.n_fid < 2 or args.n_fid > 1000: raise SystemExit('--n-fid must be in [2, 1000]')
    torch.set_num_threads(args.threads)
    from sdfound.distill import DistilledPipe, load_student, student_steps
    from sdfound.txt2img import TextToImage, prompt_scores
    from sdfound.checkpoint import read_info, CHECKPOINT_DIR
    from sdfound.clip import heldout_pairs
    from sdfound.fid import ImageEvaluator, load_mnist_eval_model
    from sdfound.resnet import load_mnist_classifier
    quality = _txt2img_bench().quality
    pipe, clf = TextToImage.shipped(), load_mnist_classifier()
    valid = heldout_pairs()
    ev = ImageEvaluator(valid['images'][1000:], model=load_mnist_eval_model(), device='cpu')   # reference: 2nd half
    floor = quality(ev, valid['images'][:args.n_fid], clf)
    print(f"floor (n = {args.n_fid}): FID {floor['fid']:.3f}, stray {floor['stray_ink']:.1%}", flush=True)
    settings = [('teacher', k, None) for k in t_steps]
    for k in student_steps():
        settings.append(('student', k, load_student(k)))
    rows, t_all = [], time.perf_counter()
    for kind, steps, student in settings:
        dp = DistilledPipe(pipe, student)
        t0 = time.perf_counter()
        ims = dp(valid['captions'][:args.n_fid], steps=steps, seed=args.seed)
        secs = time.perf_counter() - t0
        q = quality(ev, ims, clf)
        sc = prompt_scores(dp, n_per_prompt=args.n_per_prompt, guidance=4., steps=steps, sampler='ddim',
                           seed=args.seed)['summary']
        r = dict(model=kind, steps=steps, nfe=steps * (2 if kind == 'teacher' else 1), **q, fid_ratio=q['fid'] / floor['fid'],
                 images_per_s=len(ims) / secs, digit=sc['digit'], attributes=sc['attributes'], n_prompt_images=sc['n_images'])
        if student is not None:
            m = read_info(CHECKPOINT_DIR / f'mnist_t2i_student{steps}')['metadata']
            r.update(train_time_s=m['train_time_s'], iterations=m['iterations'], valid_loss=m['valid_loss'])
        rows.append(r)
        print(f"{kind:8s} {steps:3d} steps ({r['nfe']:3d} NFE): FID {r['fid']:7.3f} ({r['fid_ratio']:5.2f}x floor) "
              f"stray {r['stray_ink']:6.1%} largest class {r['max_class_share']:6.1%} digit {r['digit']:6.1%} "
              f"attrs {r['attributes']:6.1%}" + (f" round {r['train_time_s']:.0f} s" if student is not None else ''),
              flush=True)
    def get(kind, steps): return next((r for r in rows if r['model'] == kind and r['steps'] == steps), None)
    t64, goals = get('teacher', 64), {}
    if t64 is not None:
        for k, limit in ((4, 1.25), (1, 3.)):
            s = get('student', k)
            if s is not None:
                goals[f'student{k}_fid_vs_teacher64'] = dict(ratio=s['fid'] / t64['fid'], limit=limit,
                                                            met=s['fid'] / t64['fid'] <= limit)
        s4 = get('student', 4)
        if s4 is not None:
            goals['student4_digit_vs_teacher64'] = dict(gap_points=100 * (t64['digit'] - s4['digit']), limit_points=1.,
                                                       met=t64['digit'] - s4['digit'] <= 0.01)
    for k, v in goals.items(): print(k, v)
    res = dict(meta=dict(n_fid=args.n_fid, n_per_prompt=args.n_per_prompt, seed=args.seed, guidance=4., sampler='ddim',
                         grid='distill_sigmas(steps): every (64/steps)-th level of the 64-level Karras grid, then 0',
                         threads=args.threads, torch=torch.__version__, python=platform.python_version(),
                         date=time.strftime('%Y-%m-%d'), this_run_s=round(time.perf_counter() - t_all),
                         reference='held-out placed digits 9,000-9,999; generated from the captions of 8,000-8,999; '
                                   'floor: those real images; no-erasing evaluator ResNet',
                         command=' '.join(sys.argv)), floor=floor, rows=rows, goals=goals)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(res, indent=1, default=float) + '\n')
    print(f'results -> {args.results}')


if __name__ == '__main__':
    main()
