"""microgpt.lines: every kind of line the classifier knows, on small sources and on the
package itself, the anchors chapter 7's table uses, and no matplotlib needed."""

import ast
import importlib.util
import inspect
import os
import subprocess
import sys
import textwrap

import pytest

import microgpt
from microgpt import lines
from microgpt.model import GPT

SNIPPET = '''\
"""A module docstring."""

import math


def check_positive(x):
    if x <= 0:
        raise ValueError("x must be positive")


def diverged(step):
    return RuntimeError(f"step {step}")


class Trace(dict):
    def record(self, **vectors):
        self.update(vectors)


def run_sequence(model, tokens):
    return [model(t) for t in tokens]


def f(x, trace=None):
    """A function docstring,
    on two lines."""
    check_positive(x)
    record = trace.record if trace is not None else None
    y = math.sqrt(x)  # the algorithm
    # a comment line
    if trace is not None:
        record(y=y)
    if y > 10:
        raise diverged(1)
    try:
        z = 1 / y
    except ZeroDivisionError as e:
        raise ValueError("y is zero") from e
    w = g(z, trace=trace)
    return w
'''

# line (its text, stripped) -> the kind it must have
EXPECTED = {
    '"""A module docstring."""': 'docstring',
    'import math': 'algorithm',
    'def check_positive(x):': 'checks', 'if x <= 0:': 'checks', 'raise ValueError("x must be positive")': 'checks',
    'def diverged(step):': 'checks', 'return RuntimeError(f"step {step}")': 'checks',
    'class Trace(dict):': 'trace', 'def record(self, **vectors):': 'trace', 'self.update(vectors)': 'trace',
    'def run_sequence(model, tokens):': 'trace', 'return [model(t) for t in tokens]': 'trace',
    'def f(x, trace=None):': 'algorithm',
    '"""A function docstring,': 'docstring', 'on two lines."""': 'docstring',
    'check_positive(x)': 'checks',
    'record = trace.record if trace is not None else None': 'trace',
    'y = math.sqrt(x)  # the algorithm': 'algorithm',
    '# a comment line': 'comment',
    'if trace is not None:': 'trace', 'record(y=y)': 'trace',
    'if y > 10:': 'checks', 'raise diverged(1)': 'checks',
    'try:': 'checks', 'z = 1 / y': 'algorithm', 'except ZeroDivisionError as e:': 'checks',
    'raise ValueError("y is zero") from e': 'checks',
    'w = g(z, trace=trace)': 'algorithm',  # does real work, only passes the trace along
    'return w': 'algorithm',
    '': 'blank',
}


def test_every_kind_of_line_on_a_small_source():
    src_lines, kinds = lines.classify_source(SNIPPET)
    assert len(src_lines) == len(kinds) == SNIPPET.count('\n')
    for line, kind in zip(src_lines, kinds):
        assert kind == EXPECTED[line.strip()], line
    assert set(kinds) == set(lines.KINDS)  # the snippet exercises every kind


def test_count_lines_adds_up(tmp_path):
    path = tmp_path / 'snippet.py'
    path.write_text(SNIPPET, encoding='utf-8')
    counts = lines.count_lines(path)
    assert counts['total'] == SNIPPET.count('\n')
    assert counts['code'] == counts['checks'] + counts['trace'] + counts['algorithm']
    assert counts['total'] == sum(counts[k] for k in lines.KINDS)
    expected = [EXPECTED[line.strip()] for line in SNIPPET.split('\n')[:-1]]
    assert all(counts[k] == expected.count(k) for k in lines.KINDS)


def _kind_of(module, text):
    """The kind of the one line of microgpt/<module>.py whose stripped text starts with text."""
    src_lines, kinds = lines.classify_lines(lines.module_path(module))
    found = [kind for line, kind in zip(src_lines, kinds) if line.strip().startswith(text)]
    assert len(found) >= 1, (module, text)
    assert len(set(found)) == 1, (module, text, found)
    return found[0]


@pytest.mark.parametrize('module, text, kind', [
    ('model', 'check_input(self.config', 'checks'),
    ('model', 'record(embedding=x)', 'trace'),
    ('model', 'record = trace.record if trace is not None else no_record', 'trace'),
    ('model', 'x = rmsnorm(x)', 'algorithm'),
    ('model', 'attn_weights = softmax(attn_logits)', 'algorithm'),
    ('train', 'raise diverged(step + 1', 'checks'),
    ('train', 'check_loss(loss.data', 'checks'),
    ('train', 'loss.backward()', 'algorithm'),
    ('sample', 'step_trace = Trace() if trace is not None else None', 'trace'),
    ('sample', 'logits = model.gpt(token_id, pos_id, keys, values, trace=step_trace)', 'algorithm'),
    ('contract', 'def run_sequence(', 'trace'),
    ('contract', 'def vocab_size_of(', 'checks'),
    ('contract', 'def param_shapes(', 'algorithm'),
    ('autograd', 'raise ValueError(f"log of a non-positive number', 'checks'),
    ('autograd', 'child.grad += local_grad * v.grad', 'algorithm'),
])
def test_the_package_lines_chapter_7_counts(module, text, kind):
    assert _kind_of(module, text) == kind


