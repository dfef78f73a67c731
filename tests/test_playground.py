"""The page's trainer (microgpt.playground, book/your_data.md) in CPython: it prints exactly
what `python -m microgpt` prints for the same data and settings, its command line is that
command, its checkpoints are the package's, its run files round-trip, and every bad input
is a message that names what is wrong (and changes nothing)."""

import base64
import json
import os
import random
import shlex
import warnings
import zlib

import pytest
from helpers import REPO, run_cli

from microgpt import cli, explore, list_engine, load_checkpoint, playground
from microgpt.checkpoint import checkpoint_text, read_checkpoint
from microgpt.config import PRESETS, Config, get_config
from microgpt.data import NAMES_PATH, load_docs
from microgpt.errors import CheckpointError, ConfigError, DataError, InputError

GREEK = os.path.join(REPO, 'tests', 'data', 'greek_names.txt')


def b64(raw):
    return base64.b64encode(raw).decode('ascii')


def file_data(path, name=None):
    with open(path, 'rb') as f:
        return {'name': name or os.path.basename(path), 'base64': b64(f.read())}


def all_lines(items):
    return [line for item in items for line in item['lines']]


def cli_lines(command, files):
    """Run the page's command (its words after `python -m microgpt`), with each file name it
    gives replaced by the path of that file; its stdout lines."""
    argv = shlex.split(command)
    assert argv[:3] == ['python', '-m', 'microgpt']
    argv = [files.get(a, a) for a in argv[3:]]
    done = run_cli(*argv, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.fixture(scope='module')
def awkward(tmp_path_factory):
    """The Greek names as a Windows editor might save them: a byte-order mark, \\r\\n, blank
    lines, spaces around names, and names longer than the block size."""
    with open(GREEK, encoding='utf-8') as f:
        names = f.read().split()
    text = '\ufeff' + '\r\n'.join(names[:60]) + '\r\n\r\n  ' + '\r\n'.join(names[60:]) + '  \r\n\r\n'
    path = tmp_path_factory.mktemp('data') / 'greek awkward.txt'
    path.write_bytes(text.encode('utf-8'))
    return path


# ----------------------------------------------------------------------------- the same lines

def test_training_prints_the_command_lines_lines_for_greek_data(awkward):
    data = file_data(awkward)
    settings = {'num_steps': '120', 'seed': '7', 'learning_rate': '0.02', 'block_size': '6',
                'temperature': '0.8', 'num_samples': '12'}
    items = list(playground.training_run(data, settings, preview_every=50, num_preview=3))
    state = playground.trainer_state(data, settings)
    assert state['error'] is None and state['errors'] == {}
    assert items[0]['command'] == state['command'] == (
        "python -m microgpt --engine list --data 'greek awkward.txt' --steps 120 --seed 7 --lr 0.02 "
        "--block-size 6 --temperature 0.8 --samples 12")
    lines = all_lines(items)
    assert lines == cli_lines(state['command'], {'greek awkward.txt': str(awkward)})
    assert lines[:3] == ['num docs: 148', 'vocab size: 32', 'num params: 4192']
    assert sum(line.startswith('step ') for line in lines) == 120 and lines[-14] == ''
    # the page's view of the data: the command line's documents, the long ones read up to the block size
    assert state['data']['num_docs'] == len(load_docs(GREEK)) == 148
    assert state['data']['longer_than_block'] == sum(len(d) > 6 for d in load_docs(GREEK)) > 0
    assert ''.join(state['data']['vocab']) == ''.join(sorted(set(''.join(load_docs(GREEK)))))


def test_the_batches_carry_steps_losses_averages_and_previews_of_their_own():
    data = file_data(GREEK)
    items = list(playground.training_run(data, {'num_steps': 130}, preview_every=60, num_preview=4))
    first, batches, last = items[0], items[1:-1], items[-1]
    assert first['num_steps'] == 130 and first['average_label'] == explore.moving_average_label()
    steps = [s for b in batches for s in b['steps']]
    losses = [x for b in batches for x in b['losses']]
    assert steps == list(range(1, 131))
    assert [line for b in batches for line in b['lines']] == [f"step {s:4d} /  130 | loss {x:.4f}"
                                                               for s, x in zip(steps, losses)]
    averages = [a for b in batches for a in b['averages']]
    assert [s for s, _ in averages] == list(range(50, 131))
    assert [a for _, a in averages] == explore.trailing_means(losses)  # the book's one convention
    previews = [b['preview'] for b in batches if 'preview' in b]
    assert [p[0] for p in previews] == [60, 120] and all(len(p[1]) == 4 for p in previews)
    # peeking draws from a stream of its own: the losses and names are those of a run without previews
    quiet = list(playground.training_run(data, {'num_steps': 130}, preview_every=0))
    assert all_lines(quiet) == all_lines(items) and not any('preview' in b for b in quiet)
    assert last['done'] and len(last['samples']) == 20


def test_batches_are_cut_by_time_not_by_count(monkeypatch):
    monkeypatch.setattr(playground, 'CHUNK_SECONDS', 0.0)
    items = list(playground.training_run(None, {'num_steps': 5}, preview_every=0))
    assert [b['steps'] for b in items[1:-1]] == [[1], [2], [3], [4], [5]]
    monkeypatch.setattr(playground, 'CHUNK_SECONDS', 3600.0)
    items = list(playground.training_run(None, {'num_steps': 5}, preview_every=0))
    assert [b['steps'] for b in items[1:-1]] == [[1, 2, 3, 4, 5]]  # the last step ends a batch


def test_the_built_in_names_need_no_data_flag_and_print_the_golden_start():
    state = playground.trainer_state()
    assert state['command'] == 'python -m microgpt --engine list' and state['argv'] == ['--engine', 'list']
    assert state['data']['builtin'] and state['data']['num_docs'] == 29910 and state['num_params'] == 4064
    items = playground.training_run(None, {'num_steps': 1000}, preview_every=0)
    lines = all_lines([next(items), next(items)])
    golden = open(os.path.join(REPO, 'microgpt', 'golden_book_ssa2017.txt'), encoding='utf-8').read().splitlines()
    assert lines == golden[:len(lines)]
    items.close()


# ----------------------------------------------------------------------------- the command line

@pytest.mark.parametrize('config', [PRESETS['book'], get_config(num_steps=7, seed=0, learning_rate=0.003),
                                    get_config(n_layer=3, block_size=16, temperature=1.25, num_samples=0),
                                    get_config('karpathy'), get_config(n_embd=8, n_head=2, activation='relu')])
def test_command_args_parse_back_to_the_same_config(config):
    args = cli.command_args(config, data='my names.txt')
    parsed = cli.parse_args(args)
    assert parsed.data == 'my names.txt' and parsed.engine == 'list'
    overrides = {k: v for k, v in vars(parsed).items() if k not in ('preset', 'data', 'engine', 'save', 'load')}
    assert get_config('book', **overrides) == config


def test_command_args_say_only_what_differs_and_refuse_what_no_flag_sets():
    assert cli.command_args(PRESETS['book'], engine='scalar') == []
    assert cli.command_args(get_config(seed=3), engine='numpy') == ['--engine', 'numpy', '--seed', '3']
    with pytest.raises(ConfigError, match='no command-line flag sets beta1'):
        cli.command_args(get_config(beta1=0.9))
    saved = get_config(n_layer=2, temperature=0.7)
    assert cli.command_args(saved.replace(temperature=0.9), load='m.json', base=saved) == [
        '--engine', 'list', '--load', 'm.json', '--temperature', '0.9']


def test_the_header_and_sample_lines_are_the_cli_runs():
    out = []
    run = cli.run(get_config(num_steps=2, num_samples=3), NAMES_PATH, 'list', out=out.append)
    text = '\n'.join(out).split('\n')
    assert text[:3] == cli.header_lines(run)
    assert text[-5:-3] == cli.INFERENCE.split('\n') == ['', '--- inference (new, hallucinated names) ---']
    assert cli.sample_lines(['ab', '\x00c']) == ['sample  1: ab', 'sample  2: \\x00c']


# ----------------------------------------------------------------------------- settings

def test_settings_are_read_from_the_boxes_text_and_checked_by_config():
    config, errors = playground.parse_settings({'num_steps': ' 250 ', 'learning_rate': '5e-3', 'seed': 0,
                                               'temperature': '1', 'n_layer': None})
    assert errors == {} and config == get_config(num_steps=250, learning_rate=0.005, seed=0, temperature=1.0)
    bad = {'num_steps': '1.5', 'seed': '-1', 'learning_rate': 'fast', 'n_layer': '0', 'block_size': '',
           'temperature': '0', 'num_samples': '-2'}
    config, errors = playground.parse_settings(bad)
    assert config == PRESETS['book'] and set(errors) == set(bad)
    for field, text in bad.items():
        with pytest.raises(ConfigError) as e:  # the very message Config gives
            PRESETS['book'].replace(**{field: playground.typed(field, text)})
        assert errors[field] == str(e.value)
    assert "num_steps must be a positive integer, got '1.5'" in errors['num_steps']


def test_the_page_caps_what_would_take_too_long_and_names_the_flag_that_does_not():
    _, errors = playground.parse_settings({'n_layer': 7, 'block_size': '33', 'num_steps': 20001, 'num_samples': 101})
    assert errors['n_layer'] == ("n_layer is at most 6 in the page, got 7; the command line (--n-layer) "
                                 "takes more.")
    assert set(errors) == {'n_layer', 'block_size', 'num_steps', 'num_samples'}
    with pytest.raises(InputError, match="unknown setting.*'n_embd'"):
        playground.parse_settings({'n_embd': 32})
    rows = playground.trainer_state(None, {'seed': 'x'})['settings']
    assert [r['name'] for r in rows] == list(playground.SETTINGS)
    assert {r['name']: r['flag'] for r in rows} == {k: cli.FLAGS[k] for k in playground.SETTINGS}
    assert next(r for r in rows if r['name'] == 'seed')['error'].startswith('seed must be an integer >= 0')
    assert playground.trainer_state(None, {'seed': 'x'})['command'] is None  # no run to offer


# ----------------------------------------------------------------------------- data

def test_data_is_read_exactly_as_the_command_line_reads_the_file(awkward):
    loaded = playground.load(file_data(awkward))
    assert loaded.docs == load_docs(str(awkward)) == load_docs(GREEK)
    pasted = playground.load({'name': 'p.txt', 'text': awkward.read_text(encoding='utf-8-sig')})
    assert pasted.docs == loaded.docs
    assert playground.load(None).docs == load_docs() and playground.load({}).name is None


@pytest.mark.parametrize('raw, message', [
    (b'', "data file 'x.txt' is empty; it needs one document per line."),
    (b'\n \r\n\t\n', "data file 'x.txt' has no usable lines"),
    (b'\xff\xfename\n', "data file 'x.txt' is not UTF-8 text ("),
    (b'onlyone\n\n', "'x.txt' holds a single document, 'onlyone': microgpt reads one document per line"),
])
def test_bad_data_is_a_message_naming_the_file(raw, message):
    state = playground.trainer_state({'name': 'x.txt', 'base64': b64(raw)})
    assert state['error'].startswith(message)
    assert '/tmp' not in state['error'] and 'microgpt-page' not in state['error']  # never the temporary file
    assert state['data'] is None and state['command'] is None


def test_too_large_data_is_refused_before_it_is_read_and_after():
    limit = playground.MAX_DATA_BYTES
    message = playground.trainer_state({'name': 'big.txt', 'size': limit + 1})['error']
    assert message.startswith(f"'big.txt' is 2.0 MB ({limit + 1:,} bytes); the page takes data files up to "
                              f"2.0 MB ({limit:,} bytes)")
    assert message.endswith('python -m microgpt --engine list --data big.txt')
    raw = b'ab\n' * (limit // 3 + 1)
    assert 'the page takes data files up to' in playground.trainer_state({'name': 'b.txt', 'base64': b64(raw)})['error']
    with pytest.raises(InputError, match='not base64'):
        playground.data_bytes({'name': 'b.txt', 'base64': '@@@'})
    with pytest.raises(InputError, match="no data for 'b.txt'"):
        playground.data_bytes({'name': 'b.txt'})
    with pytest.raises(InputError, match='data must be null or an object'):
        playground.data_bytes('names.txt')


def test_invisible_characters_are_a_warning_naming_the_file():
    state = playground.trainer_state({'name': 'odd.txt', 'text': 'ab\x00c\nabd\n'})
    assert state['error'] is None
    [warning] = state['data']['warnings']
    assert warning.startswith("data file 'odd.txt' contains invisible characters: U+0000 (NULL) on line 1")
    assert '\\x00' in ''.join(state['data']['vocab'])


def test_a_file_name_is_only_a_name():
    assert playground.data_name({'name': r'C:\Users\me\names.txt'}) == 'names.txt'
    assert playground.data_name({'name': '../../etc/passwd'}) == 'passwd'
    assert playground.data_name({'name': ''}) == 'data.txt' and playground.data_name(None) is None


# ----------------------------------------------------------------------------- checkpoints

@pytest.fixture(scope='module')
def trained():
    data = file_data(GREEK)
    items = list(playground.training_run(data, {'num_steps': 60, 'seed': 5, 'n_layer': 2}, preview_every=0))
    return data, items


def test_the_pages_model_is_a_checkpoint_that_load_checkpoint_reads(trained, tmp_path):
    data, items = trained
    model = items[-1]['model']
    assert model['name'] == 'microgpt-greek_names.json' and model['step'] == 60
    path = tmp_path / model['name']
    path.write_text(model['text'], encoding='utf-8')
    gpt, tokenizer, ckpt = load_checkpoint(str(path))
    assert ckpt['step'] == 60 and ckpt['config']['n_layer'] == 2 and ckpt['extra']['data'] == 'greek_names.txt'
    assert ''.join(tokenizer.uchars) == ''.join(sorted(set(''.join(load_docs(GREEK)))))
    assert len(ckpt['losses']) == 60


def test_load_steps_0_prints_the_names_the_page_sampled(trained, tmp_path):
    data, items = trained
    model = items[-1]['model']
    path = tmp_path / model['name']
    path.write_text(model['text'], encoding='utf-8')
    opened = playground.open_checkpoint(data, {'name': model['name'], 'text': model['text']})
    assert opened['command'] == ('python -m microgpt --engine list --data greek_names.txt '
                                 '--load microgpt-greek_names.json --steps 0')
    lines = cli_lines(opened['command'], {'greek_names.txt': GREEK, model['name']: str(path)})
    assert lines == opened['lines']
    sampled = [line for line in all_lines(items) if line.startswith('sample')]
    assert [line for line in lines if line.startswith('sample')] == sampled and len(sampled) == 20
    assert opened['samples'] == items[-1]['samples']


def test_a_checkpoint_saved_by_the_cli_opens_with_new_sampling_settings(tmp_path):
    path = tmp_path / 'cli model.json'
    done = run_cli('--engine', 'list', '--data', GREEK, '--steps', '30', '--block-size', '10', '--save', str(path))
    assert done.returncode == 0, done.stderr
    data = file_data(GREEK)
    opened = playground.open_checkpoint(data, {'name': 'cli model.json', 'text': path.read_text()},
                                        {'temperature': '0.9', 'num_samples': 5, 'seed': 42, 'n_layer': 4})
    assert opened['command'] == ("python -m microgpt --engine list --data greek_names.txt "
                                 "--load 'cli model.json' --temperature 0.9 --samples 5 --steps 0")
    assert opened['lines'] == cli_lines(opened['command'], {'greek_names.txt': GREEK, 'cli model.json': str(path)})
    rows = {r['name']: r for r in opened['settings']}
    assert rows['block_size']['value'] == 10 and rows['block_size']['fixed'] and rows['n_layer']['value'] == 1


def test_a_checkpoint_for_another_vocabulary_or_a_broken_one_is_refused(trained):
    _, items = trained
    model = items[-1]['model']
    with pytest.raises(CheckpointError, match=r"microgpt-greek_names.json was trained on the characters 'άέ.*, "
                                              r"but this data has 'abcdefghijklmnopqrstuvwxyz'; use the data it"):
        playground.open_checkpoint(None, model)
    with pytest.raises(CheckpointError, match=r"checkpoint 'm.json' is corrupt \(not valid JSON"):
        playground.open_checkpoint(None, {'name': 'm.json', 'text': model['text'][:-40]})
    with pytest.raises(CheckpointError, match="'m.json' is not a microgpt checkpoint"):
        playground.open_checkpoint(None, {'name': 'm.json', 'text': '{"a": 1}'})
    with pytest.raises(InputError, match='no checkpoint'):
        playground.open_checkpoint(None, None)


def test_checkpoint_text_is_what_save_checkpoint_writes(tmp_path):
    run = list_engine.GPT(Config(), 27, random.Random(1))
    from microgpt.data import Tokenizer
    tokenizer = Tokenizer(['abcdefghijklmnopqrstuvwxyz'])
    from microgpt import save_checkpoint
    save_checkpoint(tmp_path / 'a.json', run, tokenizer, step=3, losses=[1.0, 2.0, 3.0])
    assert (tmp_path / 'a.json').read_text() == checkpoint_text(run, tokenizer, 3, [1.0, 2.0, 3.0])
    model, tok, ckpt = read_checkpoint((tmp_path / 'a.json').read_text(), 'a.json')
    assert model.weights() == run.weights() and tok.uchars == tokenizer.uchars and ckpt['step'] == 3
    run.state_dict['wte'][0][0] = float('nan')
    with pytest.raises(CheckpointError, match='refusing to save the checkpoint: weight matrix wte holds NaN'):
        checkpoint_text(run, tokenizer, 3)


# ----------------------------------------------------------------------------- sharing a run

def test_a_run_file_round_trips_the_exact_bytes_and_settings(awkward):
    data = file_data(awkward)
    settings = {'num_steps': '40', 'seed': '9', 'temperature': '0.75'}
    run = playground.run_file(data, settings)
    assert run['name'] == 'microgpt-run-greek awkward.json'
    opened = playground.open_run(run['text'])
    assert opened['settings'] == playground.settings_of(get_config(num_steps=40, seed=9, temperature=0.75))
    assert opened['data']['text'].encode('utf-8') == awkward.read_bytes()  # the byte-order mark and \r\n too
    assert all_lines(playground.training_run(opened['data'], opened['settings'])) == \
        all_lines(playground.training_run(data, settings))
    # the page's link is this text compressed with the browser's deflate-raw: Python's zlib reads it
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = packed.compress(run['text'].encode('utf-8')) + packed.flush()
    assert zlib.decompress(raw, -15).decode('utf-8') == run['text']
    assert playground.open_run(playground.run_file(None, {})['text']) == {
        'data': None, 'settings': playground.settings_of(PRESETS['book'])}


@pytest.mark.parametrize('text, message', [
    (None, 'the link holds no run.'),
    ('{"format": "microgpt-run", "vers', 'the link is not a microgpt run (not JSON): it may have been cut short'),
    ('[1, 2]', "the link is not a microgpt run (no 'format': 'microgpt-run')."),
    ('{"format": "microgpt-run", "version": 2}', 'the link is a run of version 2; this page reads version 1.'),
    ('{"format": "microgpt-run", "version": 1}', 'the link is damaged: its settings are missing.'),
    ('{"format": "microgpt-run", "version": 1, "settings": {"n_embd": 8}}', "the link is damaged: unknown setting"),
    ('{"format": "microgpt-run", "version": 1, "settings": {"seed": -3}}',
     'the link has a setting the page cannot use: seed must be an integer >= 0'),
    ('{"format": "microgpt-run", "version": 1, "settings": {}, "data": {"name": "a.txt"}}',
     'the link is damaged: its data is not a file name and a text.'),
    ('{"format": "microgpt-run", "version": 1, "settings": {}, "data": {"name": "a.txt", "text": "solo"}}',
     "'a.txt' holds a single document"),
])
def test_a_run_that_does_not_decode_is_a_message(text, message):
    with pytest.raises((InputError, DataError)) as e:
        playground.open_run(text)
    assert str(e.value).startswith(message)


def test_a_run_file_names_itself_in_its_messages():
    with pytest.raises(InputError, match=r"^'run.json' is not a microgpt run \(not JSON\)"):
        playground.open_run('nope', source='run.json')


# ----------------------------------------------------------------------------- chapter 6, your model

def test_chapter_6_widgets_use_the_readers_model_when_given(trained):
    _, items = trained
    text = items[-1]['model']['text']
    book = explore.temperature_state(0.5, 4)
    assert book == explore.temperature_state(0.5, 4, None) and len(book['labels']) == 27
    yours = explore.temperature_state(0.5, 4, text)
    gpt, tokenizer, _ = read_checkpoint(text)
    assert yours['labels'] == explore.token_labels(tokenizer) and len(yours['names']) == 4
    assert yours['probs'] == explore.next_token_probs(gpt, tokenizer, 0.5)  # the scalar engine's numbers
    assert explore.sample_names(gpt, tokenizer, 0.5, 4) == yours['names']
    score = explore.score_state(' μαρία ', text)
    assert score['error'] is None and score['name'] == 'μαρία'
    assert score['mean'] == explore.score(gpt, tokenizer, 'μαρία')[0]
    assert explore.score_state('Maria', text)['error'].startswith("TokenizerError: character 'M'")
    assert explore.score_state('Emma')['name'] == 'emma'  # the book's model lower-cases, as before
    with pytest.raises(CheckpointError, match="'your model' is corrupt"):
        explore.temperature_state(0.5, 4, '{')
    with pytest.raises(InputError):
        explore.score_state('a', 42)


def test_no_warning_escapes_the_page():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        playground.trainer_state({'name': 'odd.txt', 'text': 'ab\x00c\nabd\n'})
        list(playground.training_run({'name': 'odd.txt', 'text': 'ab\x00c\nabd\n'}, {'num_steps': 2}))
    assert json.dumps(playground.trainer_state())  # every answer crosses to the page as JSON
