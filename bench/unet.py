#!/usr/bin/env python
"""Training speed on the CPU of lesson 12's U-Net against diffusers' `UNet2DModel` of the same architecture and size.

Usage: python bench/unet.py [--quick] [--bs 64] [--steps N] [--repeats N] [--threads 1[,2]]

Both models get the same configuration for 1x32x32 MNIST (channels (32, 64, 128), one ResBlock per level, GroupNorm
with 8 groups, 4-head self-attention at 8x8 and in the middle block), so they have exactly the same parameters and the
same multiply-adds: what differs is the implementation. One training step = noise MNIST digits (x0 + sigma * eps,
sigma ~ U(0, 1), t = 1000 sigma), forward, MSE against eps, backward, AdamW step. Every model does one untimed warm-up
step; then the models take turns (A, B, C, D, A, B, ...) `--repeats` times, `--steps` steps each, so that load from
other jobs on a shared machine hits all of them alike. The table shows the median images/s of wall time and of CPU time
(`time.process_time`, all threads of this process): on a machine shared with other jobs, CPU time is much less disturbed
by them, since time spent waiting for a core is not counted; with 2 threads it also counts both threads' work.
Rows: sdfound `UNet()` (channels-last memory inside, the default), the same with `channels_last=False`, diffusers'
`UNet2DModel` as it comes (NCHW), and diffusers after `.to(memory_format=torch.channels_last)` with channels-last
inputs (what a diffusers user could do by hand). 'x diffusers' is images/s over the plain diffusers row's, per
CPU-second and per wall-second.
--quick: a tiny configuration (channels (8, 16), 16x16 inputs), batch 8, 2 repeats of 1 step: a smoke test.
"""
import argparse, platform, statistics, time
import torch
import torch.nn.functional as F
from sdfound.core import set_seed
from sdfound.data import load_mnist
from sdfound.unet import UNet


def diffusers_unet(in_ch: int, nfs, n_blocks: int, attn, n_heads: int, groups: int):
    "diffusers' UNet2DModel with the architecture of `sdfound.unet.UNet(in_ch, in_ch, nfs, n_blocks, attn, n_heads, groups=groups)`."
    from diffusers import UNet2DModel
    return UNet2DModel(in_channels=in_ch, out_channels=in_ch, block_out_channels=tuple(nfs), layers_per_block=n_blocks,
                       down_block_types=tuple('AttnDownBlock2D' if a else 'DownBlock2D' for a in attn),
                       up_block_types=tuple('AttnUpBlock2D' if a else 'UpBlock2D' for a in reversed(attn)),
                       norm_num_groups=groups, attention_head_dim=nfs[-1] // n_heads)


def make_models(cfg: dict) -> dict:
    "name -> (model, channels-last inputs?, call returning the prediction)."
    set_seed(0)
    ours = lambda m, x, t: m(x, t)
    theirs = lambda m, x, t: m(x, t).sample
    dcfg = {k: cfg[k] for k in ('in_ch', 'nfs', 'n_blocks', 'attn', 'n_heads', 'groups')}
    return {'sdfound UNet': (UNet(**cfg), False, ours),
            'sdfound UNet, NCHW': (UNet(**cfg, channels_last=False), False, ours),
            'diffusers UNet2DModel': (diffusers_unet(**dcfg), False, theirs),
            'diffusers, channels-last': (diffusers_unet(**dcfg).to(memory_format=torch.channels_last), True, theirs)}


def train_steps(model, call, opt, x0, cl: bool, steps: int, g: torch.Generator):
    "`steps` noise-prediction training steps on the batch `x0` (B, C, H, W)."
    for _ in range(steps):
        sigma = torch.rand(len(x0), generator=g)                          # (B,)
        eps = torch.randn(x0.shape, generator=g)                          # (B, C, H, W)
        xt = x0 + sigma[:, None, None, None] * eps                        # (B, C, H, W)
        if cl: xt = xt.contiguous(memory_format=torch.channels_last)
        loss = F.mse_loss(call(model, xt, 1000 * sigma), eps)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)


