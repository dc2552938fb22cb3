"""A ``torch.nn.Module`` read as a symcnn network, by ``torch.fx`` symbolic tracing.

The trace records every module call and functional call of ``forward`` without
running it on data and without reading a weight. Each recorded node is looked up
in one of three tables (modules by class, functions by identity, tensor methods
by name); a rule turns the node into a symcnn layer, or passes its input through.
A node no table knows is collected, never skipped: the import fails with the
list of all of them, each with its module path and the line of torch source.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx, nn

from symcnn.cnn.graph import INPUT, Node, build_graph
from symcnn.cnn.layer import Layer
from symcnn.cnn.layers import Flatten
from symcnn.cnn.network import Network, build_network
from symcnn.errors import LayerError, SymcnnError
from symcnn.files.spec import read_shape
from symcnn.torch_bridge.rules import FUNCTION_RULES, METHOD_RULES, MODULE_RULES, PASS, Call, Signature, Unsupported


@dataclass(frozen=True)
class Imported:
    """One traced node as symcnn sees it: a named layer applied to the named inputs."""

    name: str
    layer: Layer
    inputs: tuple[str, ...]
    where: str
    features: int | None = None  # a view(-1, n) promises n features: checked after the analysis




# ------------------------------------------------------------------ where a node comes from

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in \S+\n\s*(?P<code>[^\n]*)')


def source_line(node: fx.Node) -> str:
    """``file.py:12: x = self.conv(x)``: the innermost frame of the model's own code."""
    frames = [m for m in _FRAME.finditer(node.stack_trace or "") if "/torch/" not in m["file"]]
    if not frames:
        return "source line unknown"
    last = frames[-1]
    return f"{last['file']}:{last['line']}: {last['code'].strip()}"


def module_path(node: fx.Node) -> str:
    """The dotted path of the module the node calls, or of the module whose forward makes the call."""
    if node.op == "call_module":
        return str(node.target)
    stack = node.meta.get("nn_module_stack") or {}
    path = list(stack.values())[-1][0] if stack else ""
    return path or "(the model's own forward)"


def _describe(node: fx.Node, root: nn.Module) -> str:
    """What the node calls, as a user wrote it."""
    if node.op == "call_module":
        return f"{type(root.get_submodule(str(node.target))).__name__} module"
    if node.op == "call_method":
        return f"tensor method .{node.target}()"
    if node.op == "get_attr":
        return f"parameter or buffer {node.target} used directly"
    target = node.target
    module = getattr(target, "__module__", None) or "torch"
    return f"function {module}.{getattr(target, '__name__', target)}"


# ------------------------------------------------------------------ the walk


class _Tracer(fx.Tracer):
    """torch's tracer, with symcnn's own join modules (of ``to_torch``) read as one node each."""

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return _is_join_module(m) or super().is_leaf_module(m, module_qualified_name)


def trace(module: nn.Module) -> fx.Graph:
    """The fx graph of ``module``, with source lines recorded.

    Raises:
        SymcnnError: torch.fx cannot trace the model (data-dependent control flow).
    """
    tracer = _Tracer()
    tracer.record_stack_traces = True
    try:
        return tracer.trace(module)
    except Exception as error:  # fx raises TraceError, TypeError, RuntimeError... from user code
        detail = " ".join(str(error).split())
        raise SymcnnError(
            f"{type(module).__name__}: torch.fx cannot trace this model ({type(error).__name__}: {detail}); "
            f"symcnn reads the model without running it, so forward() must not branch or loop on a tensor's "
            f"values or sizes. Work around it: decide such branches from constructor arguments, move the "
            f"data-dependent part into a submodule and import the parts apart, or import a variant without it"
        ) from None


def _bind(call_args: Sequence[Any], kwargs: dict[str, Any], signature: Signature) -> tuple[list[Any], dict]:
    """Leading tensor arguments, and the rest by parameter name."""
    tensors = list(call_args[: signature.tensors])
    arguments = dict(zip(signature.names, call_args[max(signature.tensors, 1):]))
    arguments.update({k: v for k, v in kwargs.items() if k not in ("input",)})
    if "input" in kwargs:
        tensors.insert(0, kwargs["input"])
    if len(call_args) - max(signature.tensors, 1) > len(signature.names):
        raise Unsupported(f"{len(call_args)} positional arguments, more than symcnn reads")
    return tensors, arguments


