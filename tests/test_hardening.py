"""Hostile input, signals and odd files (issue 20), one section per row of the issue's table:
a line of megabytes, --save onto a FIFO, a symlink or a device, a folder where no file can be
made, a full disk, SIGTERM, stale temporary files, checkpoints that are malformed in every
way JSON allows, prepare() given the wrong kind of argument, a negative seed, a model too big
to train, an absurd learning rate and invisible characters in the data. Then --load (issue 18).
Each case asserts the error's type and the key words of its message, or the result."""

import errno
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings

import pytest
from helpers import REPO, run_cli

from microgpt import (
    GPT,
    PRESETS,
    CheckpointError,
    ConfigError,
    DataError,
    Tokenizer,
    TrainingError,
    get_config,
    load_checkpoint,
    pipeline,
    prepare,
    save_checkpoint,
)
from microgpt import checkpoint as ckpt_module
from microgpt.errors import DataWarning
from microgpt.pipeline import printable

TINY = get_config('book', n_embd=8, n_head=2, block_size=6)
TOKENIZER = Tokenizer(['abc', 'bca', 'cab'])
TINY_FLAGS = ['--n-embd', '4', '--n-head', '1']  # a step takes milliseconds


@pytest.fixture
def model():
    return GPT(TINY, TOKENIZER.vocab_size, random.Random(0))


