"""
Your own words: microgpt trained on any list of documents in the HTML book's page
(book/your_data.md), printing exactly the lines that `python -m microgpt` prints for the
same data and settings, and the command line that does.

The page's trainer widget calls these functions (declared in microgpt/widgets.py) in
Pyodide; the tests call them in CPython. Standard library only.

- The data is the built-in names, or the bytes of a text file (opened from disk, pasted,
  or restored from a link). They go through the command line's own loading: the bytes
  are written to a file and read by microgpt.data.load_docs, so a byte-order mark, \\r\\n,
  blank lines and surrounding spaces are handled exactly as `--data FILE` handles them;
  messages name the reader's file, not the temporary one.
- The settings are the page's boxes (steps, seed, learning rate, layers, block size,
  temperature, samples), checked one by one by microgpt.config.Config, with its messages.
- Training uses the list engine (bit for bit the scalar engine's numbers, much faster)
  and yields the command line's lines in batches (one every CHUNK_SECONDS or so), with the
  book's moving average of the loss and, now and then, names sampled from a separate
  random stream (peeking never changes the run).
- A run can be shared: run_file() writes the settings and the data as JSON (the page
  compresses it into a link, or offers it as a file), open_run() reads it back.
- A trained model is a checkpoint in the package's own format (microgpt.checkpoint), so
  microgpt.load_checkpoint reads the page's download, and `--load` samples from it exactly
  what the page sampled; open_checkpoint() does in the page what `--load FILE --steps 0` does.
"""

import base64
import binascii
import hashlib
import json
import os
import random
import shlex
import tempfile
import time
import warnings

from . import cli, list_engine
from .checkpoint import checkpoint_text, read_checkpoint
from .config import PRESETS, num_params
from .data import NAMES_PATH, Tokenizer, load_docs
from .errors import ConfigError, DataError, InputError, MicroGPTError, quoted
from .explore import LOSS_WINDOW, moving_average_label
from .pipeline import prepare, printable, warn_invisible_characters

ENGINE = 'list'               # the page's engine: standard library only, the scalar engine's numbers
MAX_DATA_BYTES = 2_000_000    # the largest data file the page takes (the command line takes any)
MAX_LINK_CHARS = 8_000        # the longest share link the page makes; a larger run goes into a run file
MIN_DOCS = 2
CHUNK_SECONDS = 0.1           # training reports a batch of steps about this often
RUN_FORMAT, RUN_VERSION = 'microgpt-run', 1
BOOK = PRESETS['book']

# The settings the page offers, in its order: Config field -> (the box's label, the most the page
# allows; None: no limit but Config's). The command line's flag for each is cli.FLAGS[field].
SETTINGS = {
    'num_steps': ('steps', 20_000),
    'seed': ('seed', None),
    'learning_rate': ('learning rate', None),
    'n_layer': ('layers', 6),
    'block_size': ('block size', 32),
    'temperature': ('temperature', None),
    'num_samples': ('samples', 100),
}
SAMPLING = ('seed', 'temperature', 'num_samples')  # what may change when sampling from a saved model


# ----------------------------------------------------------------------------- settings

def typed(field, value):
    """A box's text as the number its field holds (an int field takes only whole numbers);
    text that is no such number is returned as it is, for Config to refuse with its message."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return int(text) if isinstance(getattr(BOOK, field), int) else float(text)
    except ValueError:
        return text


def parse_settings(settings=None, base=BOOK):
    """(config, errors): base with the page's settings ({field: number or the box's text};
    a field left out keeps base's value), and {field: message} for every setting Config (or
    the page's limit) refuses; a refused setting keeps base's value in config."""
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise InputError(f"unknown setting(s) {', '.join(map(repr, unknown))}; the page's settings are "
                         f"{', '.join(SETTINGS)}.")
    values, errors = {}, {}
    for field, (_, most) in SETTINGS.items():
        if settings.get(field) is None:
            continue
        value = typed(field, settings[field])
        try:
            base.replace(**{field: value})  # Config's own checks and messages
        except ConfigError as e:
            errors[field] = str(e)
            continue
        if most is not None and value > most:
            errors[field] = (f"{field} is at most {most:,} in the page, got {value!r}; the command line "
                             f"({cli.FLAGS[field]}) takes more.")
            continue
        values[field] = value
    return base.replace(**values), errors


def settings_of(config):
    """{field: value} of the page's settings in config."""
    return {field: getattr(config, field) for field in SETTINGS}


