"""Nothing lost, every bad input a clear error (issue 10): atomic checkpoints, paths that are
folders or unreadable, temperatures at the edges, parts that do not fit together, empty
input, byte-order marks, nonsense configs, and token ids of the wrong type. Each case asserts
the error's type and the key words of its message (or, where the right answer is a result,
the result); the CLI cases assert one line on stderr and a non-zero exit."""

import json
import math
import os
import random
import signal
import subprocess
import sys

import numpy as np
import pytest
from helpers import REPO, run_cli

from microgpt import (
    GPT,
    CheckpointError,
    Config,
    ConfigError,
    ContextError,
    DataError,
    Tokenizer,
    TokenizerError,
    doc_loss,
    get_config,
    load_checkpoint,
    load_docs,
    numpy_engine,
    save_checkpoint,
    training_steps,
)
from microgpt.sample import sample

CONFIG = get_config('book', n_embd=8, n_head=2, block_size=6)
TOKENIZER = Tokenizer(['abc', 'bca', 'cab'])  # vocabulary a b c + BOS: 4 tokens


@pytest.fixture
def model():
    return GPT(CONFIG, TOKENIZER.vocab_size, random.Random(0))


@pytest.fixture
def good_checkpoint(tmp_path, model):
    path = tmp_path / 'good.json'
    save_checkpoint(path, model, TOKENIZER, step=1)
    return path, path.read_bytes()


def leftovers(folder):
    """Temporary files a save left behind."""
    return [name for name in os.listdir(folder) if name.endswith('.tmp')]


# ----------------------------------------------------------------------------- 1. atomic checkpoints

def test_a_failed_save_leaves_the_previous_checkpoint_as_it_was(good_checkpoint, model):
    path, before = good_checkpoint
    with pytest.raises(CheckpointError, match="value JSON cannot store.*extra"):
        save_checkpoint(path, model, TOKENIZER, step=2, extra={'not json': {1, 2}})
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_save_killed_half_way_leaves_the_previous_checkpoint_as_it_was(good_checkpoint, model, monkeypatch):
    path, before = good_checkpoint

    def killed(fd):
        raise KeyboardInterrupt  # Ctrl-C (or a kill) after the data was written, before the rename
    monkeypatch.setattr(os, 'fsync', killed)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, model, TOKENIZER, step=2)
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_a_save_replaces_the_file_and_keeps_its_permissions(good_checkpoint, model):
    path, before = good_checkpoint
    os.chmod(path, 0o640)
    save_checkpoint(path, model, TOKENIZER, step=7)
    assert json.loads(path.read_text())['step'] == 7
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_nan_weights_are_refused_at_save_time(tmp_path, model):
    model.params[5].data = math.nan
    path = tmp_path / 'nan.json'
    with pytest.raises(CheckpointError, match="refusing to save.*NaN or infinite.*lower the learning rate"):
        save_checkpoint(path, model, TOKENIZER, step=1)
    assert not path.exists()


def test_the_numpy_engine_saves_atomically_too(good_checkpoint):
    path, before = good_checkpoint
    twin = numpy_engine.GPT(CONFIG, TOKENIZER.vocab_size, random.Random(0))
    twin.state_dict['wpe'][0, 0] = np.inf
    with pytest.raises(CheckpointError, match="wpe holds NaN or infinite"):
        save_checkpoint(path, twin, TOKENIZER, step=1)
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- 2. --save checked first, Ctrl-C

def test_cli_checks_save_before_training(tmp_path):
    result = run_cli('--steps', '2', '--save', str(tmp_path / 'missing' / 'x.json'), timeout=120)
    assert result.returncode == 2
    assert result.stdout == ''  # not a single training step was run
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "folder" in result.stderr and "does not exist" in result.stderr and "Create it" in result.stderr


