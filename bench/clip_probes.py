#!/usr/bin/env python
"""How much of each attribute the mini-CLIP's image side can read (lesson 19): zero-shot, a linear probe, supervised.

Usage: python bench/clip_probes.py [--epochs 5] [--supervised thickness] [--nfs 16,32,64,64] [--threads 1]
           [--results bench/results/clip_probes.json]

For each attribute of lesson 18a (and the digit), on the 2,000 held-out placed digits (`heldout_pairs()`):
zero-shot accuracy of the shipped InfoNCE mini-CLIP (joint digit-value prompts, as `clip_metrics`); a linear probe
(scikit-learn LogisticRegression) on its frozen image embeddings, fit on the 24,000 training pairs' images; and the
same CNN (`ImageEncoder`) trained from scratch with the labels (cross-entropy, `fit_one_cycle`, --epochs, batch 128,
lr 3e-3, weight decay 0.1, seed 0), the ceiling of the architecture with this much data, for the --supervised
targets only (about 2.5 minutes each on one thread); --nfs sets its channels (default: the mini-CLIP's), to see whether
a wider encoder would read an attribute better.
"""
import argparse, json, platform, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--supervised', default='thickness', help="targets to train a CNN for, e.g. 'digit,thickness'")
    ap.add_argument('--nfs', default='16,32,64,64', help='channels of the supervised CNN per level')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--results', type=Path, default=ROOT / 'bench' / 'results' / 'clip_probes.json')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    import torch.nn.functional as F
    from sklearn.linear_model import LogisticRegression
    from sdfound.core import set_seed
    from sdfound.learner import fit_one_cycle
    from sdfound.captions import ATTRIBUTES
    from sdfound.clip import ImageEncoder, clip_pairs, heldout_pairs, load_mnist_clip, clip_metrics, image_embeddings
    t_all = time.perf_counter()
    tr, va = clip_pairs(3), heldout_pairs()
    clip = load_mnist_clip()
    zs = clip_metrics(clip, va['images'], va['labels'], va['values'], va['captions'])
    with torch.no_grad():
        f_tr = image_embeddings(clip, tr['images'])
        f_va = image_embeddings(clip, va['images'])
    rows = []
    for k in ('digit', *ATTRIBUTES):
        y_tr = tr['labels'] if k == 'digit' else tr['values'][k]
        y_va = va['labels'] if k == 'digit' else va['values'][k]
        probe = LogisticRegression(max_iter=3000).fit(f_tr.numpy(), y_tr.numpy()).score(f_va.numpy(), y_va.numpy())
        sup, t0 = None, time.perf_counter()
        if k in args.supervised.split(','):
            set_seed(0)
            net = ImageEncoder(tuple(int(c) for c in args.nfs.split(',')), out=int(y_tr.max()) + 1)
            fit_one_cycle(net, tr['images'], y_tr, va['images'], y_va, F.cross_entropy, epochs=args.epochs, lr=3e-3,
                          bs=128, wd=0.1, verbose=False)
            net.eval()
            with torch.no_grad(): sup = (net(va['images']).argmax(1) == y_va).float().mean().item()
        rows.append(dict(target=k, zero_shot=zs[k], linear_probe=float(probe), supervised=sup,
                         supervised_s=round(time.perf_counter() - t0, 1)))
        print(f"{k:10s} zero-shot {zs[k]:6.1%}  linear probe {probe:6.1%}  supervised CNN "
              + ('   -  ' if sup is None else f'{sup:6.1%}'), flush=True)
    out = dict(meta=dict(n_valid=len(va['labels']), n_train=len(tr['labels']), epochs=args.epochs, nfs=args.nfs,
                         threads=args.threads,
                         torch=torch.__version__, python=platform.python_version(), date=time.strftime('%Y-%m-%d'),
                         this_run_s=round(time.perf_counter() - t_all)), rows=rows)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=1) + '\n')
    print(f'results -> {args.results}')


if __name__ == '__main__':
    main()