def throughput(models: dict, x0, threads: int, steps: int, repeats: int) -> list[dict]:
    "Median training images/s of each model on `threads` threads, interleaved."
    torch.set_num_threads(threads)
    opts = {k: torch.optim.AdamW(m.parameters(), 1e-4) for k, (m, _, _) in models.items()}
    g = torch.Generator().manual_seed(0)
    for k, (m, cl, call) in models.items(): train_steps(m, call, opts[k], x0, cl, 1, g)   # warm-up
    wall, cpu = {k: [] for k in models}, {k: [] for k in models}
    for _ in range(repeats):
        for k, (m, cl, call) in models.items():
            w0, c0 = time.perf_counter(), time.process_time()
            train_steps(m, call, opts[k], x0, cl, steps, g)
            wall[k].append(time.perf_counter() - w0); cpu[k].append(time.process_time() - c0)
    rows = []
    for k in models:
        mw, mc = statistics.median(wall[k]), statistics.median(cpu[k])
        rows.append(dict(model=k, threads=threads, params=sum(p.numel() for p in models[k][0].parameters()),
                         ips=steps * len(x0) / mw, ipc=steps * len(x0) / mc, spread=(max(cpu[k]) - min(cpu[k])) / mc))
    base = next(r for r in rows if r['model'] == 'diffusers UNet2DModel')
    for r in rows: r['ratio_cpu'], r['ratio_wall'] = r['ipc'] / base['ipc'], r['ips'] / base['ips']
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='tiny U-Nets on 16x16 crops, batch 8, 2 repeats of 1 step')
    ap.add_argument('--bs', type=int, default=None, help='batch size (default 64; 8 with --quick)')
    ap.add_argument('--steps', type=int, default=None, help='training steps per model per repeat (default 2; 1 with --quick)')
    ap.add_argument('--repeats', type=int, default=None, help='interleaved repeats (default 5; 2 with --quick)')
    ap.add_argument('--threads', default='1', help='comma-separated torch thread counts, e.g. 1,2 (default 1)')
    args = ap.parse_args()
    args.bs = args.bs or (8 if args.quick else 64)
    args.steps = args.steps or (1 if args.quick else 2)
    args.repeats = args.repeats or (2 if args.quick else 5)
    threads = [int(t) for t in args.threads.split(',')]
    for nm in ('bs', 'steps', 'repeats'):
        if getattr(args, nm) < 1: ap.error(f'--{nm} must be >= 1, got {getattr(args, nm)}')
    if any(t < 1 for t in threads): ap.error(f'--threads must be positive integers, got {args.threads}')

    cfg = (dict(in_ch=1, out_ch=1, nfs=(8, 16), n_blocks=1, attn=(False, True), n_heads=2, groups=4) if args.quick else
           dict(in_ch=1, out_ch=1, nfs=(32, 64, 128), n_blocks=1, attn=(False, False, True), n_heads=4, groups=8))
    x, _ = load_mnist('test')
    x0 = F.pad(x[:args.bs], (2, 2, 2, 2))                                 # (B, 1, 32, 32)
    if args.quick: x0 = x0[:, :, 8:24, 8:24]                              # (B, 1, 16, 16)
    models = make_models(cfg)
    print(f'torch {torch.__version__}, {platform.processor() or platform.machine()}; U-Net {cfg}; batches of {args.bs} '
          f'{tuple(x0.shape[1:])} images, {args.steps} training step(s) per repeat, median of {args.repeats} interleaved repeats\n')
    rows = [r for t in threads for r in throughput(models, x0, t, args.steps, args.repeats)]
    print(f"{'model':<26}{'threads':>8}{'params':>11}{'img/CPU-s':>11}{'x diffusers':>13}{'img/s wall':>12}{'x diffusers':>13}{'spread':>8}")
    for r in rows:
        print(f"{r['model']:<26}{r['threads']:>8}{r['params']:>11,}{r['ipc']:>11.1f}{r['ratio_cpu']:>13.2f}{r['ips']:>12.1f}"
              f"{r['ratio_wall']:>13.2f}{r['spread']:>8.0%}")
    print("('x diffusers': over diffusers' UNet2DModel at the same thread count; 'spread': (max - min) / median of the CPU times)")


if __name__ == '__main__': main()