def test_ctrl_c_with_save_saves_the_last_completed_step(tmp_path):
    path = tmp_path / 'run.json'
    proc = subprocess.Popen([sys.executable, '-m', 'microgpt', '--steps', '100000', '--save', str(path)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED='1'))
    seen = []
    while sum(line.startswith('step ') for line in seen) < 3:  # let a few steps complete
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        seen.append(line)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    ckpt = json.loads(path.read_text())
    printed = [line for line in ''.join(seen).splitlines() + out.splitlines() if line.startswith('step ')]
    assert ckpt['step'] == len(ckpt['losses']) == len(printed) >= 3
    assert err.strip() == f"interrupted: saved step {ckpt['step']} to {path}"
    assert load_checkpoint(path)[1].vocab_size == 27  # a complete, valid checkpoint
    assert leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- 3. folders, unreadable paths

def test_paths_that_are_folders(tmp_path, model):
    with pytest.raises(DataError, match="is a folder.*text file inside it"):
        load_docs(str(tmp_path))
    with pytest.raises(CheckpointError, match="is a folder.*path of the .json file"):
        load_checkpoint(str(tmp_path))
    with pytest.raises(CheckpointError, match="is a folder.*Give a file name"):
        save_checkpoint(str(tmp_path), model, TOKENIZER, step=1)


def test_save_into_a_missing_folder(tmp_path, model):
    with pytest.raises(CheckpointError, match="folder .* does not exist.*Create it first"):
        save_checkpoint(tmp_path / 'no' / 'x.json', model, TOKENIZER, step=1)


def denied(*args, **kwargs):
    raise PermissionError(13, 'Permission denied')


def test_unreadable_files(tmp_path, monkeypatch, good_checkpoint):
    # The tests may run as root, who can read anything: make open() fail as it would for a user.
    import microgpt.checkpoint
    import microgpt.data
    data = tmp_path / 'names.txt'
    data.write_text('abc\n')
    monkeypatch.setattr(microgpt.data, 'open', denied, raising=False)
    monkeypatch.setattr(microgpt.checkpoint, 'open', denied, raising=False)
    with pytest.raises(DataError, match="cannot read data file .*Permission denied.*permissions"):
        load_docs(str(data))
    with pytest.raises(CheckpointError, match="cannot read the checkpoint .*Permission denied.*permissions"):
        load_checkpoint(good_checkpoint[0])


def test_unwritable_folder(tmp_path, model, monkeypatch):
    monkeypatch.setattr(os, 'access', lambda path, mode: False)
    with pytest.raises(CheckpointError, match="no permission to write there"):
        save_checkpoint(tmp_path / 'x.json', model, TOKENIZER, step=1)


