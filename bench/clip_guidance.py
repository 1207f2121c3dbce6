#!/usr/bin/env python
"""CLIP guidance (lesson 22): seconds per image with and without it, side by side in one run.

Usage: python bench/clip_guidance.py [--n 64] [--steps 20] [--scale 100] [--repeats 3] [--threads 1]
           [--results bench/results/clip_guidance.json]

Each row samples --n images of "a thick 7" with `sdfound.clip_guidance.clip_guided` on the shipped text-to-image
model, 20 DPM-Solver++(2M) steps by default, on the empty-prompt branch (one network call per step) and with
classifier-free guidance w = 4 (one batched pair per step), at clip_scale 0 (no CLIP guidance: no gradient is taken)
and at --scale. The median of --repeats runs; the ratio is against the same model without CLIP guidance.
Smoke test: python bench/clip_guidance.py --n 4 --steps 2 --repeats 1 --results /tmp/t.json
"""
import argparse, json, platform, statistics, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=64)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--scale', type=float, default=100.)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'clip_guidance.json')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    from sdfound.txt2img import TextToImage
    from sdfound.clip_guidance import clip_guided
    pipe = TextToImage.shipped()
    rows = []
    for uncond in (True, False):
        base = None
        for s in (0., a.scale):
            times = []
            for _ in range(a.repeats):
                t0 = time.perf_counter()
                clip_guided(pipe, 'a thick 7', s, 4., uncond, a.steps, n_per_prompt=a.n, seed=0)
                times.append(time.perf_counter() - t0)
            sec = statistics.median(times) / a.n
            base = base or sec
            rows.append(dict(model='empty prompt' if uncond else 'CFG w = 4', clip_scale=s, sec_per_image=sec,
                             ratio=sec / base))
    print(f"n = {a.n} images, {a.steps} steps, {a.threads} thread(s), median of {a.repeats}")
    print(f"{'model':>14} {'clip_scale':>10} {'ms / image':>11} {'x unguided':>11}")
    for r in rows:
        print(f"{r['model']:>14} {r['clip_scale']:10g} {1000 * r['sec_per_image']:11.1f} {r['ratio']:11.2f}")
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(json.dumps(dict(args={k: str(v) for k, v in vars(a).items()}, rows=rows,
                                         torch=torch.__version__, machine=platform.machine()), indent=1) + '\n')
    print(f'wrote {a.results}')


if __name__ == '__main__': main()
