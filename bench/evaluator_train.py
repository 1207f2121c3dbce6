#!/usr/bin/env python
"""Train the evaluator's feature network: a small MNIST ResNet WITHOUT Random Erasing, so that stray ink changes its features.

Usage: nice -n 15 python bench/evaluator_train.py [--epochs 8] [--threads 1] [--out sdfound/checkpoints/mnist_eval_resnet]

Same recipe as lesson 08's classifier (AdamW, one-cycle peaking at 0.01, batch 64, weight decay 0.05, seed 0, random shifts
of up to 2 pixels) but a quarter of the width (nfs 8-16-32-64) and no Random Erasing: lesson 08 fills random rectangles
with uniform noise during training, which teaches the network to ignore exactly the speckle we want the evaluator to see.
Data: load_mnist('test') images 0-7,999 (training), 8,000-9,999 held out (accuracy). Writes `--out`.safetensors/.json
with `sdfound.checkpoint.save_model` (metadata: ResNet args, accuracy, time, this command) and a model card `--out`.md.
"""
import argparse, sys, time
from functools import partial
from pathlib import Path
import torch
import sdfound
from sdfound.checkpoint import save_model
from sdfound.data import load_mnist
from sdfound.resnet import ResNet, random_shift, train_classifier, predict

CARD = """# MNIST evaluator ResNet, no erasing (sdfound lesson 14)

The feature network of `sdfound.fid.load_mnist_eval_model()`: a small `sdfound.resnet.ResNet` trained like lesson 08's
classifier but **without Random Erasing**, so that stray ink (speckle, salt noise) moves its features; lesson 14 scores
generated digits with its pooled last-stage features (64 numbers per image).

* **Files**: `{name}.safetensors` (float32 weights and normalization buffers, {kb:.0f} KB), `{name}.json`
  (`sdfound.checkpoint.save_model` card: `metadata.args` are the `ResNet` arguments, plus these metrics).
* **Input**: raw images (B, 1, 28, 28) in [0, 1], white digit on black.
* **Architecture**: `ResNet(nfs={nfs}, strides=[2, 2, 2])`: {params:,} parameters.
* **Data**: `load_mnist('test')` images 0-7,999 for training; 8,000-9,999 held out. No other data.
* **Training**: {epochs} epochs, batch 64, AdamW (weight decay 0.05), one-cycle learning rate peaking at 0.01,
  cross-entropy; augmentation: random shifts of up to 2 pixels only (no erasing); seed 0; CPU, {threads} thread(s), float32.
* **Metrics**: held-out accuracy **{acc:.4f}** on the 2,000 held-out images; training {secs:.0f} s on a shared 2-core CPU
  (torch {torch}).
* **Reproduce**: `{cmd}` (from the repository root, `SDFOUND_DATA` pointing at the MNIST IDX files). Results can differ in the
  last digits between machines and PyTorch versions.
* **Limitations**: a measuring instrument for 28x28 MNIST-style digits only; not a better classifier than lesson 08's.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--epochs', type=int, default=8)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=Path(sdfound.__file__).parent / 'checkpoints' / 'mnist_eval_resnet')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load_mnist('test')
    xt, yt, xv, yv = x[:8000], y[:8000], x[8000:], y[8000:]
    rargs = dict(in_ch=1, n_classes=10, nfs=[8, 16, 32, 64], strides=[2, 2, 2], ks=3, mean=xt.mean().item(), std=xt.std().item())
    model = ResNet(**rargs)
    t0 = time.perf_counter()
    train_classifier(model, xt, yt, xv, yv, epochs=args.epochs, lr=1e-2, bs=64, wd=0.05, tfms=[partial(random_shift, pad=2)], seed=0)
    secs = time.perf_counter() - t0
    acc = (predict(model, xv).argmax(1) == yv).float().mean().item()
    cmd = 'nice -n 15 python bench/evaluator_train.py ' + ' '.join(sys.argv[1:])
    meta = dict(arch='ResNet', args=model.args, accuracy=round(acc, 4), train_time_s=round(secs, 1), threads=args.threads,
                epochs=args.epochs, augmentation='random_shift(pad=2); no random_erase', train='load_mnist("test")[:8000]',
                held_out='load_mnist("test")[8000:]', command=cmd.strip())
    st = save_model(model.eval(), args.out, meta)
    args.out.with_name(args.out.name + '.md').write_text(CARD.format(
        name=args.out.name, kb=st.stat().st_size / 1024, nfs=rargs['nfs'], params=sum(p.numel() for p in model.parameters()),
        epochs=args.epochs, threads=args.threads, acc=acc, secs=secs, torch=torch.__version__, cmd=cmd.strip()))
    print(f'held-out accuracy {acc:.4f}, {secs:.0f} s; wrote {st}')


if __name__ == '__main__':
    main()
