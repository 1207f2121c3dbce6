#!/usr/bin/env python
"""Convert model files written by older sdfound versions to the current model card of `sdfound.checkpoint.save_model`.

    python tools/convert_checkpoints.py            # every sdfound/checkpoints/*.json
    python tools/convert_checkpoints.py runs/a     # given files (with or without suffix)

Old formats: the classifier file of lesson 08 ({'arch', 'args', 'meta'} JSON beside a bare safetensors file), and
model cards whose metadata held the model's arguments ('args', with 'arch' and 'schedule' for a DDPM). The new card
names the class (`model_class`, `model_module`) and its arguments (`model_args`), so `load_model(path)` rebuilds it.
Weights are never changed: cards that already have an id keep it and their tensor file stays byte for byte the same;
a bare classifier file is rewritten with an id, and every tensor is compared with the original after conversion.
Files already in the current format are left alone.
"""
import json, sys
from pathlib import Path
import torch
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sdfound.core import MODELS                                              # noqa: E402
from sdfound.checkpoint import CHECKPOINT_DIR, checkpoint_paths, atomic_write, load_model, read_info, save_model  # noqa: E402
import sdfound.resnet, sdfound.vae, sdfound.unet                             # noqa: E402,F401  (register the classes)


def _rebuild(name: str, args: dict) -> torch.nn.Module:
    "The registered model `name` built from the (possibly partial) old `args`."
    if name not in MODELS: raise SystemExit(f"unknown model class {name!r}: known are {sorted(MODELS)}")
    return MODELS[name](**args)


def convert(path) -> str:
    "Convert the model file at `path` in place; return what was done."
    st, js = checkpoint_paths(path)
    old = json.loads(js.read_text())
    before = load_file(str(st))
    if 'format' not in old and old.get('arch'):                              # lesson 08's classifier file
        model = _rebuild(old['arch'], old['args'])
        model.load_state_dict(before)
        save_model(model, st, metadata=old.get('meta', {}))                   # new id: the tensor file is rewritten
        what = 'rewrote both files'
    else:
        info = read_info(js)
        if 'model_args' in info: return 'already current'
        md = dict(info.get('metadata', {}))
        if 'args' not in md: raise SystemExit(f"{js}: no model arguments to convert (metadata has {sorted(md)})")
        name = md.pop('arch', info['model_class'])
        model = _rebuild(name, md.pop('args'))
        dtype = md.pop('weights_dtype', 'float32')
        card = {k: v for k, v in info.items() if k not in ('metadata', 'sdfound_version', 'torch_version')}
        card.update(model_class=name, model_module=type(model).__module__, model_args=json.loads(json.dumps(model.args)),
                    weights_dtype=dtype)
        card['metadata'] = md
        card.update(sdfound_version=info.get('sdfound_version'), torch_version=info.get('torch_version'))
        text = json.dumps(card, indent=1, allow_nan=False) + '\n'
        atomic_write({js: lambda tmp: Path(tmp).write_text(text)})            # same id: the tensor file stays as it is
        what = 'rewrote the card'
    after = load_file(str(st))
    if before.keys() != after.keys() or not all(torch.equal(before[k], after[k]) and before[k].dtype == after[k].dtype
                                                for k in before):
        raise SystemExit(f"{st}: the tensors changed during conversion")
    loaded = load_model(st).state_dict()
    if not all(torch.equal(loaded[k], before[k].float() if before[k].is_floating_point() else before[k]) for k in before):
        raise SystemExit(f"{st}: load_model does not give back the stored weights")
    return what + '; tensors identical, load_model checked'


def main(args):
    paths = args or sorted(p.with_suffix('') for p in CHECKPOINT_DIR.glob('*.json'))
    for p in paths: print(f'{p}: {convert(p)}')


if __name__ == '__main__': main(sys.argv[1:])
