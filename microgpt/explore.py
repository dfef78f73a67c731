"""
Explore: what the book's figures and the browser widgets show, as plain data.

Every function here returns JSON-able dicts and lists of floats and strings, computed
by the package's own code (standard library only, so it runs unchanged in Pyodide in
the reader's browser). The chapters' matplotlib figures draw from the same functions,
so a figure in a chapter and the widget beside it show the same numbers.
"""

import hashlib
import math
import os
import random

from . import list_engine
from .autograd import Value, graph_building
from .checkpoint import load_checkpoint, read_checkpoint
from .contract import run_sequence
from .data import Tokenizer, load_docs
from .errors import InputError, MicroGPTError, quoted, shortened
from .model import softmax
from .pipeline import prepare
from .sample import sample

# The book preset after its 1000 training steps, as the scalar engine's reference run leaves
# it (`python -m microgpt --save microgpt/trained_book.json`; tests/test_golden_scalar.py
# checks that training still produces exactly these weights).
TRAINED_BOOK_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'trained_book.json')


def floats(xs):
    """Plain floats from Values (scalar engine) or array entries (NumPy engine)."""
    return [x.data if isinstance(x, Value) else float(x) for x in xs]


def probs(logits, temperature=1.0):
    """softmax(logits / temperature) with the model's own softmax, as plain floats."""
    return [p.data for p in softmax([Value(z / temperature) for z in floats(logits)])]


def total(xs):
    """The sum of floats added left to right, as the model adds Values. (Python 3.12's
    sum() compensates rounding errors, so a newer Python, such as the browser's, would
    otherwise disagree with 3.11 in the last digit.)"""
    acc = 0.0
    for x in xs:
        acc += x
    return acc


def token_label(tokenizer, token_id):
    """A token as figures and tables show it: its character, or 'BOS'."""
    return 'BOS' if token_id == tokenizer.BOS else tokenizer.uchars[token_id]


def token_labels(tokenizer):
    """Axis labels for the vocabulary: the characters, and 'BOS'."""
    return [token_label(tokenizer, i) for i in range(tokenizer.vocab_size)]


def normalize_name(text):
    """A name as the book's model knows names: the dataset's names are lower-case, so a
    typed name is stripped and lower-cased ('Emma ' is 'emma'). The widgets that take a
    name (chapter 4's attention, chapter 6's score) both read the box through this; the
    tokens widget does not (it shows the tokens of exactly the text typed)."""
    return text.strip().lower()


def number(value, box):
    """A number the reader typed into the box named box ('a', 'b', ...), as a float; an
    InputError that names the box and says what is wrong for anything else (empty, not a
    number, nan, inf)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise InputError(f"{box} is empty: type a number, such as 2 or -0.5.")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{box} = {quoted(text)} is not a number: type one such as 2, -0.5 or 1e-3.") from None
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"{box} = {value} is not a finite number: type one such as 2, -0.5 or 1e-3.")
    return value


def number_text(x):
    """A number as the figures and tables print it: 6 significant digits, no '-0'."""
    s = f'{x:.6g}'
    return '0' if s == '-0' else s


# The book's one convention for loss curves: each step's loss is noisy, so the chapters and
# the training widget draw the trailing mean of the last LOSS_WINDOW steps, and only from
# step LOSS_WINDOW on, where the window is full (microgpt.viz's smoothed() draws this too).
LOSS_WINDOW = 50


def trailing_means(xs, window=LOSS_WINDOW):
    """The mean of each full window of window consecutive values: element k is the mean of
    xs[k : k + window], so it belongs to step k + window (1-based). Computed from running
    sums, added left to right as numpy.cumsum adds them, so the figures' NumPy arrays and
    the widget's stream hold the same floats."""
    sums = [0.0]
    for x in xs:
        sums.append(sums[-1] + x)
    return [(sums[i] - sums[i - window]) / window for i in range(window, len(sums))]


