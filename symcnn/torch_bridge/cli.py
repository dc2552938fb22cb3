"""The command line's torch side: ``symcnn import``, ``symcnn export``, and models for ``symcnn summary``.

A model is named as ``MODULE:CALLABLE`` (``mypkg.models:Net``): the module is
imported (the current folder first), and the callable is a module instance, or
a class or function called with no arguments that returns one.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symcnn.errors import SymcnnError
from symcnn.torch_bridge.bridge import require_torch

if TYPE_CHECKING:  # the parser is built from this module: sympy and the networks load when a command runs
    import sympy as sp

    from symcnn.cnn.network import Network


def is_model_reference(text: str) -> bool:
    """Whether ``text`` names a model (``pkg.mod:Net``) rather than a spec file."""
    module, colon, attribute = text.rpartition(":")
    return bool(colon and module and attribute) and not os.path.exists(text) and "/" not in module \
        and not text.endswith(".toml")


def load_model(reference: str) -> Any:
    """The ``nn.Module`` that ``MODULE:CALLABLE`` names.

    Raises:
        SymcnnError: torch missing, no such module or attribute, or not a model.
    """
    torch = require_torch(f"reading the model {reference}")
    module_name, _, attribute = reference.rpartition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise SymcnnError(f"{reference}: cannot import {module_name!r} ({error}); run symcnn from the folder "
                          f"that holds it, or install its package") from None
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise SymcnnError(f"{reference}: {module_name} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not isinstance(target, torch.nn.Module) and callable(target):
        try:
            target = target()
        except TypeError as error:
            raise SymcnnError(f"{reference}: calling {attribute}() failed ({error}); name a function that "
                              f"takes no arguments and returns the model") from None
    if not isinstance(target, torch.nn.Module):
        raise SymcnnError(f"{reference}: is a {type(target).__name__}, not a torch.nn.Module")
    return target


def read_input(text: str | None, reference: str) -> tuple[Any, ...]:
    """``--input 3,224,224`` or ``3,H,W``: sizes as ints or symbol names."""
    if not text:
        raise SymcnnError(f"{reference}: a model needs its input shape: --input 3,224,224 (C,H,W; symbols allowed)")
    return tuple(int(p) if p.strip().isdigit() else p.strip() for p in text.split(","))


def model_network(reference: str, input_text: str | None) -> tuple[Network, dict[str, type]]:
    """The network of a ``MODULE:CALLABLE`` model on the ``--input`` shape, and its module classes by path."""
    shape = read_input(input_text, reference)
    model = load_model(reference)
    from symcnn.torch_bridge.importer import import_with_scopes

    return import_with_scopes(model, shape)


def network_or_model(reference: str, input_text: str | None) -> tuple[Network, dict[sp.Symbol, sp.Expr]]:
    """A spec file's network and values, or a model's network (no values)."""
    if is_model_reference(reference):
        return model_network(reference, input_text)[0], {}
    if input_text:
        raise SymcnnError(f"{reference}: --input is for MODULE:CALLABLE models; a spec file gives its own input")
    from symcnn.files.spec import read_network

    return read_network(reference)


def _emit(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` atomically (and say where), or print it."""
    if output is None:
        print(text, end="")
        return
    from symcnn.render.output import write_atomic

    write_atomic(Path(output), text)
    print(output)


def _import(args: argparse.Namespace) -> int:
    from symcnn.files.spec_writer import spec_text

    network, scopes = model_network(args.model, args.input)
    comment = f"Imported by symcnn from the torch model {args.model}."
    _emit(spec_text(network, comment=comment, scopes=scopes), args.output)
    return 0


def export_source(args: argparse.Namespace) -> int:
    """``symcnn export net.toml [-o net.py]`` (registered by :mod:`symcnn.cli`, which shares ``export``)."""
    from symcnn.files.spec import read_network

    args.spec = args.what
    network, values = read_network(args.spec)
    require_torch("exporting a network to torch")
    from symcnn.torch_bridge.source import torch_source

    _emit(torch_source(network, values, args.class_name, origin=Path(args.spec).name), args.output)
    return 0


def add_commands(commands: Any) -> None:
    """Register ``import`` on the CLI's subparsers (``export`` is shared: :mod:`symcnn.cli`)."""
    command = commands.add_parser("import", help="a torch model (MODULE:CALLABLE) as a network spec (TOML)")
    command.add_argument("model", help="the model, e.g. mypkg.models:Net (a module, or a callable returning one)")
    command.add_argument("--input", required=True, help="one sample's shape C,H,W, e.g. 3,224,224 or 3,H,W")
    command.add_argument("-o", "--output", help="spec file to write (default: print it)")
    command.set_defaults(run=_import)

