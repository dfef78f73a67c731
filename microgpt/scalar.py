"""The scalar engine, gathered under the names every engine provides (see numpy_engine)."""

from .model import GPT  # noqa: F401
from .sample import sample  # noqa: F401
from .train import training_steps  # noqa: F401
