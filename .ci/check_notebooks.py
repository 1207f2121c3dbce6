#!/usr/bin/env python
"""Check the text of the notebooks: no control characters in markdown, no mangled LaTeX in outputs, no bookkeeping.

A LaTeX string written in Python without r'' loses backslashes: '\\beta' becomes '\\x08eta', '\\times' a TAB and 'imes'.
  check_notebooks.py [NB ...]     check the given notebooks (default nbs/*.ipynb); exit 1 on any finding
  check_notebooks.py --self-test  check that the checker flags a tiny fake notebook with a '\\x08' in its markdown
"""
import json, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# markdown: every control character but newline (TAB too: a '\t' in a Python string ate the backslash of '\times')
MD_BAD = re.compile(r'[\x00-\x09\x0b-\x1f]')
# rich text outputs (markdown, LaTeX): bell, backspace, vertical tab, form feed; '\r' and '\t' are left to progress bars
OUT_BAD = re.compile(r'[\x07\x08\x0b\x0c]')
# any text output: a control character followed by the rest of a LaTeX command whose backslash was eaten
LATEX_TAIL = (r'\t(?:imes|heta|ext\{|ilde|au\b|op\b|riangle|frac)|\x08(?:eta|egin\{|ar\{|oldsymbol|ig[lr(]|inom)'
              r'|\x07(?:lpha|pprox|st\b)|\x0c(?:rac\{|orall)|\x0b(?:ec\{|ar|arepsilon|arphi|dots)'
              r'|\r(?:ho\b|ightarrow|m\{|angle|ef\{)|\n(?:abla|eq\b|otin|ewline)')
OUT_LATEX = re.compile(LATEX_TAIL)
PHRASES = re.compile(r'the issue|this issue|closing note|quality target|acceptance', re.I)
RICH = ('text/markdown', 'text/latex')


def _src(x) -> str: return ''.join(x) if isinstance(x, list) else (x or '')


def _snippet(s: str, i: int, w: int = 30) -> str: return ascii(s[max(0, i - w):i + w])


def check_nb(path) -> list[str]:
    "Findings for one notebook, one line each: notebook, cell index, what is wrong and the offending snippet."
    path = Path(path)
    try: name = str(path.resolve().relative_to(ROOT))
    except ValueError: name = str(path)
    nb, out = json.loads(path.read_text(encoding='utf-8')), []
    for i, c in enumerate(nb.get('cells', [])):
        if c.get('cell_type') == 'markdown':
            s = _src(c.get('source'))
            for m in MD_BAD.finditer(s):
                out.append(f"{name} cell {i}: control character {m.group()!r} in markdown: {_snippet(s, m.start())}")
            for m in PHRASES.finditer(s):
                out.append(f"{name} cell {i}: bookkeeping phrase {m.group()!r} in markdown: {_snippet(s, m.start())}")
        elif c.get('cell_type') == 'code':
            for o in c.get('outputs', []):
                texts = [('stream', _src(o.get('text')))] if 'text' in o else []
                texts += [(k, _src(v)) for k, v in o.get('data', {}).items() if k.startswith('text/')]
                for kind, s in texts:
                    hits = list(OUT_BAD.finditer(s)) if kind in RICH else []
                    hits += [m for m in OUT_LATEX.finditer(s) if not any(h.start() == m.start() for h in hits)]
                    for m in hits:
                        out.append(f"{name} cell {i}: control character {m.group()[0]!r} in {kind} output: "
                                   f"{_snippet(s, m.start())}")
    return out


def _fake_nb(d: Path, name: str, cells: list[dict]) -> Path:
    p = d / name
    p.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}), encoding='utf-8')
    return p


def self_test():
    "Build tiny fake notebooks and check that the checker flags exactly the bad ones."
    md = lambda s: {'cell_type': 'markdown', 'metadata': {}, 'source': [s]}
    code = lambda outs: {'cell_type': 'code', 'metadata': {}, 'source': [], 'outputs': outs, 'execution_count': 1}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        bad = check_nb(_fake_nb(d, 'bad.ipynb', [md('# Title\n'), md('A rate $\x08eta_t$ per step.\n')]))
        assert len(bad) == 1 and 'cell 1' in bad[0] and '\\x08' in bad[0], bad
        tab = check_nb(_fake_nb(d, 'tab.ipynb', [md('$a\times b$\n')]))
        assert len(tab) == 1 and "'\\t'" in tab[0], tab
        ok = check_nb(_fake_nb(d, 'ok.ipynb', [md('$\\beta_t$ and $a \\times b$,\nover two lines.\n'),
                                               code([{'output_type': 'stream', 'name': 'stderr',
                                                      'text': ['50%|#####     |\r100%|##########|\tdone\n']}])]))
        assert ok == [], ok
        outs = check_nb(_fake_nb(d, 'out.ipynb', [code([
            {'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown': ['$\x07lpha$'],
                                                                     'text/plain': ['<IPython.core.display.Markdown>']}},
            {'output_type': 'stream', 'name': 'stdout', 'text': ['loss = \x0crac{1}{N}\n']}])]))
        assert len(outs) == 2 and all('cell 0' in o for o in outs), outs
        words = check_nb(_fake_nb(d, 'words.ipynb', [md('This closes the issue.\n'), md('Acceptance: done.\n')]))
        assert len(words) == 2, words
    print("check_notebooks self-test: ok")


def main(args: list[str]) -> int:
    if args == ['--self-test']: self_test(); return 0
    paths = [Path(a) for a in args] or sorted((ROOT / 'nbs').glob('*.ipynb'))
    found = [f for p in paths for f in check_nb(p)]
    for f in found: print(f)
    print(f"check_notebooks: {len(paths)} notebooks, {len(found)} findings")
    return 1 if found else 0


if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