def setting_rows(config, errors=None, shape_fixed=False):
    """What the page draws for each setting: its field, label, flag, value, the book's
    value, the page's maximum, whether it is a whole number, and its error (or None).
    shape_fixed: the model's shape (layers, block size) comes from a saved model."""
    errors = errors or {}
    return [{'name': field, 'label': label, 'flag': cli.FLAGS[field], 'value': getattr(config, field),
             'book': getattr(BOOK, field), 'max': most, 'integer': isinstance(getattr(BOOK, field), int),
             'error': errors.get(field), 'fixed': shape_fixed and field in cli.SHAPE_FLAGS}
            for field, (label, most) in SETTINGS.items()]


def first_error(errors):
    return next(iter(errors.values()))


# ----------------------------------------------------------------------------- data

def data_name(data):
    """The data's file name as the command line would be given it (just the name, no folder)."""
    if not data:
        return None
    name = os.path.basename(str(data.get('name') or '').replace('\\', '/')).strip()
    return name or 'data.txt'


def size_text(n):
    return f"{n / 1e6:.1f} MB ({n:,} bytes)" if n >= 100_000 else f"{n:,} bytes"


def too_large(name, size):
    return DataError(f"{name!r} is {size_text(size)}; the page takes data files up to {size_text(MAX_DATA_BYTES)}. "
                     f"Use a shorter file here, or the command line, which takes any size: "
                     f"python -m microgpt --engine list --data {shlex.quote(name)}")


def data_bytes(data):
    """The bytes of the data: {'name', 'text'} (pasted text, written as UTF-8) or {'name',
    'base64'} (a file's bytes); {'name', 'size'} only checks the size (before the page reads
    a file). None: the built-in names (returns None)."""
    if not data:
        return None
    if not isinstance(data, dict):
        raise InputError(f"data must be null or an object with 'name' and 'text' or 'base64', got {data!r:.60}.")
    name = data_name(data)
    size = data.get('size')
    if size is not None and size > MAX_DATA_BYTES:
        raise too_large(name, size)
    if isinstance(data.get('text'), str):
        raw = data['text'].encode('utf-8', 'surrogatepass')
    elif isinstance(data.get('base64'), str):
        try:
            raw = base64.b64decode(data['base64'], validate=True)
        except (binascii.Error, ValueError):
            raise InputError(f"the bytes of {name!r} did not arrive intact (not base64); "
                             "open the file again.") from None
    else:
        raise InputError(f"no data for {name!r}: give its 'text' or its bytes ('base64').")
    if len(raw) > MAX_DATA_BYTES:
        raise too_large(name, len(raw))
    return raw


class Loaded:
    """Data read as `python -m microgpt --data NAME` reads it: path (the file the package
    reads; the built-in names' path for None), name (None for the built-in names), docs,
    raw (the bytes, or None), warnings (messages about the data)."""

    def __init__(self, path, name, docs, raw, warnings):
        self.path, self.name, self.docs, self.raw, self.warnings = path, name, docs, raw, warnings


_files = {}  # sha256 of the bytes -> the file holding them (the newest few)
_folder = []