def one_line(result):
    """The CLI's contract for bad input: a non-zero exit and exactly one line on stderr."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(lines) == 1, result.stderr
    return lines[0]


def write(path, text):
    path.write_text(text, encoding='utf-8')
    return str(path)


# ----------------------------------------------------------------------------- 1. a line of megabytes

ALPHABET = 'abcdefghijklmnopqrstuvwxyz'


@pytest.mark.parametrize('engine', ['scalar', 'numpy'])
def test_a_long_line_trains_exactly_as_its_first_block(tmp_path, engine):
    """Only block_size + 1 tokens of a document are ever read: the losses of a 2 MB line are
    those of the same line cut to block_size + 20 characters, bit for bit."""
    long_line = ALPHABET * (2_000_000 // 26)
    cut = long_line[:TINY.block_size + 20]  # still every letter: the same vocabulary
    runs = {}
    for name, line in (('long', long_line), ('cut', cut)):
        data = write(tmp_path / f'{name}.txt', f"anna\n{line}\nbob\n")
        run = prepare(TINY.replace(num_steps=6), data, engine)
        runs[name] = run.train()
    assert runs['long'] == runs['cut']


def step_times(data, steps=3):
    run = prepare(TINY.replace(num_steps=steps), data)
    times, start = [], time.perf_counter()
    for _ in run.training_steps():
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return min(times)


def test_a_long_line_costs_no_more_per_step_than_a_short_one(tmp_path):
    """Before, frame() encoded the whole line every step: a 4 MB line took seconds a step."""
    long_data = write(tmp_path / 'long.txt', ALPHABET * (4_000_000 // 26) + '\n')
    short_data = write(tmp_path / 'short.txt', ALPHABET + '\n')
    long_step, short_step = step_times(long_data), step_times(short_data)
    assert long_step < 4 * short_step + 0.05, (long_step, short_step)


def test_loading_a_long_line_takes_memory_of_the_order_of_the_file(tmp_path):
    data = write(tmp_path / 'long.txt', ALPHABET * (4_000_000 // 26) + '\n')
    size = os.path.getsize(data)
    tracemalloc.start()
    try:
        docs = prepare(TINY, data).docs  # load_docs, the check for invisible characters, the tokenizer
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(docs) == 1 and len(docs[0]) == size - 1
    assert peak < 3.5 * size, f"{peak / size:.1f} x the file's size"


# ----------------------------------------------------------------------------- 2. --save onto odd files

def test_save_refuses_a_fifo_a_symlink_and_a_device(tmp_path, model):
    fifo = tmp_path / 'pipe.json'
    os.mkfifo(fifo)
    target = tmp_path / 'real.json'
    target.write_text('keep me')
    link = tmp_path / 'link.json'
    link.symlink_to(target)
    odd = ((fifo, r'a FIFO \(named pipe\)'), (link, 'a symbolic link'), ('/dev/null', 'a character device'))
    for path, kind in odd:
        with pytest.raises(CheckpointError, match=f"is {kind}, not a regular file.*would replace it"):
            save_checkpoint(path, model, TOKENIZER, step=1)
    assert os.path.islink(link) and target.read_text() == 'keep me'
    assert os.path.exists('/dev/null') and not os.path.isfile('/dev/null')


def test_cli_refuses_save_onto_dev_null_before_training():
    result = run_cli(*TINY_FLAGS, '--steps', '2', '--save', '/dev/null', timeout=120)
    assert result.stdout == ''
    assert "'/dev/null': it is a character device, not a regular file" in one_line(result)


# ----------------------------------------------------------------------------- 3. no temporary file possible

def test_a_folder_where_no_file_can_be_made_is_refused_up_front(tmp_path, monkeypatch):
    def no_inodes(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(tempfile, 'mkstemp', no_inodes)
    with pytest.raises(CheckpointError, match="no file can be created in .*No space left on device.*another disk"):
        ckpt_module.check_save_path(tmp_path / 'm.json')


@pytest.mark.skipif(not os.path.isdir('/proc/self'), reason="needs Linux's /proc")
def test_cli_save_into_proc_is_an_error_before_training_not_a_traceback():
    result = run_cli(*TINY_FLAGS, '--steps', '2', '--save', '/proc/x.json', timeout=120)
    assert result.stdout == ''  # before the first step
    line = one_line(result)
    assert line.startswith("error: cannot save the checkpoint to '/proc/x.json'") and 'Traceback' not in line


# ----------------------------------------------------------------------------- 4. a full disk

def full_disk_in(folder, monkeypatch):
    """Every write into folder fails as a full disk does; elsewhere writes work."""
    real = ckpt_module._write_atomically

    def write_atomically(path, text):
        if os.path.dirname(os.path.abspath(path)) == str(folder):
            raise OSError(errno.ENOSPC, 'No space left on device')
        return real(path, text)
    monkeypatch.setattr(ckpt_module, '_write_atomically', write_atomically)


def test_a_full_disk_keeps_the_old_file_and_rescues_the_weights(tmp_path, model, monkeypatch):
    disk, other = tmp_path / 'disk', tmp_path / 'other'
    disk.mkdir()
    other.mkdir()
    path = disk / 'm.json'
    save_checkpoint(path, model, TOKENIZER, step=1)
    before = path.read_bytes()
    model.params[0].data += 1.0  # "trained" further: weights worth keeping
    full_disk_in(disk, monkeypatch)
    monkeypatch.setattr(tempfile, 'tempdir', str(other))
    with pytest.raises(CheckpointError, match=r"No space left on device.*unchanged.*saved to .*other.* instead") as e:
        save_checkpoint(path, model, TOKENIZER, step=2)
    assert path.read_bytes() == before
    rescued = str(e.value).split("saved to '")[1].split("'")[0]
    saved_model, _, saved = load_checkpoint(rescued)
    assert saved['step'] == 2 and saved_model.weights() == model.weights()


def test_a_full_disk_everywhere_says_what_to_do(tmp_path, model, monkeypatch):
    full_disk_in(tmp_path, monkeypatch)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    with pytest.raises(CheckpointError, match="could not be saved anywhere: free some space, then save again"):
        save_checkpoint(tmp_path / 'm.json', model, TOKENIZER, step=1)
    assert os.listdir(tmp_path) == []


# ----------------------------------------------------------------------------- 5. SIGTERM

def start_training(*args):
    proc = subprocess.Popen([sys.executable, '-m', 'microgpt', *TINY_FLAGS, '--steps', '100000', *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONUNBUFFERED='1'))
    seen = []
    while sum(line.startswith('step ') for line in seen) < 3:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        seen.append(line)
    return proc, seen


def test_sigterm_with_save_saves_the_last_completed_step(tmp_path):
    path = tmp_path / 'run.json'
    proc, seen = start_training('--save', str(path))
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143  # 128 + 15, the convention for "ended by SIGTERM"
    ckpt = json.loads(path.read_text())
    printed = [line for line in ''.join(seen).splitlines() + out.splitlines() if line.startswith('step ')]
    assert ckpt['step'] == len(ckpt['losses']) == len(printed) >= 3
    assert err.strip() == f"terminated: saved step {ckpt['step']} to {path}"
    assert load_checkpoint(path)[2]['step'] == ckpt['step']
    assert [n for n in os.listdir(tmp_path) if n.endswith('.tmp')] == []


def test_sigterm_without_save_ends_with_one_line():
    proc, _ = start_training()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and err.strip() == 'terminated'


# ----------------------------------------------------------------------------- 6. stale temporary files

def test_a_save_removes_the_temporary_files_of_dead_processes_only(tmp_path, model):
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()  # its pid now belongs to no process
    stale = [tmp_path / f'.m.json.microgpt-{dead.pid}-{tag}.tmp' for tag in ('a1b2c3d4', 'zz_9x8y7')]
    live = tmp_path / f'.m.json.microgpt-{os.getpid()}-k3e4p5q6.tmp'  # a save in progress
    other = tmp_path / '.m.json.editor.tmp'                            # not ours
    for f in (*stale, live, other):
        f.write_text('{')
    save_checkpoint(tmp_path / 'm.json', model, TOKENIZER, step=1)
    assert sorted(os.listdir(tmp_path)) == sorted(['m.json', live.name, other.name])


# ----------------------------------------------------------------------------- 7. malformed checkpoints

@pytest.fixture
def good_text(tmp_path, model):
    path = tmp_path / 'good.json'
    save_checkpoint(path, model, TOKENIZER, step=3, losses=[3.1, 2.9, 2.8])
    return path.read_text()


def first_weight(text):
    """(start, end) of the first number of the first weight matrix in a checkpoint's text."""
    start = text.index('"wte": [[') + len('"wte": [[')
    return start, text.index(',', start)