def _core_source():
    out = []
    for name in lines.CORE_MODULES:
        with open(lines.module_path(name), encoding='utf-8') as f:
            out.append(f.read())
    return '\n'.join(out)


def test_every_name_the_classifier_knows_is_in_the_core():
    """Renaming a helper (diverged, run_sequence, ...) fails here instead of silently moving
    its lines to 'algorithm' in chapter 7's figure."""
    source = _core_source()
    for name in lines.CHECK_FUNCTIONS | lines.TRACE_FUNCTIONS:
        assert f'def {name}(' in source, name
    for name in lines.TRACE_NAMES:
        assert name in source, name


# What every function and class of contract.py is: a new or renamed one must be added here
# (and, if it is a check or serves the trace, to microgpt.lines), so chapter 7 stays right.
CONTRACT = {
    'param_shapes': 'algorithm', 'check_input': 'checks', 'no_record': 'trace', 'Trace': 'trace',
    'run_sequence': 'trace', 'StepInfo': 'algorithm', 'diverged': 'checks', 'check_loss': 'checks',
    '_shape': 'checks', 'vocab_size_of': 'checks', 'check_weights': 'checks', 'check_tokenizer': 'checks',
    'check_docs': 'checks', 'check_framed': 'checks',
}


def test_every_top_level_definition_of_contract_has_a_known_kind():
    from microgpt import contract
    defined = {name for name, obj in vars(contract).items()
               if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == contract.__name__}
    assert defined == set(CONTRACT)
    src_lines, kinds = lines.classify_lines(lines.module_path('contract'))
    for name, kind in CONTRACT.items():
        _, first = inspect.getsourcelines(getattr(contract, name))
        assert kinds[first - 1] == kind, (name, src_lines[first - 1])


def test_core_imports_are_the_standard_library_only():
    imports = lines.core_imports()
    assert 'microgpt' not in imports and 'numpy' not in imports and 'matplotlib' not in imports
    assert all(name in sys.stdlib_module_names for name in imports), imports


# ----------------------------------------------------------------------------- anchors

def test_section_runs_from_its_comment_to_the_end_of_its_paragraph():
    path, _, src, first = lines.source_of(GPT.gpt)
    with open(path, encoding='utf-8') as f:
        file_lines = f.read().split('\n')
    for title in ('Step 1: Embed', '1) Multi-head attention block', '2) MLP block'):
        numbers = lines.section_lines(GPT.gpt, title)
        assert file_lines[numbers[0] - 1].strip() == f'# {title}'
        assert all(file_lines[n - 1].strip() for n in numbers)           # no blank line inside
        assert not file_lines[numbers[-1]].strip()                       # a blank line right after
        assert first <= numbers[0] and numbers[-1] < first + len(src)    # inside gpt()


def test_tag_finds_the_lines_whose_trailing_comment_is_the_tag():
    numbers = lines.tagged_lines(GPT.gpt, 'residual')
    path = inspect.getsourcefile(GPT)
    with open(path, encoding='utf-8') as f:
        file_lines = f.read().split('\n')
    assert len(numbers) == 2  # one per block: attention, MLP
    assert all(file_lines[n - 1].rstrip().endswith('# residual') and 'x_residual' in file_lines[n - 1]
               for n in numbers)


def _module_from(tmp_path, source, name='anchored'):
    path = tmp_path / f'{name}.py'
    path.write_text(textwrap.dedent(source), encoding='utf-8')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_anchors_are_whole_comments_and_a_missing_or_doubled_one_is_an_error(tmp_path):
    m = _module_from(tmp_path, '''
        def f(x):
            # Step 1
            y = x + 1  # tag
            z = "# Step 1"  # not a tag: a longer comment

            # Step 2
            w = y * 2  # tag
            return w  # tag, with more words

            # Step 2
    ''')
    first = inspect.getsourcelines(m.f)[1]
    assert lines.section_lines(m.f, 'Step 1') == [first + 1, first + 2, first + 3]
    assert lines.tagged_lines(m.f, 'tag') == [first + 2, first + 6]
    assert lines.locate(m.f, ('tag', 'tag')) == ('anchored.py', 'f', [first + 2, first + 6])
    with pytest.raises(LookupError, match=r"'# Step 2' is found 2 times in f"):
        lines.section_lines(m.f, 'Step 2')
    with pytest.raises(LookupError, match=r"'# Step' is found 0 times"):
        lines.section_lines(m.f, 'Step')          # a substring of a title is not an anchor
    with pytest.raises(LookupError, match=r"no line ends with the comment '# a longer'"):
        lines.tagged_lines(m.f, 'a longer')
    with pytest.raises(ValueError, match='an anchor is'):
        lines.locate(m.f, ('every line with', 'y'))


def test_lines_needs_no_matplotlib_and_the_core_does_not_import_it():
    code = ("import sys; sys.modules['matplotlib'] = None; sys.modules['numpy'] = None\n"
            "from microgpt import lines\n"
            "print(sum(c['algorithm'] for c in lines.core_line_counts().values()))\n")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(microgpt.__file__))))
    assert int(out.stdout) > 200
    for name in lines.CORE_MODULES:
        with open(lines.module_path(name), encoding='utf-8') as f:
            tree = ast.parse(f.read())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {'lines', 'microgpt.lines'}, name  # not part of the core model