def data_file(raw):
    """A file holding exactly raw (one per content, in a private temporary folder)."""
    digest = hashlib.sha256(raw).hexdigest()
    if digest in _files and os.path.exists(_files[digest]):
        return _files[digest]
    if not _folder:
        _folder.append(tempfile.mkdtemp(prefix='microgpt-page-'))
    path = os.path.join(_folder[0], digest[:24] + '.txt')
    with open(path, 'wb') as f:
        f.write(raw)
    _files[digest] = path
    while len(_files) > 4:  # keep only the newest few
        old = _files.pop(next(iter(_files)))
        if old != path and os.path.exists(old):
            os.unlink(old)
    return path


class renamed:
    """Inside it, a data error or warning that names the temporary file names the reader's
    file instead, and warnings are collected (in .messages), not printed."""

    def __init__(self, path, name):
        self.path, self.name, self.messages = path, name, []

    def text(self, message):
        return str(message).replace(repr(self.path), repr(self.name))

    def __enter__(self):
        self._catch = warnings.catch_warnings(record=True)
        self._caught = self._catch.__enter__()
        warnings.simplefilter('always')
        return self

    def __exit__(self, kind, exc, tb):
        self._catch.__exit__(kind, exc, tb)
        self.messages += [self.text(w.message) for w in self._caught]
        if isinstance(exc, MicroGPTError) and self.name is not None and repr(self.path) in str(exc):
            raise type(exc)(self.text(exc)) from None
        return False


def load(data):
    """The data as the command line reads it (see Loaded); a DataError says what is wrong."""
    raw = data_bytes(data)
    if raw is None:
        return Loaded(NAMES_PATH, None, load_docs(NAMES_PATH), None, [])
    name = data_name(data)
    path = data_file(raw)
    with renamed(path, name) as r:
        docs = load_docs(path)
        warn_invisible_characters(path, docs)
    if len(docs) < MIN_DOCS:
        raise DataError(f"{name!r} holds a single document, {quoted(docs[0])}: microgpt reads one document "
                        "per line, and would learn to repeat this one. Put each document (a name, a word) on "
                        "a line of its own.")
    return Loaded(path, name, docs, raw, r.messages)


def visible(ch):
    """A vocabulary character as the page lists it: spaces and invisible ones by name."""
    return {' ': '␠', '\t': '⇥'}.get(ch) or printable(ch)


def data_summary(loaded, block_size):
    docs = loaded.docs
    tokenizer = Tokenizer(docs)
    longer = sum(len(d) > block_size for d in docs)
    return {'name': loaded.name, 'builtin': loaded.name is None, 'num_docs': len(docs),
            'vocab': [visible(ch) for ch in tokenizer.uchars], 'vocab_size': tokenizer.vocab_size,
            'bytes': len(loaded.raw) if loaded.raw is not None else os.path.getsize(NAMES_PATH),
            'longest': max(map(len, docs)), 'longer_than_block': longer,
            'examples': [printable(d) for d in docs[:5]], 'warnings': loaded.warnings}


# ----------------------------------------------------------------------------- the command line

def command_args(config, name=None, load=None, base=None):
    """The arguments (after `python -m microgpt`) of the run the page makes."""
    if load is None:
        return cli.command_args(config, data=name, engine=ENGINE)
    # --load: the checkpoint's configuration, and no training (said, though it is --load's default)
    return cli.command_args(config.replace(num_steps=base.num_steps), data=name, engine=ENGINE, load=load,
                            base=base) + ['--steps', '0']


def command(config, name=None, load=None, base=None):
    """That command, as a reader types it into a shell."""
    return shlex.join(['python', '-m', 'microgpt', *command_args(config, name, load, base)])


# ----------------------------------------------------------------------------- the widget's calls

def limits():
    return {'data_bytes': MAX_DATA_BYTES, 'data_text': size_text(MAX_DATA_BYTES), 'link_chars': MAX_LINK_CHARS}


