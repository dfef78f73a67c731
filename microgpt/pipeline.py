"""
A whole run in one object: the random stream, the shuffled documents, the tokenizer,
the model (on either engine), and what training reported. The CLI and the chapters
use it so that every one of them consumes the random stream in the reference order:
shuffle the documents, draw the initial weights, then sample.

The scalar engine is three modules, microgpt.model (GPT), microgpt.train
(training_steps) and microgpt.sample (sample); microgpt.numpy_engine provides the same
three names on arrays.
"""

import random

from . import model, sample, train
from .config import PRESETS, Config, get_config, num_params
from .data import NAMES_PATH, Tokenizer, load_docs, shuffled
from .errors import CheckpointError, ConfigError

# What a run may need for one training step before prepare() refuses it (API users may
# raise it: microgpt.pipeline.MAX_STEP_MEMORY = 16 * 2**30).
MAX_STEP_MEMORY = 4 * 2**30
# Bytes per parameter, measured (tracemalloc, one step of 1-2 layers, n_embd 16-64): the
# scalar engine builds about 450-480 bytes of graph per parameter per position, and keeps
# a Value, a gradient and Adam's two moments for each; NumPy keeps a few float64 arrays.
SCALAR_BYTES_PER_PARAM_POSITION = 500
SCALAR_BYTES_PER_PARAM = 200
NUMPY_BYTES_PER_PARAM = 100


def step_memory(config, vocab_size, engine):
    """An estimate of the memory (bytes) one training step of this model needs."""
    n = num_params(config, vocab_size)
    if engine == 'numpy':
        return n * NUMPY_BYTES_PER_PARAM
    return n * (SCALAR_BYTES_PER_PARAM_POSITION * config.block_size + SCALAR_BYTES_PER_PARAM)


def check_model_size(config, vocab_size, engine):
    """Refuse, before a single weight is drawn, a model too big to train here."""
    need = step_memory(config, vocab_size, engine)
    if need <= MAX_STEP_MEMORY:
        return
    hint = "use a smaller n_embd, n_layer or block_size"
    if engine == 'scalar' and step_memory(config, vocab_size, 'numpy') <= MAX_STEP_MEMORY:
        hint += f", or the numpy engine (about {gigabytes(step_memory(config, vocab_size, 'numpy'))})"
    raise ConfigError(f"this model has {num_params(config, vocab_size):,} parameters, about {gigabytes(need)} "
                      f"for one training step with the {engine} engine; the limit is {gigabytes(MAX_STEP_MEMORY)} "
                      f"(microgpt.pipeline.MAX_STEP_MEMORY): {hint}.")


def gigabytes(n):
    gb = n / 2**30
    return f"{gb:,.0f} GB" if gb >= 10 else f"{gb:.2g} GB"


class Run:
    """prepare() makes one; train() and sample() continue it."""

    def __init__(self, config=None, data_path=NAMES_PATH, engine='scalar'):
        if config is not None and not isinstance(config, Config):
            raise ConfigError(f"config must be a Config or a preset name ({' or '.join(map(repr, sorted(PRESETS)))}), "
                              f"got {config!r} ({type(config).__name__}); for a dict of fields use "
                              "microgpt.Config.from_dict(d).")
        self.config = config if config is not None else Config()
        self.engine = engine
        if engine == 'scalar':
            self._GPT, self._training_steps, self._sample = model.GPT, train.training_steps, sample.sample
        elif engine == 'numpy':
            from . import numpy_engine  # needs NumPy: imported only when asked for
            self._GPT, self._training_steps, self._sample = (numpy_engine.GPT, numpy_engine.training_steps,
                                                             numpy_engine.sample)
        else:
            raise ConfigError(f"unknown engine {engine!r}; choose 'scalar' or 'numpy'.")
        self.rng = random.Random(self.config.seed)                # one stream drives everything:
        self.docs = shuffled(load_docs(data_path), self.rng)      # 1. shuffle the documents
        self.tokenizer = Tokenizer(self.docs)
        check_model_size(self.config, self.tokenizer.vocab_size, engine)
        self.model = self._GPT(self.config, self.tokenizer.vocab_size, self.rng)  # 2. initial weights
        self.losses = []                                           # one per training step taken

    def use_weights(self, model, tokenizer, source='the checkpoint'):
        """Continue with a trained model's weights (e.g. from load_checkpoint) instead of the
        initial ones. The random stream is where the initial weights left it, so sampling
        now draws what the run that trained model drew after training."""
        if tokenizer.uchars != self.tokenizer.uchars:
            raise CheckpointError(f"{source} was trained on the characters {''.join(tokenizer.uchars)!r}, "
                                  f"but this data has {''.join(self.tokenizer.uchars)!r}; use the data it was "
                                  "trained on.")
        self.model = self._GPT.from_weights(self.config, model.weights())

    def training_steps(self, num_steps=None):
        """Train, yielding a StepInfo per step (see microgpt.train.training_steps)."""
        for info in self._training_steps(self.model, self.tokenizer, self.docs, num_steps):
            self.losses.append(info.loss)
            yield info

    def train(self, num_steps=None, callback=None):
        """Train for num_steps (default: the config's); callback(info) after each step."""
        for info in self.training_steps(num_steps):
            if callback is not None:
                callback(info)
        return self.losses

    def sample(self, num_samples=None, temperature=None):
        """3. Sample names from the same random stream."""
        n = self.config.num_samples if num_samples is None else num_samples
        t = self.config.temperature if temperature is None else temperature
        return [self._sample(self.model, self.tokenizer, self.rng, t) for _ in range(n)]

    def __repr__(self):
        return (f"Run(engine={self.engine!r}, docs={len(self.docs)}, steps_trained={len(self.losses)}, "
                f"model={self.model!r})")


def prepare(config=None, data_path=NAMES_PATH, engine='scalar'):
    """Start a run exactly as the reference program does. config: a Config or a preset name."""
    if isinstance(config, str):
        config = get_config(config)
    return Run(config, data_path, engine)
