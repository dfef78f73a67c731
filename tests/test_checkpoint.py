"""Checkpoints are JSON, round-trip exactly, and refuse corrupt or mismatched files clearly."""

import json
import random

import pytest

from microgpt import (
    GPT,
    CheckpointError,
    Tokenizer,
    get_config,
    load_checkpoint,
    sample_many,
    save_checkpoint,
    training_steps,
)

DOCS = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia']


@pytest.fixture
def trained(tmp_path):
    """A small model trained a few steps and saved."""
    config = get_config('book', n_embd=8, n_head=2, block_size=6)
    tokenizer = Tokenizer(DOCS)
    model = GPT(config, tokenizer.vocab_size, random.Random(3))
    losses = [info.loss for info in training_steps(model, tokenizer, DOCS, 5)]
    path = tmp_path / 'ckpt.json'
    save_checkpoint(str(path), model, tokenizer, step=5, losses=losses, extra={'note': 'test'})
    return model, tokenizer, path, losses


def test_round_trip_gives_identical_weights_and_samples(trained):
    model, tokenizer, path, losses = trained
    loaded, loaded_tokenizer, ckpt = load_checkpoint(str(path))
    assert loaded.weights() == model.weights()  # bit for bit: JSON floats round-trip exactly
    assert loaded_tokenizer.uchars == tokenizer.uchars
    assert ckpt['step'] == 5 and ckpt['losses'] == losses and ckpt['extra'] == {'note': 'test'}
    assert loaded.config == model.config
    assert (sample_many(loaded, loaded_tokenizer, random.Random(7), 10, 1.0)
            == sample_many(model, tokenizer, random.Random(7), 10, 1.0))


def test_checkpoint_is_plain_json(trained):
    _, _, path, _ = trained
    data = json.loads(path.read_text())
    assert data['format'] == 'microgpt-checkpoint'
    assert set(data) >= {'config', 'uchars', 'weights', 'step'}
    assert data['config']['n_embd'] == 8


def corrupt(path, edit):
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def test_truncated_file(trained):
    _, _, path, _ = trained
    path.write_text(path.read_text()[:1000])
    with pytest.raises(CheckpointError, match="is corrupt \\(not valid JSON"):
        load_checkpoint(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="checkpoint not found"):
        load_checkpoint(str(tmp_path / 'nope.json'))


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / 'other.json'
    path.write_text('{"hello": 1}')
    with pytest.raises(CheckpointError, match="is not a microgpt checkpoint"):
        load_checkpoint(str(path))


@pytest.mark.parametrize('edit, message', [
    (lambda d: d['weights'].pop('wpe'), r"weights do not fit this config \(weight matrices missing: \['wpe'\]\)"),
    (lambda d: d['weights']['wte'].pop(), "weight matrix wte is 11 x 8, but this config needs 12 x 8"),
    (lambda d: d['weights']['lm_head'][0].__setitem__(0, 'x'), "lm_head holds a value that is not a finite number"),
    (lambda d: d.pop('uchars'), "bad or missing field"),
    (lambda d: d['config'].__setitem__('n_head', 3), "bad or missing field .*divisible"),
    (lambda d: d.__setitem__('version', 99), "has version 99"),
])
def test_corrupt_contents(trained, edit, message):
    _, _, path, _ = trained
    corrupt(path, edit)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(str(path))


def test_mismatched_config(trained):
    _, _, path, _ = trained
    with pytest.raises(CheckpointError, match="n_embd is 8 in the checkpoint but 16 in the config"):
        load_checkpoint(str(path), config=get_config('book'))
    load_checkpoint(str(path), config=get_config('book', n_embd=8, n_head=2, block_size=6))  # matches: fine


def test_cli_save_writes_a_loadable_checkpoint(tmp_path):
    from helpers import run_cli
    path = tmp_path / 'cli.json'
    result = run_cli('--steps', '3', '--samples', '2', '--save', str(path), timeout=300)
    assert result.returncode == 0, result.stderr
    model, tokenizer, ckpt = load_checkpoint(str(path))
    assert ckpt['step'] == 3 and len(ckpt['losses']) == 3
    assert tokenizer.vocab_size == 27 and len(model.params) == 4064
    # the loss lines the CLI printed are the checkpoint's losses
    printed = [line for line in result.stdout.splitlines() if line.startswith('step')]
    assert printed == [f"step {i+1:4d} /    3 | loss {loss:.4f}" for i, loss in enumerate(ckpt['losses'])]