def trainer_state(data=None, settings=None):
    """What the page shows before training: the settings (checked), the data (documents,
    vocabulary, size) or the message saying why it cannot be used ('error'), the number
    of parameters, and the command line that makes the same run."""
    config, errors = parse_settings(settings)
    out = {'settings': setting_rows(config, errors), 'errors': errors, 'error': None, 'data': None,
           'num_params': None, 'command': None, 'argv': None, 'limits': limits(), 'engine': ENGINE,
           'average_label': moving_average_label()}
    try:
        loaded = load(data)
    except MicroGPTError as e:
        out['error'] = str(e)
        return out
    out['data'] = summary = data_summary(loaded, config.block_size)
    out['num_params'] = num_params(config, summary['vocab_size'])
    if not errors:
        out['argv'] = command_args(config, loaded.name)
        out['command'] = command(config, loaded.name)
    return out


def training_run(data=None, settings=None, preview_every=100, num_preview=5, preview_seed=0, window=LOSS_WINDOW):
    """Train as `python -m microgpt` does with these data and settings (on the list engine),
    yielding batches: the first {'lines': the three header lines, 'num_steps', 'command'};
    then {'lines', 'steps', 'losses', 'averages': [[step, moving average]...]} with, at
    every preview_every-th step, 'preview': [step, names sampled from a separate stream];
    the last {'lines': the inference lines, 'samples', 'done': True, 'model': the trained
    model as a checkpoint ({'name', 'text', 'label', ...})}. Every line, in order, is what
    the command line prints."""
    config, errors = parse_settings(settings)
    if errors:
        raise ConfigError(first_error(errors))
    loaded = load(data)
    with renamed(loaded.path, loaded.name):
        run = prepare(config, loaded.path, ENGINE)
    yield {'lines': cli.header_lines(run), 'num_steps': config.num_steps,
           'command': command(config, loaded.name), 'average_label': moving_average_label(window)}
    preview_rng = random.Random(preview_seed)
    sums = [0.0]  # running sums of the losses, as explore.trailing_means adds them
    batch, last = None, time.perf_counter()
    for info in run.training_steps():
        if batch is None:
            batch = {'lines': [], 'steps': [], 'losses': [], 'averages': []}
        sums.append(sums[-1] + info.loss)
        batch['lines'].append(str(info))
        batch['steps'].append(info.step)
        batch['losses'].append(info.loss)
        if info.step >= window:
            batch['averages'].append([info.step, (sums[-1] - sums[-1 - window]) / window])
        if preview_every and info.step % preview_every == 0 and info.step < info.num_steps:
            batch['preview'] = [info.step, [printable(list_engine.sample(run.model, run.tokenizer, preview_rng,
                                                                         config.temperature))
                                            for _ in range(num_preview)]]
        now = time.perf_counter()
        if 'preview' in batch or now - last >= CHUNK_SECONDS or info.step == info.num_steps:
            yield batch
            batch, last = None, now
    names = run.sample()
    label = f"{loaded.name or 'the built-in names'}, {len(run.losses):,} steps"
    yield {'lines': [*cli.INFERENCE.split('\n'), *cli.sample_lines(names)], 'samples': [printable(n) for n in names],
           'done': True, 'model': model_info(run, loaded.name, label)}


def model_info(run, name, label):
    """A trained model as the page keeps it: its checkpoint (the package's format) and a label."""
    text = checkpoint_text(run.model, run.tokenizer, step=len(run.losses), losses=run.losses,
                           extra={'data': name or 'names.txt', 'made_by': 'the book page'})
    stem = os.path.splitext(name)[0] if name else 'names'
    return {'name': f'microgpt-{stem}.json', 'text': text, 'label': label, 'vocab_size': run.tokenizer.vocab_size,
            'settings': settings_of(run.config), 'step': len(run.losses)}