def _is_join_module(module: nn.Module) -> bool:
    """symcnn's own join module (torch_export imports torch, so it is matched by name, not imported here)."""
    return type(module).__name__ == "JoinModule" and type(module).__module__ == "symcnn.torch_bridge.exporter"


class _Walk:
    """One pass over the graph: layers, names, and every unsupported node."""

    def __init__(self, root: nn.Module) -> None:
        self.root = root
        self.alias: dict[str, str] = {}  # fx node -> the name of the layer whose output it is
        self.taken: set[str] = {INPUT}
        self.counters: dict[str, int] = {}  # per module path and kind: the number of auto-named layers
        self.calls: Counter[str] = Counter()  # how often each module is called
        self.scopes: dict[str, type] = {}  # module path -> class, of every module whose forward ran
        self.batch: set[str] = set()  # nodes whose value is the batch size (x.size(0))
        self.sizes: set[str] = set()  # nodes whose value is the whole size (x.size(), x.shape)
        self.imported: list[Imported] = []
        self.problems: list[str] = []
        self.inputs: list[str] = []
        self.output: str | None = None

    def tensor(self, value: Any) -> str:
        if not isinstance(value, fx.Node) or value.name in self.batch or value.name in self.sizes:
            raise Unsupported("an input that is not a traced tensor")
        return self.alias.get(value.name, value.name)

    def spec_name(self, node: fx.Node, layer: Layer) -> str:
        """A module called once by its path (``layer1.0.conv1``); a function call, or a module called
        several times (one ``self.relu`` used twice), as a spec names an unnamed layer: by its kind,
        numbered inside the calling module (``layer1.0.relu1``, ``layer1.0.relu2``, ``layer1.0.add1``)."""
        stack = node.meta.get("nn_module_stack") or {}
        self.scopes.update({path: cls for path, cls in stack.values() if path})
        if node.op == "call_module" and self.calls[str(node.target)] == 1:
            base = str(node.target)
        else:
            if node.op == "call_module":
                scope = str(node.target).rpartition(".")[0]
            else:
                scope = list(stack.values())[-1][0] if stack else ""
            key = f"{scope}.{layer.kind}" if scope else layer.kind
            self.counters[key] = self.counters.get(key, 0) + 1
            base = f"{key}{self.counters[key]}"
        name, k = base, 0
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    def visit(self, node: fx.Node) -> None:
        if node.op == "placeholder":
            self.inputs.append(node.name)
            self.alias[node.name] = node.name
        elif node.op == "output":
            self.output = self.tensor(node.args[0])
        elif self._size_value(node):
            return
        else:
            layer, inputs, features = self._layer(node)
            if layer is PASS:
                self.alias[node.name] = inputs[0]
            else:
                name = self.spec_name(node, layer)
                self.alias[node.name] = name
                self.imported.append(Imported(name, layer, inputs, module_path(node), features))

    def _size_value(self, node: fx.Node) -> bool:
        """Record ``x.size(0)``, ``x.size()``, ``x.shape``, ``x.shape[0]``: the sizes a flattening view reads."""
        if node.op == "call_method" and node.target == "size":
            (self.batch if node.args[1:] == (0,) or node.kwargs.get("dim") == 0 else self.sizes).add(node.name)
            return True
        if node.op == "call_function" and node.target is getattr and node.args[1:] == ("shape",):
            self.sizes.add(node.name)
            return True
        if node.op == "call_function" and node.target is operator.getitem and node.args[1:] == (0,):
            if isinstance(node.args[0], fx.Node) and node.args[0].name in self.sizes:
                self.batch.add(node.name)
                return True
        return False

    def _layer(self, node: fx.Node) -> tuple[Layer | None, tuple[str, ...], int | None]:
        if node.op == "call_module":
            module = self.root.get_submodule(str(node.target))
            if _is_join_module(module):
                join: Layer = module.join  # type: ignore[assignment]
                return join, tuple(self.tensor(t) for t in node.args), None
            rule = MODULE_RULES.get(type(module))
            if rule is None:
                raise Unsupported("symcnn has no layer for it")
            return rule(module), (self.tensor(node.args[0]),), None
        if node.op == "call_method" and node.target in ("view", "reshape"):
            return self._reshape(node)
        if node.op == "call_function":
            entry = FUNCTION_RULES.get(node.target)
        elif node.op == "call_method":
            entry = METHOD_RULES.get(str(node.target))
        else:
            entry = None
        if entry is None:
            raise Unsupported("symcnn has no layer for it")
        signature, rule = entry
        tensors, arguments = _bind(node.args, dict(node.kwargs), signature)
        if node.target is torch.cat:
            listed: Any = node.args[0] if node.args else node.kwargs.get("tensors", ())
            tensors = list(listed)
            arguments.pop("tensors", None)
            arguments.update(dict(zip(("dim",), node.args[1:])))
        inputs = tuple(self.tensor(t) for t in tensors)
        return rule(Call(node, inputs, arguments)), inputs, None

    def _reshape(self, node: fx.Node) -> tuple[Layer, tuple[str, ...], int | None]:
        """``x.view(x.size(0), -1)``, ``x.reshape(-1, n)``...: a flatten to one feature vector per sample."""
        shape: Any = node.args[1] if len(node.args) == 2 and isinstance(node.args[1], (tuple, list)) else node.args[1:]
        batch = lambda v: v == -1 or (isinstance(v, fx.Node) and v.name in self.batch)  # noqa: E731
        if len(shape) == 2 and batch(shape[0]) and (shape[1] == -1 or isinstance(shape[1], int)) and shape != (-1, -1):
            features = None if shape[1] == -1 else int(shape[1])
            return Flatten(), (self.tensor(node.args[0]),), features
        raise Unsupported(f".{node.target}() to a shape other than (batch, -1): symcnn reshapes only to flat vectors")

    def walk(self, graph: fx.Graph) -> None:
        self.calls = Counter(str(node.target) for node in graph.nodes if node.op == "call_module")
        for node in graph.nodes:
            try:
                self.visit(node)
            except (Unsupported, LayerError) as error:
                self.problems.append(
                    f"  {node.name}: {_describe(node, self.root)} at {module_path(node)} "
                    f"({error}); {source_line(node)}"
                )
            except SymcnnError as error:
                self.problems.append(f"  {node.name}: {error}; {source_line(node)}")


