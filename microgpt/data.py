"""
Data and tokenizer: the dataset is a list of documents (here: names, one per line),
and the tokenizer turns each character into an integer id and back.
"""

import os
import unicodedata
import warnings
from numbers import Integral

from .errors import DataError, DataWarning, TokenizerError

# The book's dataset: the 29,910 US baby names of 2017 (see scripts/make_dataset.py).
NAMES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'names.txt')


def load_docs(path=NAMES_PATH):
    """The non-empty, stripped lines of a text file: one document per line."""
    check_path(path)
    if not os.path.exists(path):
        raise DataError(f"data file not found: {path!r}. Pass the path of a text "
                        "file with one document per line (or omit it to use the "
                        "built-in names).")
    if os.path.isdir(path):
        raise DataError(f"data path {path!r} is a folder; pass the path of a text "
                        "file inside it, with one document per line.")
    try:
        with open(path, encoding='utf-8-sig') as f:  # -sig: drop a byte-order mark
            text = f.read()
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
    warn_invisible_characters(path, docs)
    return docs


def check_path(path):
    """A file name, nothing else: open(0) would read standard input."""
    if not isinstance(path, (str, os.PathLike)):
        raise DataError(f"data_path must be a str or os.PathLike (the name of a text file), "
                        f"got {path!r} ({type(path).__name__}); pass e.g. 'names.txt', or omit it "
                        "to use the built-in names.")


CONTROL_NAMES = {'\0': 'NULL', '\a': 'BELL', '\b': 'BACKSPACE', '\t': 'CHARACTER TABULATION',
                 '\v': 'LINE TABULATION', '\f': 'FORM FEED', '\x1b': 'ESCAPE', '\x7f': 'DELETE'}


def is_invisible(ch):
    """Control, format, unassigned and private characters (Unicode category C*) and the
    line and paragraph separators: in a name they are almost always an accident."""
    category = unicodedata.category(ch)
    return category[0] == 'C' or category in ('Zl', 'Zp')


def char_name(ch):
    """'U+0000 (NULL)': a character named so that a person can find it."""
    name = unicodedata.name(ch, '') or CONTROL_NAMES.get(ch, 'a control character')
    return f"U+{ord(ch):04X} ({name})"


def printable(text):
    """text with every non-printable character escaped as Python would write it
    ('\\x00', '\\u2028'); printable text comes back unchanged. For display only."""
    return ''.join(ch if ch.isprintable() else ch.encode('unicode_escape').decode('ascii') for ch in text)


def warn_invisible_characters(path, docs):
    """Warn (DataWarning) about invisible characters inside lines, naming each and the
    first line it is on. They stay in the data: the tokens are what the file says."""
    if all(doc.isprintable() for doc in docs):  # fast (in C), and true of almost every file
        return
    found = sorted(ch for ch in set().union(*docs) if is_invisible(ch))
    if not found:
        return
    first_line = {}
    with open(path, encoding='utf-8-sig') as f:
        for number, line in enumerate(f, 1):
            for ch in found:
                if ch in line:
                    first_line.setdefault(ch, number)
            if len(first_line) == len(found):
                break
    where = ', '.join(f"{char_name(ch)} on line {first_line[ch]}" for ch in found)
    warnings.warn(f"data file {path!r} contains invisible characters: {where}. Each becomes a token "
                  "like any other (samples show it escaped, e.g. \\x00); remove them from the file "
                  "if they are not meant to be part of the documents.", DataWarning, stacklevel=3)


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
                    f"character {ch!r} (position {pos} of {text!r}) is not in the "
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

    def frame(self, doc, block_size=None):
        """A document as the model sees it in training: [BOS] + ids + [BOS]. Given the
        model's block_size, only the block_size + 1 tokens one training step reads, so
        a document of a million characters costs no more than one of ten."""
        if block_size is None:
            return [self.BOS] + self.encode(doc) + [self.BOS]
        return ([self.BOS] + self.encode(doc[:block_size]) + [self.BOS])[:block_size + 1]

    def token_str(self, i):
        """A printable name for one token id (BOS shows as '<BOS>')."""
        return '<BOS>' if i == self.BOS else self.uchars[i]

    def __repr__(self):
        return (f"Tokenizer(vocab_size={self.vocab_size}, "
                f"uchars={''.join(self.uchars)!r}, BOS={self.BOS})")
