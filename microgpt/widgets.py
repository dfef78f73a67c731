"""
The HTML book's live widgets, declared once: for each kind of widget, the package
functions it calls, their default arguments, and whether a call returns one value or
streams a sequence of them.

Everything else reads this declaration:
  - the build (book/_ext/microgpt_live.py) checks each chapter's <div class="mg-live"
    data-widget="KIND" data-args='{...}'> against it, computes the widget's first state
    with the "state" call, and embeds spec() in the page;
  - the page (book/_extra/live/runtime.js) hands that spec to the widget's JavaScript,
    which names only its calls ("state", "train", ...), never a Python function or default;
  - the browser's bridge (microgpt.bridge) calls only functions named here (resolve()).

Standard library only: this module runs in the reader's browser too.
"""

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    """One call a widget makes: fn is "module.function" inside the microgpt package; args
    are its default keyword arguments, the complete set that the page may pass; stream:
    fn returns an iterator and the page receives its items one by one."""
    fn: str
    args: dict = field(default_factory=dict)
    stream: bool = False


@dataclass(frozen=True)
class Widget:
    kind: str                 # the div's data-widget and book/_extra/live/widgets/KIND.js
    calls: dict               # call name -> Call; "state" (if any) paints the widget at build time
    about: str = ''

    def __post_init__(self):
        for name, call in self.calls.items():
            if not isinstance(call, Call):
                raise TypeError(f"widget {self.kind!r}: call {name!r} must be a Call")


WIDGETS = {w.kind: w for w in [
    Widget('tokens', {
        'state': Call('explore.tokens_state', {'text': 'microgpt'}),
    }, "ch. 1: the tokens of any text"),
    Widget('backward', {
        'state': Call('explore.backward_state', {'a': 2.0, 'b': -3.0, 'c': 10.0}),
    }, "ch. 2: step through backward() on L = -log(a*b + c)"),
    Widget('softmax', {
        'state': Call('explore.softmax_state', {'logits': [2.0, 1.0, 0.1], 'temperature': 1.0,
                                                'labels': None}),
    }, "ch. 3: softmax at a temperature"),
    Widget('attention', {
        'state': Call('explore.attention_state', {'name': 'olivia', 'model': 'trained'}),
    }, "ch. 4: attention, position by position, through the KV cache"),
    Widget('training', {
        'train': Call('explore.training_progress', {'num_steps': 1000, 'sample_every': 100,
                                                    'num_preview': 5}, stream=True),
    }, "ch. 5: train microgpt in the page"),
    Widget('temperature', {
        'state': Call('explore.temperature_state', {'temperature': 0.5, 'n_names': 8, 'checkpoint': None}),
    }, "ch. 6: the first letter's distribution and sampled names at a temperature (the book's model or yours)"),
    Widget('score', {
        'state': Call('explore.score_state', {'name': 'andrej', 'checkpoint': None}),
    }, "ch. 6: how likely the model finds a name, letter by letter (the book's model or yours)"),
    Widget('trainer', {
        'state': Call('playground.trainer_state', {'data': None, 'settings': None}),
        'train': Call('playground.training_run', {'data': None, 'settings': None, 'preview_every': 100,
                                           'num_preview': 5}, stream=True),
        'checkpoint': Call('playground.open_checkpoint', {'data': None, 'checkpoint': None, 'settings': None}),
        'share': Call('playground.run_file', {'data': None, 'settings': None}),
        'restore': Call('playground.open_run', {'text': None, 'source': 'the link'}),
    }, "your data: train microgpt on any list, share the run, take the model"),
]}


class WidgetError(LookupError):
    """A widget, call or argument that the declaration does not have."""


def widget(kind):
    try:
        return WIDGETS[kind]
    except KeyError:
        raise WidgetError(f"no live widget {kind!r}; declared: {', '.join(sorted(WIDGETS))} "
                          f"(microgpt/widgets.py)") from None


def spec(kind, overrides=None):
    """The resolved declaration of one widget on one page, as JSON-able data:
    {"kind", "calls": {name: {"fn", "args", "stream"}}}. overrides (the div's data-args)
    replace the declared default of every call that declares that key."""
    w = widget(kind)
    overrides = dict(overrides or {})
    declared = {key for call in w.calls.values() for key in call.args}
    unknown = sorted(set(overrides) - declared)
    if unknown:
        raise WidgetError(f"widget {kind!r} has no argument {', '.join(map(repr, unknown))}; "
                          f"its calls take: {', '.join(sorted(declared)) or 'nothing'}")
    calls = {}
    for name, call in w.calls.items():
        args = {k: overrides.get(k, v) for k, v in call.args.items()}
        calls[name] = {'fn': call.fn, 'args': args, 'stream': call.stream}
    return {'kind': kind, 'calls': calls}


def callable_names():
    """Every function some widget may call, as "module.function"."""
    return sorted({call.fn for w in WIDGETS.values() for call in w.calls.values()})


def resolve(fn):
    """The function named "module.function", only if a declaration names it: the page and
    the build can call nothing else in the package."""
    if fn not in callable_names():
        raise WidgetError(f"{fn!r} is not a live-widget call (declared: {', '.join(callable_names())})")
    module, _, name = fn.rpartition('.')
    return getattr(importlib.import_module(f'{__package__}.{module}'), name)


def first_state(kind, overrides=None):
    """What the build embeds for the first paint: the "state" call's result, or None."""
    s = spec(kind, overrides)
    call = s['calls'].get('state')
    if call is None:
        return None
    return resolve(call['fn'])(**call['args'])