@pytest.mark.parametrize('args, words', [
    (['--data', '{tmp}'], ['data path', 'is a folder']),
    (['--save', '{tmp}'], ['cannot save the checkpoint', 'is a folder']),
])
def test_cli_folder_paths(tmp_path, args, words):
    result = run_cli('--steps', '1', *[a.format(tmp=tmp_path) for a in args], timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and 'Traceback' not in result.stderr
    assert all(w in result.stderr for w in words), result.stderr


# ----------------------------------------------------------------------------- 4. temperature

@pytest.mark.parametrize('temperature, words', [
    (1e-320, ['too small', 'greedy']),
    (1e-7, ['too small', 'greedy']),
    (math.inf, ['> 0 and finite']),
    (math.nan, ['> 0 and finite']),
])
def test_temperatures_that_cannot_work_are_refused(model, temperature, words):
    for sampler, m in [(sample, model), (numpy_engine.sample, numpy_engine.GPT.from_scalar(model))]:
        with pytest.raises(ConfigError) as e:
            sampler(m, TOKENIZER, random.Random(0), temperature)
        assert all(w in str(e.value) for w in words), str(e.value)


def test_the_smallest_temperature_samples_greedily(model):
    """At T = 1e-6 every draw takes the most likely token: the name is the greedy one, the same
    for every seed, on both engines."""
    keys, values = model.empty_cache()
    token, greedy = TOKENIZER.BOS, []
    for pos in range(CONFIG.block_size):
        logits = [v.data for v in model.gpt(token, pos, keys, values)]
        token = max(range(len(logits)), key=logits.__getitem__)
        if token == TOKENIZER.BOS:
            break
        greedy.append(TOKENIZER.uchars[token])
    greedy = ''.join(greedy)
    twin = numpy_engine.GPT.from_scalar(model)
    for seed in range(5):
        assert sample(model, TOKENIZER, random.Random(seed), 1e-6) == greedy
        assert numpy_engine.sample(twin, TOKENIZER, random.Random(seed), 1e-6) == greedy


def test_a_huge_temperature_samples_uniformly_without_error(model):
    names = [sample(model, TOKENIZER, random.Random(s), 1e300) for s in range(20)]
    assert all(set(n) <= set('abc') for n in names) and len(set(names)) > 5


@pytest.mark.parametrize('value, words', [('1e-320', ['too small']), ('inf', ['finite'])])
def test_cli_temperature(value, words):
    result = run_cli('--steps', '1', '--temperature', value, timeout=120)
    assert result.returncode == 2 and result.stdout == ''
    assert len(result.stderr.strip().splitlines()) == 1 and 'OverflowError' not in result.stderr
    assert all(w in result.stderr for w in words)


# ----------------------------------------------------------------------------- 5. parts that do not fit

@pytest.mark.parametrize('model_vocab', [3, 10])
def test_tokenizer_and_model_vocabularies_must_match(model_vocab):
    other = GPT(CONFIG, model_vocab, random.Random(0))
    twin = numpy_engine.GPT.from_scalar(other)
    for m, steps, sampler in [(other, training_steps, sample),
                              (twin, numpy_engine.training_steps, numpy_engine.sample)]:
        with pytest.raises(ConfigError, match=f"tokenizer has 4 tokens but the model was made for {model_vocab}"):
            sampler(m, TOKENIZER, random.Random(0), 1.0)
        with pytest.raises(ConfigError, match="use the tokenizer the model was trained with"):
            next(steps(m, TOKENIZER, ['abc'], 1))


@pytest.mark.parametrize('engine', [GPT, numpy_engine.GPT])
def test_from_weights_checks_shapes_with_a_config_error(model, engine):
    weights = model.weights()
    weights['wpe'] = weights['wpe'][:3]
    with pytest.raises(ConfigError, match="weight matrix wpe is 3 x 8, but this config needs 6 x 8"):
        engine.from_weights(CONFIG, weights)
    weights = model.weights()
    del weights['lm_head']
    with pytest.raises(ConfigError, match=r"weight matrices missing: \['lm_head'\]"):
        engine.from_weights(CONFIG, weights)
    weights = model.weights()
    del weights['wte']
    with pytest.raises(ConfigError, match="no token embedding matrix 'wte'"):
        engine.from_weights(CONFIG, weights)
    weights = model.weights()
    weights['layer0.mlp_fc1'][2] = weights['layer0.mlp_fc1'][2][:-1]  # one short row
    with pytest.raises(ConfigError, match="layer0.mlp_fc1 is not a matrix"):
        engine.from_weights(CONFIG, weights)


def test_from_weights_check_survives_python_O(model):
    """The check is an if/raise, not an assert: it still runs under python -O."""
    code = ("import random; from microgpt import GPT, get_config; "
            "c = get_config('book', n_embd=8, n_head=2, block_size=6); w = GPT(c, 4, random.Random(0)).weights(); "
            "w['wpe'] = w['wpe'][:3]\ntry:\n    GPT.from_weights(c, w)\nexcept Exception as e:\n"
            "    print(type(e).__name__, e)")
    result = subprocess.run([sys.executable, '-O', '-c', code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.startswith('ConfigError weight matrix wpe is 3 x 8'), result.stdout + result.stderr


# ----------------------------------------------------------------------------- 6. empty or too-short input

def test_training_without_documents(model):
    with pytest.raises(DataError, match="no documents to train on"):
        next(training_steps(model, TOKENIZER, [], 1))
    twin = numpy_engine.GPT.from_scalar(model)
    with pytest.raises(DataError, match="no documents to train on"):
        next(numpy_engine.training_steps(twin, TOKENIZER, [], 1))


def test_a_sequence_of_one_token_has_no_loss(model):
    with pytest.raises(DataError, match=r"has 1 token\(s\); a loss needs at least 2"):
        doc_loss(model, [TOKENIZER.BOS])
    with pytest.raises(DataError, match=r"has 1 token\(s\); a loss needs at least 2"):
        numpy_engine.GPT.from_scalar(model).forward([TOKENIZER.BOS])
    with pytest.raises(DataError, match=r"has 0 token\(s\)"):
        doc_loss(model, [])


def test_an_empty_document_is_bos_to_bos(model):
    """The reference frames '' as [BOS, BOS]: one prediction, a finite loss, not an error."""
    assert math.isfinite(next(training_steps(model, TOKENIZER, [''], 1)).loss)


# ----------------------------------------------------------------------------- 7. byte-order mark

def test_a_utf8_byte_order_mark_is_not_a_token(tmp_path):
    plain, bom = tmp_path / 'plain.txt', tmp_path / 'bom.txt'
    plain.write_text('abc\nbca\n', encoding='utf-8')
    bom.write_text('abc\nbca\n', encoding='utf-8-sig')
    assert bom.read_bytes().startswith(b'\xef\xbb\xbf')
    assert load_docs(str(bom)) == load_docs(str(plain)) == ['abc', 'bca']
    assert Tokenizer(load_docs(str(bom))).vocab_size == 4


# ----------------------------------------------------------------------------- 8. configs and ids

@pytest.mark.parametrize('field, value, words', [
    ('learning_rate', math.inf, 'learning_rate must be a finite number'),
    ('eps', math.nan, 'eps must be a finite number'),
    ('eps', -1.0, 'eps must be > 0'),
    ('eps', 0.0, 'eps must be > 0'),
    ('init_std', math.inf, 'init_std must be a finite number'),
    ('init_std', -0.1, 'init_std must be > 0'),
    ('num_samples', 2.5, 'num_samples must be an integer'),
    ('num_samples', '3', 'num_samples must be an integer'),
    ('seed', None, 'seed must be an integer.*reproducible'),
    ('seed', 4.0, 'seed must be an integer'),
    ('beta1', math.nan, 'beta1 must be a finite number'),
])
def test_configs_that_make_no_sense_are_rejected_when_made(field, value, words):
    with pytest.raises(ConfigError, match=words):
        Config(**{field: value})


def test_cli_rejects_an_infinite_learning_rate():
    result = run_cli('--steps', '1', '--lr', 'inf', timeout=120)
    assert result.returncode == 2 and result.stdout == ''
    assert result.stderr.strip() == 'error: learning_rate must be a finite number, got inf.'


def test_decode_accepts_numpy_integers():
    ids = np.array([0, 1, 2, TOKENIZER.BOS])
    assert TOKENIZER.decode(ids) == 'abc'
    assert TOKENIZER.decode([np.int64(2), np.int32(0)]) == 'ca'
    with pytest.raises(TokenizerError, match="token id 1.0 is not an integer"):
        TOKENIZER.decode([1.0])
    with pytest.raises(TokenizerError, match="token id True is not an integer"):
        TOKENIZER.decode([True])


@pytest.mark.parametrize('token_id, pos_id, words', [
    (1.0, 0, 'token id must be an integer, got 1.0'),
    (1, 0.0, 'position must be an integer, got 0.0'),
    (True, 0, 'token id must be an integer, got True'),
])
def test_gpt_rejects_float_ids(model, token_id, pos_id, words):
    twin = numpy_engine.GPT.from_scalar(model)
    for m in (model, twin):
        with pytest.raises(ContextError, match=words):
            m.gpt(token_id, pos_id, *m.empty_cache())


def test_gpt_accepts_numpy_integer_ids(model):
    a = [v.data for v in model.gpt(np.int64(1), np.int64(0), *model.empty_cache())]
    b = [v.data for v in model.gpt(1, 0, *model.empty_cache())]
    assert a == b
