"""
Gradcheck: is autograd right, and how big is its graph? (chapter 2; standard library only,
so the chapter's tables and checks run in the HTML page's Python too.)

    primitive_table(a, b)   each primitive operation's forward value and the _local_grads it stores
    derived_table(a, b)     the derived operations (-, /, 3 - a, ...): backward() next to the formula
    central_difference(f, x, h)    the slope of f at x from two nearby points
    gradient_check(a, b, h) every operation's gradient against the central difference
    depth(root), graph_stats(root, params)    how deep and how big a computation graph is

Everything reads the package's own `microgpt.Value` objects (data, grad, children,
local_grads, op); nothing re-implements the engine.
"""

from .autograd import Value

# ----------------------------------------------------------------------------- the operations

# (python source, function of (a, b), built from, d/da formula, d/db formula or None).
# The six primitives store their own local gradients; the seven derived operations are
# built from them, so their gradients come out of backward() through the primitives.
PRIMITIVES = [
    ('a + b',     lambda a, b: a + b,     '1, 1'),
    ('a * b',     lambda a, b: a * b,     'b, a'),
    ('a ** 3',    lambda a, b: a ** 3,    '3 a^2'),
    ('a.log()',   lambda a, b: a.log(),   '1 / a'),
    ('a.exp()',   lambda a, b: a.exp(),   'exp(a)'),
    ('a.relu()',  lambda a, b: a.relu(),  '1 if a > 0 else 0'),
    ('b.relu()',  lambda a, b: b.relu(),  '1 if b > 0 else 0'),
]

DERIVED = [  # python, function, how Value builds it, d/da, d/db (as functions of the floats)
    ('-a',     lambda a, b: -a,     'a * -1',         lambda a, b: -1.0,       None),
    ('a - b',  lambda a, b: a - b,  'a + (b * -1)',   lambda a, b: 1.0,        lambda a, b: -1.0),
    ('a / b',  lambda a, b: a / b,  'a * b**-1',      lambda a, b: 1 / b,      lambda a, b: -a / b ** 2),
    ('3 + a',  lambda a, b: 3 + a,  'a + 3',          lambda a, b: 1.0,        None),
    ('3 - a',  lambda a, b: 3 - a,  '3 + (a * -1)',   lambda a, b: -1.0,       None),
    ('3 * a',  lambda a, b: 3 * a,  'a * 3',          lambda a, b: 3.0,        None),
    ('3 / a',  lambda a, b: 3 / a,  '3 * a**-1',      lambda a, b: -3 / a ** 2, None),
]

# Every operation Value supports, for the finite-difference check: (name, python, function).
ALL_OPS = [
    ('add', 'a + b', lambda a, b: a + b), ('mul', 'a * b', lambda a, b: a * b),
    ('pow', 'a ** 3', lambda a, b: a ** 3), ('log', 'a.log()', lambda a, b: a.log()),
    ('exp', 'a.exp()', lambda a, b: a.exp()), ('relu', 'a.relu()', lambda a, b: a.relu()),
    ('neg', '-a', lambda a, b: -a), ('sub', 'a - b', lambda a, b: a - b),
    ('truediv', 'a / b', lambda a, b: a / b), ('radd', '3 + a', lambda a, b: 3 + a),
    ('rsub', '3 - a', lambda a, b: 3 - a), ('rmul', '3 * a', lambda a, b: 3 * a),
    ('rtruediv', '3 / a', lambda a, b: 3 / a),
]


def _g(x):
    """A number for a table: 6 significant digits, no '-0'."""
    s = f'{x:.6g}'
    return '0' if s == '-0' else s


def primitive_table(a=2.0, b=-3.0):
    """Print, for each primitive operation on the Values a and b, the forward value and the
    local gradients the result node stores (read from its local_grads)."""
    print(f'a = {_g(a)}, b = {_g(b)}\n')
    print(f"{'operation':<10} {'forward':>9}   {'children':<9} {'_local_grads':<20} formula")
    for python, f, formula in PRIMITIVES:
        va, vb = Value(a), Value(b)
        out = f(va, vb)
        children = ', '.join('a' if c is va else 'b' if c is vb else 'const' for c in out.children)
        local = ', '.join(_g(g) for g in out.local_grads)
        print(f'{python:<10} {_g(out.data):>9}   {children:<9} {local:<20} {formula}')


