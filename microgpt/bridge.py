"""
The bridge between the HTML book's page and the package, run inside Pyodide by
book/_extra/live/worker.js (and by tests/pyodide under node), and in plain CPython by
tests/test_bridge.py.

Every answer is one JSON string, made by Python's json module so that floats cross to
JavaScript exactly as CPython computed them:

    call(fn, kwargs)          {"value": ...}                 one value
    start(sid, fn, kwargs)    {"ok": true}                   begin a stream (a generator)
    step(sid)                 {"value": ...} | {"done": true}  its next item
    stop(sid)                 {"ok": true}                   end it early (between two items)
    any failure               {"error": message, "type": exception class name}

fn is "module.function" and must be one that microgpt.widgets declares (the page
cannot call anything else); kwargs is a JSON object. A reader's own code will come
through here too: the answers keep one shape, whatever runs.
"""

import json

from . import widgets

_streams = {}


class NotJSONError(ValueError):
    """A result the page cannot be sent: it holds inf or NaN (JSON has neither)."""


def _dumps(obj):
    try:
        return json.dumps(obj, allow_nan=False, separators=(',', ':'))
    except ValueError:  # allow_nan=False: say what happened in the reader's words
        raise NotJSONError("the result holds a number too large to show (inf or NaN): "
                           "try smaller inputs.") from None


def _fail(exc):
    return _dumps({'error': str(exc) or type(exc).__name__, 'type': type(exc).__name__})


def _kwargs(kwargs):
    args = json.loads(kwargs) if isinstance(kwargs, str) else dict(kwargs or {})
    if not isinstance(args, dict):
        raise TypeError(f"keyword arguments must be a JSON object, got {type(args).__name__}")
    return args


def call(fn, kwargs='{}'):
    """Call a declared function once; its result, or the exception's message."""
    try:
        return _dumps({'value': widgets.resolve(fn)(**_kwargs(kwargs))})
    except Exception as exc:  # the page shows every failure; none may escape into the worker
        return _fail(exc)


def start(sid, fn, kwargs='{}'):
    """Begin stream sid: call a declared generator function, yielding nothing yet."""
    try:
        _streams[sid] = iter(widgets.resolve(fn)(**_kwargs(kwargs)))
        return _dumps({'ok': True})
    except Exception as exc:
        return _fail(exc)


def step(sid):
    """The next item of stream sid, {"done": true} after the last, or the error."""
    it = _streams.get(sid)
    if it is None:
        return _dumps({'error': f"no stream {sid!r} (it ended or was stopped)", 'type': 'LookupError'})
    try:
        return _dumps({'value': next(it)})
    except StopIteration:
        _streams.pop(sid, None)
        return _dumps({'done': True})
    except Exception as exc:
        _streams.pop(sid, None)
        return _fail(exc)


def stop(sid):
    """End stream sid now (its generator's finally blocks run)."""
    it = _streams.pop(sid, None)
    if it is not None and hasattr(it, 'close'):
        it.close()
    return _dumps({'ok': True})


def streams():
    """The ids of the streams still open."""
    return sorted(_streams)