def import_module(module: Any, input_shape: Sequence[Any], name: str | None = None) -> Network:
    """See :func:`symcnn.from_torch`."""
    return import_with_scopes(module, input_shape, name)[0]


def import_with_scopes(module: Any, input_shape: Sequence[Any], name: str | None = None) -> tuple[
        Network, dict[str, type]]:
    """The network, and the class of every module path whose forward the trace entered (for blocks)."""
    if not isinstance(module, nn.Module):
        raise SymcnnError(f"from_torch needs a torch.nn.Module, got {type(module).__name__}")
    name = name or type(module).__name__
    shape = read_shape([s if isinstance(s, (int, str)) else str(s) for s in input_shape], f"{name}: input")
    walk = _Walk(module)
    walk.walk(trace(module))
    if len(walk.inputs) != 1:
        walk.problems.insert(0, f"  forward takes {len(walk.inputs)} inputs; symcnn models networks of one input")
    if walk.problems:
        raise SymcnnError(
            f"{name}: {len(walk.problems)} node(s) symcnn does not model (nothing was counted):\n"
            + "\n".join(walk.problems)
        )
    return assemble(walk.imported, walk.inputs[0], walk.output, shape, name), walk.scopes


def assemble(imported: list[Imported], source: str, output: str | None, shape: tuple, name: str) -> Network:
    """The network of the imported nodes: a chain when each reads the one before, else a graph."""
    last = imported[-1].name if imported else source
    if output != last:
        raise SymcnnError(f"{name}: forward returns {output}, not the last node {last}; symcnn's last node "
                          f"is the network's output")
    previous = [source] + [node.name for node in imported[:-1]]
    chain = all(node.inputs == (before,) for node, before in zip(imported, previous))
    try:
        if chain:
            network = build_network([(node.name, node.layer) for node in imported], shape, name)
        else:
            reads = lambda n: tuple(INPUT if i == source else i for i in n.inputs)  # noqa: E731
            network = build_graph([Node(node.name, node.layer, reads(node)) for node in imported], shape, name)
    except LayerError as error:
        raise SymcnnError(f"{name}: {error}") from None
    for node, analysis in zip(imported, network.layers):
        features = analysis.output_shape[0]
        if node.features is not None and features.is_number and features != node.features:
            raise SymcnnError(f"{name}: {node.name} ({node.where}) views {features} features as {node.features}")
    return network
