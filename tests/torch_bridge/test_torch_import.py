"""from_torch on models written as people write them, its errors, the CLI, and symcnn without torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from symcnn import SymcnnError, from_torch, to_torch
from symcnn.cli import main
from symcnn.files.spec import read_network
from symcnn.formula.symbols import symbol
from tests.torch_bridge.test_torch_roundtrip import same_layers

ROOT = Path(__file__).resolve().parents[2]


class LeNet(nn.Module):
    """The PyTorch tutorial's CIFAR-10 network: functional relu, torch.flatten, a reused pool."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class ViewNet(nn.Module):
    """x.view(x.size(0), -1), x.reshape(-1, n), padding='same', nn.Identity, Sequential paths."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding="same"), nn.BatchNorm2d(4), nn.ReLU(True))
        self.skip = nn.Identity()
        self.head = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.skip(self.features(x)), 2)
        x = x.view(x.size(0), -1)
        return self.head(x.reshape(-1, 64))


def test_lenet_matches_torch() -> None:
    network = from_torch(LeNet(), (3, 32, 32))
    assert [a.name for a in network.layers] == [
        "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten1", "fc1", "relu3", "fc2"]
    assert network.total("params") == sum(p.numel() for p in LeNet().parameters())
    assert network.layers[-1].output_shape == (10,)


def test_views_and_functional_pooling() -> None:
    network = from_torch(ViewNet(), (1, 8, 8))
    kinds = [type(a.layer).__name__ for a in network.layers]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "Identity", "MaxPool2d", "Flatten", "Flatten", "Linear"]
    assert network.layers[0].output_shape == (4, 8, 8)
    assert network.total("params") == sum(p.numel() for p in ViewNet().parameters())


def test_symbolic_input_keeps_formulas_and_the_valid_input_condition() -> None:
    network = from_torch(LeNet(), (3, "H", "W"))
    H = symbol("H")
    (height, definition), = [(s, e) for s, e in network.layers[0].definitions.items() if str(s).startswith("H")]
    assert network.layers[0].output_shape[1] == height and H in definition.free_symbols
    fc1 = network.layer("fc1")
    assert any(str(a).startswith("Eq(400") for a in fc1.assumptions)  # 16 H_6 W_6 must be 400
    assert network.values({H: 32, symbol("W"): 32})  # the tutorial's input meets every condition


class Odd(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.shuffle(torch.abs(self.conv(x)))
        return x.permute(0, 2, 3, 1)


def test_every_unsupported_node_listed_with_path_and_source_line() -> None:
    with pytest.raises(SymcnnError) as caught:
        from_torch(Odd(), (3, 16, 16))
    message = str(caught.value)
    assert "3 node(s) symcnn does not model" in message
    for what in ("torch.abs", "PixelShuffle module at shuffle", "tensor method .permute()"):
        assert what in message
    assert "test_torch_import.py" in message and "x.permute(0, 2, 3, 1)" in message


class Branchy(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return self.conv(x)
        return x


def test_untraceable_model_says_why_and_how_to_work_around() -> None:
    with pytest.raises(SymcnnError, match="torch.fx cannot trace.*control flow.*Work around it"):
        from_torch(Branchy(), (3, 8, 8))


def test_refused_hyperparameters() -> None:
    with pytest.raises(SymcnnError, match="padding_mode='reflect'"):
        from_torch(nn.Sequential(nn.Conv2d(3, 3, 3, padding_mode="reflect")), (3, 8, 8))
    with pytest.raises(SymcnnError, match="in_channels is 4 but the input channels are 3"):
        from_torch(nn.Sequential(nn.Conv2d(4, 3, 3)), (3, 8, 8))
    with pytest.raises(SymcnnError, match="views 64 features as 60"):
        from_torch(_Reshaped(60), (4, 4, 4))


class _Reshaped(nn.Module):
    def __init__(self, features: int) -> None:
        super().__init__()
        self.features = features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(-1, self.features)


# ---------------------------------------------------------------- the command line

MODEL = '''
import torch
from torch import nn
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(6 * 14 * 14, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        return self.fc(torch.flatten(x, 1))

def shuffling():
    return nn.Sequential(nn.Conv2d(3, 12, 3), nn.PixelShuffle(2))
'''


@pytest.fixture
def model_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mymodels.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "mymodels", raising=False)
    return tmp_path


def test_cli_import_summary_export(model_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "mymodels:Net", "--input", "3,32,32", "-o", "net.toml"]) == 0
    network, _ = read_network(model_folder / "net.toml")
    assert network.total("params") == 456 + 11770
    assert main(["summary", "mymodels:Net", "--input", "3,32,32"]) == 0
    assert "12,226" in capsys.readouterr().out
    assert main(["export", "net.toml", "-o", "net.py"]) == 0
    source = (model_folder / "net.py").read_text()
    assert "class Net(nn.Module):" in source and "self.conv1 = nn.Conv2d(3, 6, kernel_size=5)" in source
    run = subprocess.run([sys.executable, "net.py"], capture_output=True, text=True, cwd=model_folder)
    assert run.stdout.strip() == "(1, 10)", run.stderr


def test_cli_symbolic_input(model_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "mymodels:Net", "--input", "3,H,W"]) == 0
    assert 'input = [3, "H", "W"]' in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["import", "mymodels:shuffling", "--input", "3,8,8"], "PixelShuffle module"),
    (["import", "nosuchmodule:Net", "--input", "3,8,8"], "cannot import 'nosuchmodule'"),
    (["import", "mymodels:Nope", "--input", "3,8,8"], "has no attribute 'Nope'"),
    (["summary", "mymodels:Net"], "needs its input shape: --input"),
])
def test_cli_errors_exit_2_in_one_message(model_folder: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and "Traceback" not in captured.err


# ---------------------------------------------------------------- without torch


def test_without_torch_symcnn_works_and_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    network, _ = read_network(ROOT / "examples" / "vgg16.toml")
    with pytest.raises(SymcnnError, match=r"install symcnn\[torch\]"):
        to_torch(network)
    with pytest.raises(SymcnnError, match=r"install symcnn\[torch\]"):
        from_torch(object(), (3, 8, 8))
    assert main(["import", "mymodels:Net", "--input", "3,8,8"]) == 2
    assert main(["export", str(ROOT / "examples" / "vgg16.toml")]) == 2
    assert capsys.readouterr().err.count("install symcnn[torch]") == 2
    assert main(["summary", str(ROOT / "examples" / "vgg16.toml")]) == 0


def test_symcnn_imports_without_torch() -> None:
    code = textwrap.dedent("""
        import sys
        sys.modules["torch"] = None
        import symcnn
        from symcnn.cli import main
        assert main(["summary", "examples/alexnet.toml", "--json"]) == 0
        assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


