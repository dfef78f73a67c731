"""
A whole run in one object: the random stream, the shuffled documents, the tokenizer,
the model (on either engine), and what training reported. The CLI and the chapters
use it so that every one of them consumes the random stream in the reference order:
shuffle the documents, draw the initial weights, then sample.

The scalar engine is three modules, microgpt.model (GPT), microgpt.train
(training_steps) and microgpt.sample (sample); microgpt.numpy_engine provides the same
three names on arrays, and microgpt.list_engine on plain lists of floats.
"""

import random

from . import list_engine, model, sample, train
from .config import Config, get_config
from .data import NAMES_PATH, Tokenizer, load_docs, shuffled
from .errors import ConfigError


class Run:
    """prepare() makes one; train() and sample() continue it."""

    def __init__(self, config=None, data_path=NAMES_PATH, engine='scalar'):
        self.config = config if config is not None else Config()
        self.engine = engine
        if engine == 'scalar':
            self._GPT, self._training_steps, self._sample = model.GPT, train.training_steps, sample.sample
        elif engine == 'list':  # standard library only, like the scalar engine
            self._GPT, self._training_steps, self._sample = (list_engine.GPT, list_engine.training_steps,
                                                             list_engine.sample)
        elif engine == 'numpy':
            from . import numpy_engine  # needs NumPy: imported only when asked for
            self._GPT, self._training_steps, self._sample = (numpy_engine.GPT, numpy_engine.training_steps,
                                                             numpy_engine.sample)
        else:
            raise ConfigError(f"unknown engine {engine!r}; choose 'scalar', 'list' or 'numpy'.")
        self.rng = random.Random(self.config.seed)                # one stream drives everything:
        self.docs = shuffled(load_docs(data_path), self.rng)      # 1. shuffle the documents
        self.tokenizer = Tokenizer(self.docs)
        self.model = self._GPT(self.config, self.tokenizer.vocab_size, self.rng)  # 2. initial weights
        self.losses = []                                           # one per training step taken

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