def moving_average_label(window=LOSS_WINDOW):
    """The legend text that goes with trailing_means()."""
    return f'moving average (last {window} steps)'


_cache = {}


def book_tokenizer():
    """The tokenizer of the book's names (built once)."""
    if 'tokenizer' not in _cache:
        _cache['tokenizer'] = Tokenizer(load_docs())
    return _cache['tokenizer']


BOOK_MODELS = ('untrained', 'trained')


def book_model(which='trained'):
    """The book preset's model: 'untrained' (the initial weights, seed 42) or 'trained'
    (the shipped weights after 1000 steps). Scalar engine, built once."""
    if which not in BOOK_MODELS:
        raise MicroGPTError(f"model must be 'trained' or 'untrained', got {which!r}.")
    if which not in _cache:
        if which == 'trained':
            _cache[which] = load_checkpoint(TRAINED_BOOK_PATH)[0]
        else:
            _cache[which] = prepare('book').model
    return _cache[which]


def readers_model(checkpoint):
    """The model of a checkpoint's JSON text (the reader's own, trained in the page or saved by
    --save) on the list engine (the scalar engine's numbers, faster), and its tokenizer; the
    last two are kept, so that a widget that sends the same text again does not parse it again."""
    if not isinstance(checkpoint, str):
        raise InputError("checkpoint must be the text of a checkpoint (a .json file saved by the page or by --save).")
    key = ('checkpoint', hashlib.sha256(checkpoint.encode('utf-8', 'surrogatepass')).hexdigest())
    if key not in _cache:
        model, tokenizer, _ = read_checkpoint(checkpoint, 'your model')
        for old in [k for k in _cache if isinstance(k, tuple)][:-1]:  # keep the newest one besides this
            del _cache[old]
        _cache[key] = list_engine.GPT.from_scalar(model), tokenizer
    return _cache[key]


def chosen_model(checkpoint=None):
    """(model, tokenizer, sampler, read_name) of the book's trained model (checkpoint None)
    or of the reader's checkpoint: a name typed for the book's model is read by
    normalize_name (its names are lower-case); for the reader's, only stripped."""
    if checkpoint is None:
        return book_model('trained'), book_tokenizer(), sample, normalize_name
    model, tokenizer = readers_model(checkpoint)
    return model, tokenizer, list_engine.sample, str.strip


# ----------------------------------------------------------------------------- ch. 3: softmax

def softmax_state(logits=(2.0, 1.0, 0.1), temperature=1.0, labels=None):
    """The softmax of some logits at a temperature: what the chapter 3 slider shows."""
    logits = [float(z) for z in logits]
    labels = [str(i) for i in range(len(logits))] if labels is None else [str(s) for s in labels]
    return {'labels': labels, 'logits': logits, 'probs': probs(logits, temperature),
            'temperature': temperature}


def show_vec(name, vec, digits=3, per_line=8):
    """Print a vector (Values or floats) with a fixed number of decimals, per_line numbers
    to a line so that it fits the width of a book page."""
    xs = floats(vec)
    for i in range(0, len(xs), per_line):
        label = name if i == 0 else ''
        print(f"{label:<12s}" + ' '.join(f'{x:+.{digits}f}' for x in xs[i:i + per_line]))


def rms(vec):
    """The root mean square of a vector (Values or floats), sqrt(mean(x^2)), added left to
    right (see total)."""
    xs = floats(vec)
    return math.sqrt(total(x * x for x in xs) / len(xs))


# ----------------------------------------------------------------------------- ch. 5: training

