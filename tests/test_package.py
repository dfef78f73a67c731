"""The package's shape (issue 9): two engines that are siblings on one shared contract, no
package-level name that hides a submodule, and a path from the CLI to the scalar gpt() that
can be followed by reading imports."""

import ast
import importlib
import inspect
import pkgutil
import types

import microgpt


def top_level_imports(module_name):
    """The microgpt modules a module imports at its top level (not inside functions)."""
    module = importlib.import_module(f'microgpt.{module_name}')
    found = set()
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [a.name for a in node.names])
    return found


def test_no_package_level_name_hides_a_submodule():
    for info in pkgutil.iter_modules(microgpt.__path__):
        if info.name == '__main__':  # importing it runs the CLI
            continue
        importlib.import_module(f'microgpt.{info.name}')
        value = getattr(microgpt, info.name)
        assert isinstance(value, types.ModuleType), f"microgpt.{info.name} is {value!r}, not the module"
    train, sample = importlib.import_module('microgpt.train'), importlib.import_module('microgpt.sample')
    assert train is microgpt.train and sample is microgpt.sample
    assert microgpt.train.Adam is microgpt.Adam and callable(microgpt.train.train)
    assert callable(microgpt.sample.sample)


def test_the_engines_are_siblings_on_the_contract():
    assert top_level_imports('numpy_engine') == {'config', 'contract'}
    for name in ('model', 'train', 'sample'):
        assert 'numpy_engine' not in top_level_imports(name)
        assert 'contract' in top_level_imports(name)
    assert 'model' not in top_level_imports('contract') and 'train' not in top_level_imports('contract')
    from microgpt import model, numpy_engine, sample, train
    for name, scalar in [('GPT', model.GPT), ('training_steps', train.training_steps), ('sample', sample.sample)]:
        twin = getattr(numpy_engine, name)
        assert list(inspect.signature(twin).parameters)[:3] == list(inspect.signature(scalar).parameters)[:3]
    assert not hasattr(microgpt, 'scalar') and not hasattr(microgpt.pipeline, 'engine_module')


def test_cli_reaches_the_scalar_gpt_by_imports():
    assert top_level_imports('cli') >= {'pipeline'}
    assert top_level_imports('pipeline') >= {'model', 'train', 'sample'}
    assert 'model' in top_level_imports('train')  # doc_loss -> model.gpt()
    run = microgpt.prepare('book', engine='scalar')
    assert type(run.model) is microgpt.model.GPT


def test_run_sequence_gives_the_logits_of_every_position():
    run = microgpt.prepare('book')
    tokens = run.tokenizer.frame('emma')[:5]
    traces = microgpt.run_sequence(run.model, tokens)
    keys, values = run.model.empty_cache()
    for pos, (token, trace) in enumerate(zip(tokens, traces)):
        assert trace['logits'] == [v.data for v in run.model.gpt(token, pos, keys, values)]
