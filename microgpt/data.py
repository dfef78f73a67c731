"""
Data and tokenizer: the dataset is a list of documents (here: names, one per line),
and the tokenizer turns each character into an integer id and back.
"""

import os
from numbers import Integral

from .errors import DataError, TokenizerError, quoted

# The book's dataset: the 29,910 US baby names of 2017 (see scripts/make_dataset.py).
NAMES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'names.txt')


def load_docs(path=NAMES_PATH):
    """The non-empty, stripped lines of a text file: one document per line."""
    if not os.path.exists(path):
        raise DataError(f"data file not found: {path!r}. Pass the path of a text "
                        "file with one document per line (or omit it to use the "
                        "built-in names).")
    if os.path.isdir(path):
        raise DataError(f"data path {path!r} is a folder; pass the path of a "
                        "text file inside it, with one document per line.")
    try:
        with open(path, encoding='utf-8-sig') as f:
            text = f.read()  # -sig: a byte-order mark at the start is dropped
    except UnicodeDecodeError as e:
        raise DataError(f"data file {path!r} is not UTF-8 text ({e}); "
                        "save it as UTF-8.") from None
    except OSError as e:  # e.g. PermissionError
        raise DataError(f"cannot read data file {path!r}: {e.strerror}. "
                        "Check the file's permissions.") from None
    if not text:
        raise DataError(f"data file {path!r} is empty; "
                        "it needs one document per line.")
    docs = [line.strip() for line in text.strip().split('\n') if line.strip()]
    if not docs:
        raise DataError(f"data file {path!r} has no usable lines: "
                        "every line is blank. "
                        "It needs one document (e.g. a name) per line.")
    return docs


def shuffled(docs, rng):
    """A shuffled copy of docs: the first draw from the run's random stream."""
    docs = list(docs)
    rng.shuffle(docs)
    return docs


class Tokenizer:
    """Characters <-> token ids. Every character seen in the data gets an id
    (sorted, so 'a' is 0), and one extra id, BOS, marks where a document begins
    and ends."""

    def __init__(self, docs):
        self.uchars = sorted(set(''.join(docs)))  # unique chars become ids 0..n-1
        self.BOS = len(self.uchars)                # Beginning Of Sequence token
        self.vocab_size = len(self.uchars) + 1     # +1 for BOS
        self._ids = {ch: i for i, ch in enumerate(self.uchars)}

    def encode(self, text):
        """The token ids of the characters of text (without BOS)."""
        ids = []
        for pos, ch in enumerate(text):
            if ch not in self._ids:
                raise TokenizerError(
                    f"character {ch!r} (position {pos} of {quoted(text)}) is not in the "
                    f"vocabulary {''.join(self.uchars)!r}; use only characters "
                    "that occur in the training data.")
            ids.append(self._ids[ch])
        return ids

    def decode(self, ids):
        """The text of token ids; BOS is skipped (a boundary, not a character)."""
        ids = list(ids)
        for i in ids:  # NumPy integers are integers too
            if not (isinstance(i, Integral) and not isinstance(i, bool) and 0 <= i < self.vocab_size):
                raise TokenizerError(
                    f"token id {i!r} is not an integer in 0..{self.vocab_size - 1}.")
        return ''.join(self.uchars[i] for i in ids if i != self.BOS)

    def frame(self, doc):
        """A document as the model sees it in training: [BOS] + ids + [BOS]."""
        return [self.BOS] + self.encode(doc) + [self.BOS]

    def __repr__(self):
        return (f"Tokenizer(vocab_size={self.vocab_size}, "
                f"uchars={''.join(self.uchars)!r}, BOS={self.BOS})")