def training_progress(num_steps=1000, sample_every=100, num_preview=5, preset='book', temperature=0.5,
                      preview_seed=0, window=LOSS_WINDOW):
    """Train the scalar engine exactly as the reference program does (same random stream, so
    the same losses every step) and yield per step {'step', 'num_steps', 'loss', 'lr',
    'line': the reference program's log line, 'average_label'}; from step window on also
    'average': the book's moving average of the loss (trailing_means) at this step.
    Every sample_every steps (and after the last) the item also has 'samples': num_preview
    names drawn from a SEPARATE random stream, so peeking at the model never changes how
    it trains (sampling reads the weights and nothing else)."""
    run = prepare(preset)
    preview_rng = random.Random(preview_seed)
    sums = [0.0]  # running sums of the losses, as trailing_means() adds them
    for info in run.training_steps(num_steps):
        sums.append(sums[-1] + info.loss)
        item = {'step': info.step, 'num_steps': info.num_steps, 'loss': info.loss, 'lr': info.lr,
                'line': str(info), 'average_label': moving_average_label(window)}
        if info.step >= window:
            item['average'] = (sums[-1] - sums[-1 - window]) / window
        if sample_every and (info.step % sample_every == 0 or info.step == info.num_steps):
            item['samples'] = [sample(run.model, run.tokenizer, preview_rng, temperature)
                               for _ in range(num_preview)]
        yield item


# ----------------------------------------------------------------------------- ch. 1: tokens

def framed_tokens(tokenizer, text):
    """The tokens of text as the model reads it ([BOS] + characters + [BOS]), or the
    tokenizer's own error message for a character outside the vocabulary."""
    try:
        ids = tokenizer.frame(text)
    except MicroGPTError as e:
        return {'text': text, 'error': f'{type(e).__name__}: {e}', 'tokens': [], 'ids': []}
    return {'text': text, 'error': None, 'ids': ids, 'decoded': tokenizer.decode(ids),
            'tokens': [{'text': token_label(tokenizer, i), 'id': i} for i in ids]}


SHOWN_TOKENS = 100  # a 100,000-character paste is drawn as its first 100 tokens (and counted exactly)


def tokens_state(text='microgpt'):
    """Chapter 1's token box: framed_tokens() of text with the book's tokenizer, taken
    exactly as typed (no normalize_name: 'Emma' shows that 'E' is no token). 'count' is
    the number of tokens; 'ids' and 'tokens' are the first SHOWN_TOKENS of them, 'more'
    says how many are not shown (None when all are), and 'summary' is the line under them."""
    framed = framed_tokens(book_tokenizer(), text)
    if framed['error']:
        return {'error': framed['error'], 'count': 0, 'tokens': [], 'ids': [], 'more': None, 'summary': ''}
    ids, decoded = framed['ids'], framed['decoded']
    shown, hidden = ids[:SHOWN_TOKENS], len(ids) - SHOWN_TOKENS
    listed = ', '.join(map(str, shown)) + (', …' if hidden > 0 else '')
    return {'error': None, 'count': len(ids), 'ids': shown, 'decoded': shortened(decoded),
            'tokens': framed['tokens'][:SHOWN_TOKENS],
            'more': f'… and {hidden:,} more tokens' if hidden > 0 else None,
            'summary': f'{len(ids):,} tokens: [{listed}]; decode(tokens) = {quoted(decoded)}'}


def print_training_pairs(tokenizer, doc, block_size):
    """Print the (input -> target) pairs one document yields in training: at position t the
    model has seen tokens 0..t and must predict token t + 1. Pairs past block_size are
    listed as cut (the training loop never computes them)."""
    tokens = tokenizer.frame(doc)
    label = [token_label(tokenizer, t) for t in tokens]
    context = [' '.join(label[:t + 1]) for t in range(len(tokens) - 1)]
    width = max(len('context (tokens seen so far)'), *(len(c) for c in context))
    print(f'{doc!r} framed: {tokens}')
    print(f"{'pos':>3}  {'input':>9}  ->  {'target':<9}  {'context (tokens seen so far)':<{width}}")
    for t in range(len(tokens) - 1):
        x, y = tokens[t], tokens[t + 1]
        note = ('cut: past block_size' if t >= block_size
                else 'the end: predict "stop"' if y == tokenizer.BOS else '')
        print(f"{t:>3}  {label[t]:>4} ({x:>2})  ->  {label[t + 1]:<4} ({y:>2})  "
              f"{context[t]:<{width}}  {note}".rstrip())


