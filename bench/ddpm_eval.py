"""Shared pieces of the DDPM benchmarks (fid_ddpm.py, samplers.py, sampler_variants.py): the shipped checkpoint, the
reference split and evaluator of nbs/14_fid.ipynb, seeded sampling in batches and a resumable cache of samples."""
import hashlib, os, time
from pathlib import Path
import torch
from safetensors import safe_open
from safetensors.torch import save_file, load_file
import sdfound
from sdfound.data import load_mnist
from sdfound.fid import ImageEvaluator

ROOT = Path(sdfound.__file__).parent.parent
CKPT = Path(sdfound.__file__).parent / 'checkpoints' / 'mnist_ddpm.safetensors'


def reference_split(n_all: int = 10_000, seed: int = 0):
    "Indices of the reference half and of the real pool: the random split of nbs/14_fid.ipynb."
    perm = torch.randperm(n_all, generator=torch.Generator().manual_seed(seed))
    return perm[:n_all // 2], perm[n_all // 2:]


def mnist_evaluator() -> tuple:
    "`ImageEvaluator` on the reference half of load_mnist('test') (5,000 images), and the other half (5,000, 1, 28, 28): the real pool for floors."
    x, _ = load_mnist('test')
    idx_ref, idx_real = reference_split(len(x))
    return ImageEvaluator(x[idx_ref], device='cpu'), x[idx_real]


def checkpoint_sha1() -> str:
    "SHA-1 of the DDPM weights file: samples from different weights are never mixed or scored as these."
    return hashlib.sha1(CKPT.read_bytes()).hexdigest()


def sample_batch(sample_fn, k: int, b: int, seed: int) -> tuple:
    "Batch `k` of `b` images: xT (b, 1, 32, 32) then the sampler's noise from a generator seeded `seed` + k; `sample_fn(xT, g)` -> x0 in about [-1, 1]. Returns (images in [0, 1], seconds)."
    g = torch.Generator().manual_seed(seed + k)
    xT = torch.randn((b, 1, 32, 32), generator=g)                                      # (b, 1, 32, 32)
    t0 = time.perf_counter()
    x0 = sample_fn(xT, g)                                                               # (b, 1, 32, 32), about [-1, 1]
    return ((x0.float() + 1) / 2).clamp(0, 1), time.perf_counter() - t0


def load_samples(path: Path, want: dict) -> tuple:
    "Samples (k, 1, 32, 32) cached in `path` and their sampling seconds; empty if no file; an error if made with settings other than `want`."
    if not path.is_file(): return torch.empty(0, 1, 32, 32), 0.
    with safe_open(str(path), 'pt') as f: meta = f.metadata() or {}
    have = {k: meta.get(k) for k in want}
    if have != want: raise SystemExit(f"{path} holds samples made with {have}, not {want}: delete it or choose another file")
    return load_file(str(path))['samples'], float(meta.get('sampling_s', 0))


def save_samples(samples: torch.Tensor, path: Path, meta: dict, secs: float):
    "Write `samples` with `meta` and the sampling seconds as metadata, atomically (temporary file, then rename)."
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + '.tmp')
    save_file({'samples': samples.contiguous()}, str(tmp), metadata={**meta, 'sampling_s': f'{secs:.1f}'})
    os.replace(tmp, path)