def open_checkpoint(data=None, checkpoint=None, settings=None):
    """Sample from a saved model (the page's or `--save`'s) as `python -m microgpt --load
    NAME --data DATA` does (--steps 0): returns {'lines', 'samples', 'command', 'settings':
    the rows (layers, block size: the checkpoint's), 'model'}. settings may change only the
    seed, temperature and samples; the data must have the vocabulary the model was trained on
    (otherwise a CheckpointError says so, and nothing changes)."""
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get('text'), str):
        raise InputError("no checkpoint: open a .json file saved by the page or by python -m microgpt --save.")
    name = os.path.basename(str(checkpoint.get('name') or 'model.json')) or 'model.json'
    model, tokenizer, ckpt = read_checkpoint(checkpoint['text'], name)
    saved = model.config
    wanted = {k: v for k, v in (settings or {}).items() if k in SAMPLING}
    config, errors = parse_settings(wanted, base=saved)
    if errors:
        raise ConfigError(first_error(errors))
    loaded = load(data)
    with renamed(loaded.path, loaded.name):
        run = prepare(config, loaded.path, ENGINE)
    run.use_weights(model, tokenizer, source=name)  # another vocabulary: a CheckpointError, nothing changed
    names = run.sample()
    lines = [*cli.header_lines(run), *cli.INFERENCE.split('\n'), *cli.sample_lines(names)]
    steps = ckpt.get('step')
    return {'lines': lines, 'samples': [printable(n) for n in names],
            'settings': setting_rows(config, shape_fixed=True),
            'command': command(config, loaded.name, load=name, base=saved),
            'argv': command_args(config, loaded.name, load=name, base=saved),
            'model': {'name': name, 'text': checkpoint['text'], 'vocab_size': tokenizer.vocab_size,
                      'label': f"{name}, {steps:,} steps", 'settings': settings_of(config), 'step': steps}}


# ----------------------------------------------------------------------------- sharing a run

def run_file(data=None, settings=None):
    """The run as a small JSON file: {format, version, settings, data: null (the built-in
    names) or {name, text}}. The page compresses it into a share link, or, when the link
    would be longer than MAX_LINK_CHARS, offers it for download; open_run() reads it."""
    config, errors = parse_settings(settings)
    if errors:
        raise ConfigError(first_error(errors))
    loaded = load(data)
    run = {'format': RUN_FORMAT, 'version': RUN_VERSION, 'settings': settings_of(config),
           'data': None if loaded.raw is None else {'name': loaded.name, 'text': loaded.raw.decode('utf-8')}}
    stem = os.path.splitext(loaded.name)[0] if loaded.name else 'names'
    return {'text': json.dumps(run, ensure_ascii=False, separators=(',', ':')), 'name': f'microgpt-run-{stem}.json'}


def open_run(text=None, source='the link'):
    """The data and settings of a run file (or a link's run): {'data', 'settings'}, ready
    for state() and train(). Anything else is an InputError that says what is wrong."""
    where = source if source == 'the link' else repr(source)
    if not isinstance(text, str):
        raise InputError(f"{where} holds no run.")
    try:
        run = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(f"{where} is not a microgpt run (not JSON): it may have been cut short; "
                         "ask for it again.") from None
    if not isinstance(run, dict) or run.get('format') != RUN_FORMAT:
        raise InputError(f"{where} is not a microgpt run (no 'format': '{RUN_FORMAT}').")
    if run.get('version') != RUN_VERSION:
        raise InputError(f"{where} is a run of version {run.get('version')!r}; this page reads version {RUN_VERSION}.")
    settings, data = run.get('settings'), run.get('data')
    if not isinstance(settings, dict):
        raise InputError(f"{where} is damaged: its settings are missing.")
    try:
        config, errors = parse_settings(settings)
    except InputError as e:
        raise InputError(f"{where} is damaged: {e}") from None
    if errors:
        raise InputError(f"{where} has a setting the page cannot use: {first_error(errors)}")
    if data is not None:
        if not (isinstance(data, dict) and isinstance(data.get('text'), str) and isinstance(data.get('name'), str)):
            raise InputError(f"{where} is damaged: its data is not a file name and a text.")
        data = {'name': data_name(data), 'text': data['text']}
        load(data)  # the same checks as a file opened from disk
    return {'data': data, 'settings': settings_of(config)}