# ----------------------------------------------------------------------------- ch. 2: backward

def expression(a=2.0, b=-3.0, c=10.0):
    """Chapter 2's expression L = -log(a*b + c) on fresh leaves; returns L and the
    names of the nodes worth naming."""
    a, b, c = Value(a), Value(b), Value(c)
    L = -(a * b + c).log()
    return L, {a: 'a', b: 'b', c: 'c', L: 'L'}


def op_name(v):
    """The operation that made v, as v recorded it ('+', '*', '**2', 'log', 'exp', 'relu'),
    or None for a leaf."""
    return v.op or None


def backward_steps(root):
    """Value.backward() one node at a time (Value.backward_steps), recording every node's
    grad after each step, then putting every .grad back as it was. Returns a list of frames
    (node processed, {node: grad so far}); frame 0 is the seed d(root)/d(root) = 1."""
    topo = root.topological_order()
    saved = [v.grad for v in topo]
    try:
        for v in topo:
            v.grad = 0
        frames = [(None, {v: 1 if v is root else 0 for v in topo})]  # backward_steps starts with root.grad = 1
        for node in root.backward_steps():
            frames.append((node, {v: v.grad for v in topo}))
    finally:
        for v, grad in zip(topo, saved):
            v.grad = grad
    return frames


def graph_layout(root):
    """Layered layout: x = how many operations separate a node from the output
    (output on the right), y spread within each layer, ordered to follow the parents."""
    topo = root.topological_order()
    dist = {root: 0}
    for v in reversed(topo):  # parents before children
        for c in v.children:
            dist[c] = max(dist.get(c, 0), dist[v] + 1)
    far = max(dist.values())
    layers = {}
    for v in topo:  # within a layer, ties keep the order in which the graph was built
        layers.setdefault(dist[v], []).append(v)
    pos = {}
    for d in sorted(layers):
        nodes = layers[d]
        if d > 0:  # order by the mean height of the parents already placed
            def key(v, _d=d):
                ys = [pos[p][1] for p in topo if p in pos and any(c is v for c in p.children)]
                return -(sum(ys) / len(ys)) if ys else 0
            nodes.sort(key=key)
        n = len(nodes)
        for i, v in enumerate(nodes):
            pos[v] = (far - d, (n - 1) / 2 - i)
    return pos


def node_label(v, names):
    """A node's name, or the operation that made it, or 'const' for an unnamed leaf
    ('op' for a node made by code that records no label)."""
    return names.get(v) or op_name(v) or ('op' if v.children else 'const')


def step_title(i, node, names):
    """What step i of backward() does (node: the one processed, None for the seed)."""
    if node is None:
        return 'step 0: backward() seeds L.grad = 1'
    label = node_label(node, names)
    if not node.children:
        return f'step {i}: {label} is a leaf, nothing to pass on'
    return f'step {i}: {label} passes grad to its children'