@pytest.mark.parametrize('change, message', [
    (lambda t: t[:first_weight(t)[0]] + '1' + '0' * 400 + t[first_weight(t)[1]:],
     "wte holds a value that is not a finite number"),
    (lambda t: t[:first_weight(t)[0]] + 'true' + t[first_weight(t)[1]:],
     "wte holds a value that is not a finite number"),
    (lambda t: t[:first_weight(t)[0]] + '7' * 4400 + t[first_weight(t)[1]:],  # Pythons before 3.10.7 read it
     "(a number too long to read|wte holds a value that is not a finite number)"),
    (lambda t: '{"a": ' + '[' * 100_000 + ']' * 100_000 + '}', "nested too deeply"),
    (lambda t: t.replace('"step": 3', '"step": true'), "step is True, not an integer >= 0"),
    (lambda t: t.replace('"step": 3', '"step": -5'), "step is -5, not an integer >= 0"),
    (lambda t: t.replace('"losses": [3.1, 2.9, 2.8]', '"losses": "low"'), "losses is 'low', not a list"),
    (lambda t: t.replace('"losses": [3.1, 2.9, 2.8]', '"losses": [3.1, true]'), "losses is .*not a list"),
    (lambda t: t.replace('"extra": {}', '"extra": [1]'), "extra is .*not a dict"),
])
def test_malformed_checkpoints_are_refused_naming_the_field(tmp_path, good_text, change, message):
    path = tmp_path / 'bad.json'
    path.write_text(change(good_text))
    with pytest.raises(CheckpointError, match=f"corrupt.*{message}"):
        load_checkpoint(path)


