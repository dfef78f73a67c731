"""
Autograd: a scalar `Value` that remembers how it was made, so that the chain rule
can run backwards through every computation and fill in `.grad` for each input.

Each operation stores its children (the inputs), its *local* gradients (the
derivative of the output with respect to each input, known the moment the output
is computed) and, as micrograd does, a label of what it was ('+', '*', '**2', 'log',
'exp', 'relu'; '' for a leaf), for the figures that draw the graph. `backward()`
then only has to multiply and add: no operation needs its own backward function.
"""

import gc
import math
from contextlib import contextmanager


class Value:
    # __slots__: less memory per node (one training step makes tens of thousands)
    __slots__ = ('data', 'grad', '_children', '_local_grads', '_op')

    def __init__(self, data, children=(), local_grads=(), op=''):
        self.data = data                 # the scalar, set by the forward pass
        self.grad = 0                    # d(loss)/d(this node), set by backward()
        self._children = children        # the nodes this one was computed from
        self._local_grads = local_grads  # d(this node)/d(child), one per child
        self._op = op                    # which operation made it, '' for a leaf

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1), '+')

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data), '*')

    def __pow__(self, other):  # other is a plain number (a constant exponent)
        return Value(self.data ** other, (self,),
                     (other * self.data ** (other - 1),), f'**{other}')

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number ({self.data!r})")
        return Value(math.log(self.data), (self,), (1 / self.data,), 'log')

    def exp(self):
        return Value(math.exp(self.data), (self,), (math.exp(self.data),), 'exp')

    def relu(self):
        return Value(max(0, self.data), (self,), (float(self.data > 0),), 'relu')

    # Everything else is built from the operations above.
    def __neg__(self): return self * -1
    def __radd__(self, other): return self + other
    def __sub__(self, other): return self + (-other)
    def __rsub__(self, other): return other + (-self)
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * other ** -1
    def __rtruediv__(self, other): return other * self ** -1

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # Read-only views of the graph, for code that walks it (the book's figures)
    children = property(lambda self: self._children)
    local_grads = property(lambda self: self._local_grads)
    op = property(lambda self: self._op)

    def topological_order(self):
        """Every node this one depends on, each listed after all of its children.

        A depth-first search, written with an explicit stack instead of recursion so
        that deep graphs (many layers, long contexts) cannot hit Python's recursion
        limit. It visits nodes in exactly the order the recursive version would.
        """
        topo, visited = [], {self}
        stack = [(self, iter(self._children))]  # (node, children left to visit)
        while stack:
            v, children = stack[-1]
            for child in children:
                if child not in visited:  # go down into the first unvisited child
                    visited.add(child)
                    stack.append((child, iter(child._children)))
                    break
            else:                         # all children done: v takes its place
                stack.pop()
                topo.append(v)
        return topo

    def backward_steps(self):
        """backward(), one node at a time: yields each node once it has passed
        its grad on to its children (chapter 2's step-by-step figures watch
        this happen)."""
        self.grad = 1  # d(self)/d(self)
        for v in reversed(self.topological_order()):
            for child, local_grad in zip(v._children, v._local_grads):
                child.grad += local_grad * v.grad
            yield v

    def backward(self):
        """Fill in .grad of every node this one depends on: chain rule, reversed."""
        for _ in self.backward_steps():  # every step, nothing to watch
            pass


@contextmanager
def graph_building():
    """Pause Python's cycle collector while a graph of Values is built and used.

    A graph of Values has no reference cycles (children never point back at their
    parents), so reference counting alone frees it. The cycle collector, though, runs
    every few hundred new objects and re-scans the tens of thousands of live nodes
    of a training step again and again: about half of the step's time. Pure
    efficiency: no number changes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