def backward_state(a=2.0, b=-3.0, c=10.0):
    """Chapter 2's expression, its graph (nodes in topological order, with layout), and
    every step of backward(): which node is processed and every node's grad after it.
    a, b, c may be numbers or the text of the widget's boxes (see number()); every number
    also comes as text (number_text), as the figure prints it."""
    a, b, c = number(a, 'a'), number(b, 'b'), number(c, 'c')
    if not math.isfinite(a * b):
        raise InputError(f"a*b = {a:g} * {b:g} is too large for a float: choose smaller a and b "
                         f"(|a*b| below 1e308).")
    if not math.isfinite(a * b + c):
        raise InputError(f"a*b + c = {a * b:g} + {c:g} is too large for a float: choose a smaller c.")
    if not a * b + c > 0:
        raise InputError(f"a*b + c = {a * b + c:g} has no logarithm: choose a, b, c with a*b + c > 0 "
                         f"(e.g. c = {abs(a * b) + 1:g}).")
    root, names = expression(a, b, c)
    topo = root.topological_order()
    index = {v: i for i, v in enumerate(topo)}
    pos = graph_layout(root)
    nodes = [{'id': i, 'label': node_label(v, names), 'name': names.get(v), 'op': op_name(v),
              'data': v.data, 'x': pos[v][0], 'y': pos[v][1],
              'children': [index[ch] for ch in v.children],
              'local_grads': [float(g) for g in v.local_grads]}
             for i, v in enumerate(topo)]
    steps = [{'step': i, 'node': None if node is None else index[node],
              'title': step_title(i, node, names),
              'grads': [float(grads[v]) for v in topo]}
             for i, (node, grads) in enumerate(backward_steps(root))]
    if not all(math.isfinite(x) for n in nodes for x in [n['data']] + n['local_grads']) or \
            not all(math.isfinite(g) for s in steps for g in s['grads']):
        raise InputError(f"a*b + c = {a * b + c:g} is too close to 0: d log(x)/dx = 1/x is too large for a "
                         f"float; choose a, b, c with a*b + c nearer 1.")
    for n in nodes:
        n['data_text'] = number_text(n['data'])
        n['local_grads_text'] = [number_text(g) for g in n['local_grads']]
    for s in steps:
        s['grads_text'] = [number_text(g) for g in s['grads']]
    return {'inputs': {'a': a, 'b': b, 'c': c}, 'nodes': nodes, 'order': [n['label'] for n in nodes],
            'steps': steps}


# ----------------------------------------------------------------------------- ch. 4: attention

@graph_building()  # pure efficiency, as in sample()
def kv_steps(model, tokenizer, text):
    """Feed [BOS] + text through model.gpt(), one position at a time, with one
    KV cache (either engine's model). Returns one dict per position:
    pos, token (the input id), cache (the ids whose keys and values the cache
    holds after this step), attn (per head, the weights over those positions),
    logits, probs (their softmax), and next (the true next token: the next
    character, or BOS after the last one). Text is cut to fit block_size."""
    framed = tokenizer.frame(text)             # [BOS] + ids + [BOS]
    framed = framed[:model.config.block_size + 1]  # at most block_size inputs
    tokens, targets = framed[:-1], framed[1:]
    steps = []
    for pos, (token_id, next_id, trace) in enumerate(zip(tokens, targets, run_sequence(model, tokens))):
        attn = [trace['attn_weights', 0, h]
                for h in range(model.config.n_head)]  # layer 0, every head
        steps.append({'pos': pos, 'token': token_id, 'next': next_id,
                      'cache': tokens[:pos + 1], 'keys_stored': pos + 1,
                      'attn': attn, 'logits': trace['logits'],
                      'probs': probs(trace['logits'])})  # temperature 1
    return steps


def attention_state(name='olivia', model='trained'):
    """Chapter 4's step-through for a name: per position, the KV cache, each head's
    attention weights over it and the next-token distribution (book preset, 'trained'
    or 'untrained'; 'models' lists both). The name is read by normalize_name; a character
    outside the vocabulary gives 'error'."""
    tokenizer, gpt = book_tokenizer(), book_model(model)
    name = normalize_name(name)
    out = {'name': shortened(name), 'model': model, 'models': list(BOOK_MODELS), 'block_size': gpt.config.block_size,
           'n_head': gpt.config.n_head, 'labels': token_labels(tokenizer), 'error': None, 'steps': []}
    try:
        steps = kv_steps(gpt, tokenizer, name)
    except MicroGPTError as e:
        out['error'] = f'{type(e).__name__}: {e}'
        return out
    label = token_labels(tokenizer)
    out['steps'] = [{'pos': s['pos'], 'token': label[s['token']], 'next': label[s['next']],
                     'next_id': s['next'], 'cache': [label[t] for t in s['cache']],
                     'attn': [floats(a) for a in s['attn']], 'probs': s['probs']}
                    for s in steps]
    return out