def test_the_untouched_checkpoint_loads(tmp_path, good_text):
    path = tmp_path / 'ok.json'
    path.write_text(good_text)
    assert load_checkpoint(path)[2]['step'] == 3


# ----------------------------------------------------------------------------- 8. prepare()'s arguments

@pytest.mark.parametrize('kwargs, error, message', [
    (dict(config={}), ConfigError, r"config must be a Config or a preset name.*got \{\} \(dict\).*from_dict"),
    (dict(config=123), ConfigError, r"config must be a Config or a preset name.*got 123 \(int\)"),
    (dict(data_path=None), DataError, r"data_path must be a str or os.PathLike.*got None"),
    (dict(data_path=0), DataError, r"data_path must be a str or os.PathLike.*got 0 \(int\)"),
])
def test_prepare_refuses_the_wrong_kind_of_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        prepare(**kwargs)


# ----------------------------------------------------------------------------- 9. negative seeds

def test_a_negative_seed_is_refused():
    assert random.Random(-1).random() == random.Random(1).random()  # why: Python seeds with abs()
    with pytest.raises(ConfigError, match="seed must be an integer >= 0, got -1.*seed 1"):
        get_config('book', seed=-1)
    assert "seed must be an integer >= 0" in one_line(run_cli('--seed', '-1', timeout=120))
    assert get_config('book', seed=0).seed == 0


# ----------------------------------------------------------------------------- 10. a model too big

def test_a_huge_model_is_refused_up_front_with_a_figure():
    start = time.perf_counter()
    result = run_cli('--n-embd', '100000', '--n-head', '1', timeout=120)
    line = one_line(result)
    assert result.stdout == '' and time.perf_counter() - start < 60
    assert "this model has 120,006,200,000 parameters, about" in line
    assert "GB for one training step with the scalar engine; the limit is 4 GB" in line


def test_the_size_limit_is_adjustable_through_the_api(monkeypatch):
    monkeypatch.setattr(pipeline, 'MAX_STEP_MEMORY', 2**20)
    with pytest.raises(ConfigError, match="this model has 4,064 parameters.*or the numpy engine"):
        prepare('book')
    monkeypatch.setattr(pipeline, 'MAX_STEP_MEMORY', 2**30)
    assert prepare('book').model.config.n_embd == 16


def test_every_preset_and_the_deepest_configuration_in_the_repo_fit():
    deepest = get_config('book', n_layer=4, n_embd=64, n_head=4, block_size=32)  # test_autograd, chapter 2
    for config in (*PRESETS.values(), deepest):
        for engine in ('scalar', 'numpy'):
            assert pipeline.step_memory(config, 27, engine) <= pipeline.MAX_STEP_MEMORY


def test_the_scalar_memory_estimate_is_an_honest_upper_bound():
    config = get_config('book', n_embd=32, n_head=4)
    run = prepare(config.replace(num_steps=1))
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run.train()
        used = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    estimate = pipeline.step_memory(config, run.tokenizer.vocab_size, 'scalar')
    assert estimate / 3 < used <= estimate, (used, estimate)


# ----------------------------------------------------------------------------- 11. an absurd learning rate

def poison(run):
    for p in run.model.params:
        p.data = float('nan')


def test_divergence_advice_is_a_rate_that_trains():
    """A tenth of an absurd rate is still absurd: the advice is at most the presets' 0.01."""
    assert all(config.learning_rate == 0.01 for config in PRESETS.values())  # stable: chapter 5's table
    line = one_line(run_cli('--lr', '1e300', '--steps', '5', timeout=120))
    assert "training diverged" in line and line.endswith("(it is 1e+300; e.g. 0.01).")
    assert run_cli('--lr', '0.01', '--steps', '5', timeout=120).returncode == 0  # the advice, taken
    for lr, advice in ((1e6, '0.01'), (0.05, '0.005'), (0.005, '0.0005')):
        run = prepare(get_config('book', learning_rate=lr, num_steps=1))
        poison(run)
        with pytest.raises(TrainingError, match=re.escape(f"it is {lr:g}; e.g. {advice}).")):
            run.train()