def derived_table(a=2.0, b=-3.0):
    """Print, for each derived operation, how Value builds it from primitives and the
    gradients backward() finds for a and b, next to the textbook formula's value."""
    print(f'a = {_g(a)}, b = {_g(b)}\n')
    print(f"{'operation':<10} {'built as':<14} {'forward':>9}   {'d/da':>9} {'(formula)':>9}"
          f"   {'d/db':>9} {'(formula)':>9}")
    for python, f, built, da, db in DERIVED:
        va, vb = Value(a), Value(b)
        out = f(va, vb)
        out.backward()
        row = f'{python:<10} {built:<14} {_g(out.data):>9}   {_g(va.grad):>9} {_g(da(a, b)):>9}'
        if db is not None:
            row += f'   {_g(vb.grad):>9} {_g(db(a, b)):>9}'
        print(row)


# ----------------------------------------------------------------------------- finite differences

def central_difference(f, x, h=1e-6):
    """The slope of f at x, estimated from two nearby points:
    (f(x + h) - f(x - h)) / 2h. Its error shrinks like h**2 (the h**1 terms of the
    Taylor series cancel)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def forward_difference(f, x, h=1e-6):
    """The one-sided slope (f(x + h) - f(x)) / h, whose error shrinks only like h."""
    return (f(x + h) - f(x)) / h


def analytic_grads(op, a, b):
    """(d out/da, d out/db) of op(Value(a), Value(b)) from the package's backward()."""
    va, vb = Value(a), Value(b)
    out = op(va, vb)
    out.backward()
    return va.grad, vb.grad


def gradient_check(a=1.5, b=-0.8, h=1e-6, tol=1e-6):
    """For every operation and every Value input it uses, print the gradient from backward()
    next to the central-difference estimate, and whether they agree to within tol
    (relative to the gradient's size). Returns the number of checks that failed."""
    print(f'a = {_g(a)}, b = {_g(b)}, h = {h:g}\n')
    print(f"{'op':<9} {'python':<8} {'input':<5} {'backward()':>12} {'numerical':>12}  agree")
    failed = 0
    for name, python, op in ALL_OPS:
        ga, gb = analytic_grads(op, a, b)
        for var, analytic in (('a', ga), ('b', gb)):
            if var not in python:
                continue  # this operation does not use b
            if var == 'a':
                numerical = central_difference(lambda x, op=op: op(Value(x), Value(b)).data, a, h)
            else:
                numerical = central_difference(lambda x, op=op: op(Value(a), Value(x)).data, b, h)
            ok = abs(analytic - numerical) <= tol * max(1.0, abs(analytic))
            failed += not ok
            print(f'{name:<9} {python:<8} {var:<5} {analytic:>12.6f} {numerical:>12.6f}  {"yes" if ok else "NO"}')
    return failed


# ----------------------------------------------------------------------------- graph structure

def depth(root, topo=None):
    """The longest chain of operations from any leaf to root (leaves have depth 1)."""
    d = {}
    for v in topo or root.topological_order():  # children come before their parents
        d[v] = 1 + max((d[c] for c in v.children), default=0)
    return d[root]


def graph_stats(root, params=()):
    """Count the nodes of root's graph: parameters (leaves in params), constants (other
    leaves: plain numbers wrapped on the fly), intermediates (results of operations),
    and its depth (the longest chain of operations)."""
    params = set(params)
    topo = root.topological_order()
    n_params = sum(v in params for v in topo)
    n_leaves = sum(not v.children for v in topo)
    return {'total': len(topo), 'parameters': n_params, 'constants': n_leaves - n_params,
            'intermediates': len(topo) - n_leaves, 'depth': depth(root, topo)}