# ----------------------------------------------------------------------------- ch. 6: inference

@graph_building()  # pure efficiency, as in sample()
def next_token_probs(model, tokenizer, temperature=1.0, prefix=''):
    """The model's next-token distribution after [BOS] + prefix, at a temperature."""
    tokens = [tokenizer.BOS] + tokenizer.encode(prefix)
    return probs(run_sequence(model, tokens)[-1]['logits'], temperature)


def entropy(ps):
    """Entropy in nats: how spread out a distribution is (ln 27 for uniform over 27)."""
    return -total(p * math.log(p) for p in ps if p > 0)


def sample_names(model, tokenizer, temperature, n=8, seed=None, draw=sample):
    """n names at one temperature, from a stream seeded by the temperature itself (so the
    same temperature always gives the same names). draw: the sampler of model's engine
    (default: the scalar engine's sample)."""
    rng = random.Random(round(1000 * temperature) if seed is None else seed)
    return [draw(model, tokenizer, rng, temperature) for _ in range(n)]


def temperature_state(temperature=0.5, n_names=8, checkpoint=None):
    """Chapter 6's temperature slider: the trained model's distribution of the first
    letter (after BOS) at this temperature, its entropy, and n_names sampled names.
    checkpoint: None for the book's model, or the text of the reader's (see chosen_model)."""
    gpt, tokenizer, draw, _ = chosen_model(checkpoint)
    temperature = float(temperature)
    ps = next_token_probs(gpt, tokenizer, temperature)
    H = entropy(ps)
    return {'temperature': temperature, 'labels': token_labels(tokenizer), 'probs': ps,
            'entropy': H, 'perplexity': math.exp(H), 'top': max(range(len(ps)), key=ps.__getitem__),
            'names': sample_names(gpt, tokenizer, temperature, n_names, draw=draw)}


@graph_building()  # pure efficiency, as in sample()
def score(model, tokenizer, name):
    """How surprised the model is by a name: the mean of -log p over its
    predictions (each character, then the closing BOS), only the first block_size
    of them, exactly as the training loss (bit for bit: see doc_loss). Returns
    (mean, rows) with rows (pos, input, target, p, -log p), tokens labeled as the
    figures do."""
    tokens = tokenizer.frame(name)        # TokenizerError for unknown characters
    n = min(model.config.block_size, len(tokens) - 1)
    label = token_labels(tokenizer)       # 'a' ... 'z', 'BOS'
    rows = []
    for pos, trace in enumerate(run_sequence(model, tokens[:n])):
        target = tokens[pos + 1]
        p = probs(trace['logits'])[target]
        rows.append((pos, label[tokens[pos]], label[target], p, -math.log(p)))
    return (1 / n) * total(r[-1] for r in rows), rows


def score_state(name='andrej', checkpoint=None):
    """Chapter 6's 'how likely is this name': -log p of every letter (and the closing
    BOS) under the trained model, their mean, and the uniform guess ln(vocab_size).
    The name is read by normalize_name, as chapter 4's attention widget reads it.
    checkpoint: None for the book's model, or the text of the reader's (see chosen_model)."""
    gpt, tokenizer, _, read_name = chosen_model(checkpoint)
    name = read_name(name)
    out = {'name': shortened(name), 'uniform': math.log(tokenizer.vocab_size), 'error': None, 'rows': [], 'mean': None}
    try:
        mean, rows = score(gpt, tokenizer, name)
    except MicroGPTError as e:
        out['error'] = f'{type(e).__name__}: {e}'
        return out
    out['mean'] = mean
    out['perplexity'] = math.exp(mean)
    out['rows'] = [{'pos': pos, 'input': a.strip('<>'), 'target': b.strip('<>'), 'p': p, 'nll': nll}
                   for pos, a, b, p, nll in rows]
    return out