# ---------------------------------------------------------------- graphs


class Residual(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(self.relu(self.bn1(self.conv1(x))))
        out += x
        return self.relu(out)


class Graph(nn.Module):
    """A residual stage (a reused block class, a reused relu), two branches concatenated, a head."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layer1 = nn.Sequential(Residual(8), Residual(8))
        self.left, self.right = nn.Conv2d(8, 4, 1), nn.Conv2d(8, 6, 3, padding=1)
        self.fc = nn.Linear(10 * 8 * 8, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer1(self.stem(x))
        x = torch.cat([self.left(x), self.right(x)], 1)
        return self.fc(torch.flatten(x, 1))


def test_graph_round_trip_and_torch_counts() -> None:
    from torch.utils.flop_counter import FlopCounterMode

    from symcnn.files.spec import network_from_table
    from symcnn.files.spec_writer import spec_text
    from symcnn.torch_bridge.source import torch_source

    model = Graph()
    network = from_torch(model, (3, 8, 8))
    assert not network.is_chain
    assert network.total("params") == sum(p.numel() for p in model.parameters())
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.zeros(1, 3, 8, 8))
    assert 2 * network.total("weight_mults") == counter.get_total_flops()
    text = spec_text(network)
    assert 'inputs = ["left", "right"]' in text
    again, _ = network_from_table(__import__("tomllib").loads(text), "imported")
    exported = to_torch(again)
    assert tuple(exported(torch.zeros(2, 3, 8, 8)).shape) == (2, 5)
    assert spec_text(from_torch(exported, (3, 8, 8), name=network.name)) == text
    namespace: dict[str, object] = {"__name__": "exported"}
    exec(compile(torch_source(again, name="Exported"), "graph.py", "exec"), namespace)
    written = from_torch(namespace["Exported"](), (3, 8, 8))  # type: ignore[operator]
    assert same_layers(written, network)


def test_every_spec_layer_type_goes_both_ways() -> None:
    """The tables are complete: each type a spec can name has a torch constructor, and imports back by it."""
    from symcnn.cnn.joins import Join
    from symcnn.cnn.layer_types import LAYER_TYPES
    from symcnn.torch_bridge.exporter import JOINS, TORCH_CALLS
    from symcnn.torch_bridge.rules import MODULE_RULES

    for name, cls in LAYER_TYPES.items():
        if issubclass(cls, Join):
            assert cls in JOINS, name
        else:
            assert cls in TORCH_CALLS, name
            assert getattr(nn, name) in MODULE_RULES, name


@pytest.mark.parametrize("model, shape", [
    (nn.Sequential(nn.Conv1d(2, 4, 5, stride=2, padding=1), nn.BatchNorm1d(4), nn.ReLU(), nn.MaxPool1d(2),
                   nn.AvgPool1d(3, 1, 1), nn.Flatten(), nn.Linear(4 * 7, 3)), (2, 32)),
    (nn.Sequential(nn.Conv3d(1, 4, (3, 3, 3), padding=1), nn.BatchNorm3d(4), nn.MaxPool3d(2), nn.AvgPool3d(2),
                   nn.GroupNorm(2, 4), nn.LayerNorm([4, 2, 2, 2])), (1, 8, 8, 8)),
    (nn.Sequential(nn.Conv2d(3, 8, 3), nn.GroupNorm(4, 8), nn.LayerNorm([8, 6, 6]), nn.SiLU(),
                   nn.AdaptiveMaxPool2d((2, 3)), nn.Flatten(), nn.LayerNorm(48), nn.Softmax(dim=1)), (3, 8, 8)),
])
def test_one_and_three_dimensional_layers_and_norms_both_ways(model: nn.Module, shape: tuple) -> None:
    import tomllib

    from torch.utils.flop_counter import FlopCounterMode

    from symcnn.files.spec import network_from_table
    from symcnn.files.spec_writer import spec_text

    network = from_torch(model, shape)
    assert network.total("params") == sum(p.numel() for p in model.parameters())
    counter = FlopCounterMode(display=False)
    with counter:
        output = model.eval()(torch.zeros(1, *shape))
    assert tuple(int(s) for s in network.layers[-1].output_shape) == tuple(output.shape[1:])
    assert 2 * network.total("weight_mults") == counter.get_total_flops()
    text = spec_text(network)
    again, _ = network_from_table(tomllib.loads(text), "spec")
    assert spec_text(from_torch(to_torch(again), shape, name=network.name)) == text
