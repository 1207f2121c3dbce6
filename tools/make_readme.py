#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb (Quarto is not needed): markdown cells as they are, code cells fenced.

`python tools/make_readme.py --check` exits 1 when README.md is out of step with the notebook.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path: Path) -> str:
    "The README text for the index notebook at `nb_path`."
    cells = json.loads(nb_path.read_text())['cells']
    parts = []
    for c in cells:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        if c['cell_type'] == 'markdown': parts.append(re.sub(r'\]\((\w+\.ipynb)\)', r'](nbs/\1)', src))  # links relative to the repo root
        elif c['cell_type'] == 'code':
            parts.append(f"```python\n{src}\n```")
            outs = [''.join(o.get('text', '')) for o in c.get('outputs', []) if o.get('output_type') == 'stream']
            if any(outs): parts.append("```\n" + ''.join(outs).rstrip() + "\n```")
    head = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"
    return head + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text = render(root / 'nbs' / 'index.ipynb')
    readme = root / 'README.md'
    if '--check' in sys.argv:
        ok = readme.exists() and readme.read_text() == text
        print('README.md is in step with nbs/index.ipynb' if ok else 'README.md is out of step: run python tools/make_readme.py')
        sys.exit(0 if ok else 1)
    readme.write_text(text)
    print(f'wrote {readme}')