# ----------------------------------------------------------------------------- 12. invisible characters

def test_invisible_characters_warn_naming_character_and_line(tmp_path):
    data = write(tmp_path / 'names.txt', "anna\nbo\x00b\n\nx\u2028y\nzoe\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        run = prepare(TINY, data)
    assert sorted(run.docs) == ['anna', 'bo\x00b', 'x\u2028y', 'zoe']  # the data is what the file says
    assert caught[0].filename == __file__  # pointed at the caller of prepare()
    assert [w.category for w in caught] == [DataWarning]
    message = str(caught[0].message)
    assert "U+0000 (NULL) on line 2" in message and "U+2028 (LINE SEPARATOR) on line 4" in message
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        prepare(TINY, write(tmp_path / 'clean.txt', "anna\nzoé\n"))  # accents are fine: no warning


def test_printable_escapes_only_what_cannot_be_seen():
    assert printable('bo\x00b\u2028') == 'bo\\x00b\\u2028'
    assert printable('zoé o\'k \\') == 'zoé o\'k \\'


def test_cli_warns_once_and_prints_samples_printably(tmp_path):
    data = write(tmp_path / 'nul.txt', ''.join(f"\x00{name}\x00\n" for name in ('ab', 'ba', 'aab', 'bba') * 10))
    result = run_cli('--data', data, *TINY_FLAGS, '--steps', '20', '--samples', '10', timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (f"warning: data file {data!r} contains invisible characters: U+0000 (NULL) "
                                     "on line 1. Each becomes a token like any other (samples show it escaped, "
                                     "e.g. \\x00); remove them from the file if they are not meant to be part "
                                     "of the documents.")
    samples = [line for line in result.stdout.splitlines() if line.startswith('sample')]
    assert len(samples) == 10 and all(line.isprintable() for line in result.stdout.splitlines())
    assert any('\\x00' in line for line in samples)  # the NUL tokens are sampled, and shown escaped


# ----------------------------------------------------------------------------- 13. --load (issue 18)

@pytest.mark.parametrize('engine', ['scalar', 'numpy'])
def test_load_samples_exactly_what_the_saving_run_sampled(tmp_path, engine):
    path = str(tmp_path / 'm.json')
    trained = run_cli('--steps', '30', '--samples', '8', '--engine', engine, '--save', path, timeout=600)
    assert trained.returncode == 0, trained.stderr
    loaded = run_cli('--load', path, '--steps', '0', '--samples', '8', '--engine', engine, timeout=600)
    assert loaded.returncode == 0, loaded.stderr
    samples = [line for line in trained.stdout.splitlines() if line.startswith('sample')]
    assert len(samples) == 8
    assert [line for line in loaded.stdout.splitlines() if line.startswith('sample')] == samples
    assert not any(line.startswith('step') for line in loaded.stdout.splitlines())


def test_load_refuses_flags_and_data_that_contradict_the_checkpoint(tmp_path, model):
    path = str(tmp_path / 'm.json')
    save_checkpoint(path, model, TOKENIZER, step=1)
    line = one_line(run_cli('--load', path, '--block-size', '16', timeout=120))
    assert "the checkpoint's model differs" in line and "--block-size 16 (it has 6)" in line
    assert "configuration wins, so drop those flags" in line
    line = one_line(run_cli('--load', path, timeout=120))  # the built-in names: 26 letters, not 'abc'
    assert "was trained on the characters 'abc'" in line and "use the data it was trained on" in line
    data = write(tmp_path / 'abc.txt', "abc\ncab\nbca\n")
    loaded = run_cli('--load', path, '--data', data, '--samples', '3', timeout=120)
    assert loaded.returncode == 0 and loaded.stdout.count('sample ') == 3
