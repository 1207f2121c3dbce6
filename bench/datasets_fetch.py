"""One training epoch of MNIST batches through the pipelines of lesson 05: tensors vs HF `datasets`,
with the batch transform (pad to 32, normalise) run once per batch or once per item, and HF
records fetched as one ds[indices] per batch, via DataLoader's __getitems__, item by item, or in Arrow format.

Usage: SDFOUND_DATA=/path python bench/datasets_fetch.py [--n 8000] [--bs 64] [--repeats 5]
Prints the median seconds per epoch over `repeats` and the ratio to the tensor path (all measured in one run).
"""
import argparse, statistics, time
from functools import partial
import torch
from sdfound.data import load_mnist
from sdfound.datasets import DataLoaders, to_hf_dataset, hf_transform, compose, pad_to, normalize, to_float_images, collate_dict

class PerItemTfm(torch.utils.data.Dataset):
    "Tensors with the batch transform applied to each item on its own (as a batch of one)."
    def __init__(self, x, y, tfm): self.x, self.y, self.tfm = x, y, tfm
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.tfm(self.x[i:i + 1])[0], self.y[i]

class ItemByItem(torch.utils.data.Dataset):
    "Only `__len__` and `__getitem__` (no `__getitems__`): the DataLoader fetches one item at a time."
    def __init__(self, ds): self.ds = ds
    def __len__(self): return len(self.ds)
    def __getitem__(self, i): return self.ds[i]

def epoch_time(dl) -> float:
    "Seconds to iterate once over `dl`."
    t0 = time.perf_counter()
    for _ in dl: pass
    return time.perf_counter() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=8000); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--repeats', type=int, default=5)
    a = p.parse_args()
    import datasets
    torch.set_num_threads(1)
    x, y = load_mnist('test')
    xtr, ytr, xva, yva = x[:a.n], y[:a.n], x[8000:8100], y[8000:8100]
    u8 = lambda t: (t[:, 0] * 255).round().to(torch.uint8)  # (N, H, W)
    dd = datasets.DatasetDict(train=to_hf_dataset(u8(xtr), ytr), valid=to_hf_dataset(u8(xva), yva))
    tfm = compose(partial(pad_to, size=32), normalize)
    dd_t = dd.with_transform(hf_transform(tfm))
    pipes = {
        'tensors, default_collate + tfm per batch': lambda: DataLoaders.from_tensors(xtr, ytr, xva, yva, bs=a.bs, tfm=tfm).train,
        'tensors, default_collate, tfm per item':   lambda: torch.utils.data.DataLoader(PerItemTfm(xtr, ytr, tfm), a.bs, shuffle=True),
        'HF records, batched=True':                 lambda: DataLoaders.from_dd(dd_t, bs=a.bs).train,
        'HF records, batched=False (__getitems__)': lambda: DataLoaders.from_dd(dd_t, bs=a.bs, batched=False).train,
        'HF records, item by item':                 lambda: DataLoaders.from_dd({k: ItemByItem(v) for k, v in dd_t.items()}, bs=a.bs,
                                                                            batched=False, collate_fn=collate_dict(dd['train'])).train,
        'HF Arrow format, batched=True':            lambda: DataLoaders.from_dd(dd.with_format('arrow'), bs=a.bs, tfm=compose(to_float_images, tfm)).train,
    }
    res = {k: statistics.median(epoch_time(f()) for _ in range(a.repeats)) for k, f in pipes.items()}
    base = res[next(iter(res))]
    print(f"one epoch of {a.n} MNIST images, bs={a.bs}, median of {a.repeats}, 1 thread")
    print(f"{'pipeline':45s} {'s/epoch':>9s} {'items/s':>9s} {'x tensors':>10s}")
    for k, v in res.items(): print(f"{k:45s} {v:9.3f} {a.n / v:9.0f} {v / base:10.1f}")

if __name__ == '__main__': main()
