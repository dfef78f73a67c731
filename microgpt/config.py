"""
Configuration: every number that defines a run, in one place, with two presets.

- `book` (the default): the seeds' model, 4,064 parameters, context of 8, squared ReLU.
- `karpathy`: the published microgpt, 4,192 parameters, context of 16, ReLU.
"""

import math
from dataclasses import asdict, dataclass, fields, replace
from numbers import Integral, Real

from .errors import ConfigError


@dataclass(frozen=True)
class Config:
    # model shape
    n_embd: int = 16          # width of every vector in the residual stream
    n_head: int = 4           # attention heads, each of width n_embd // n_head
    n_layer: int = 1          # transformer blocks
    block_size: int = 8       # context length: the most positions the model sees
    activation: str = 'relu2'  # MLP non-linearity: 'relu2' = relu(x)**2 or 'relu'
    init_std: float = 0.08    # standard deviation of the Gaussian initial weights
    # training (Adam with linear learning-rate decay)
    learning_rate: float = 0.01
    beta1: float = 0.85
    beta2: float = 0.99
    eps: float = 1e-8
    num_steps: int = 1000
    seed: int = 42
    # sampling
    temperature: float = 0.5
    num_samples: int = 20

    @property
    def head_dim(self):
        return self.n_embd // self.n_head

    def __post_init__(self):
        for name in ('n_embd', 'n_head', 'n_layer', 'block_size', 'num_steps'):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ConfigError(f"seed must be an integer >= 0, got {self.seed!r}: the seed is what makes a "
                              "run reproducible (the default is 42; Python would run seed -1 as seed 1).")
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) or self.num_samples < 0:
            raise ConfigError(f"num_samples must be an integer >= 0, got {self.num_samples!r}.")
        for name in ('learning_rate', 'beta1', 'beta2', 'eps', 'init_std'):
            value = getattr(self, name)
            if not isinstance(value, Real) or isinstance(value, bool) or not math.isfinite(value):
                raise ConfigError(f"{name} must be a finite number, got {value!r}.")
        if self.n_embd % self.n_head:
            raise ConfigError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}) "
                              f"so that every head gets the same number of dimensions; "
                              f"try n_head in {[h for h in range(1, self.n_embd + 1) if self.n_embd % h == 0]}.")
        if self.activation not in ('relu', 'relu2'):
            raise ConfigError(f"activation must be 'relu' or 'relu2', got {self.activation!r}.")
        check_temperature(self.temperature)
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}.")
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ConfigError(f"beta1 and beta2 must be in [0, 1), got {self.beta1!r} and {self.beta2!r}.")
        if not self.init_std > 0:
            raise ConfigError(f"init_std must be > 0, got {self.init_std!r}.")
        if not self.eps > 0:
            raise ConfigError(f"eps must be > 0 (it keeps Adam from dividing by zero), got {self.eps!r}.")

    def replace(self, **changes):
        """A copy with some fields changed (and checked again)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown config field(s) {sorted(unknown)}; "
                              f"valid fields: {[f.name for f in fields(self)]}.")
        return replace(self, **changes)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        return cls().replace(**d)


MIN_TEMPERATURE = 1e-6  # logits / T must stay finite; this close to 0 sampling is already greedy


def check_temperature(temperature):
    if not (isinstance(temperature, Real) and 0 < temperature < math.inf):  # also catches NaN
        raise ConfigError(f"temperature must be > 0 and finite, got {temperature!r}; "
                          "use a small value such as 0.01 for nearly greedy sampling.")
    if temperature < MIN_TEMPERATURE:
        raise ConfigError(f"temperature {temperature!r} is too small: below {MIN_TEMPERATURE:g}, logits / T "
                          f"can overflow. Use {MIN_TEMPERATURE:g} or more: that close to 0, sampling already "
                          "picks the most likely token every time (greedy).")


def check_vocab_size(vocab_size):
    if not isinstance(vocab_size, Integral) or isinstance(vocab_size, bool) or vocab_size < 2:
        raise ConfigError(f"vocab_size must be an integer >= 2 (characters + BOS), got {vocab_size!r}.")


PRESETS = {
    'book': Config(),
    'karpathy': Config(block_size=16, activation='relu'),
}


def get_config(preset='book', **overrides):
    """The named preset, with any field overridden (None means: keep the preset's value)."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}.")
    return PRESETS[preset].replace(**{k: v for k, v in overrides.items() if v is not None})


def num_params(config, vocab_size):
    """How many numbers the model learns: each matrix's rows x columns, summed."""
    d, n_layer = config.n_embd, config.n_layer             # width, layers
    embeddings = vocab_size * d + config.block_size * d   # wte, wpe
    per_layer = 4 * d * d + 4 * d * d + d * 4 * d  # wq wk wv wo, fc1, fc2
    return embeddings + vocab_size * d + n_layer * per_layer  # + lm_head
