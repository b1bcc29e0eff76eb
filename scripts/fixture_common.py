"""What the PyTorch fixture generators for minidl's normalization layers share: where the JSON
goes, how values are drawn (uniform, rounded to float32 so that the C++ side reads them exactly)
and how tensors are written (exact inputs, results to DIGITS significant digits).

Imported by gen_normalization_fixtures.py and gen_norm_layer_fixtures.py, which run it as a
sibling module (`/usr/bin/python3 scripts/gen_….py` puts scripts/ on the path).
"""

import json
import pathlib

import torch

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data"
DIGITS = 12


def as_float32_values(t):
    return t.to(torch.float32).to(torch.float64)


def uniform(gen, shape, low=-1.0, high=1.0):
    return as_float32_values(torch.rand(shape, generator=gen, dtype=torch.float64) * (high - low) + low)


def tensor_json(t, exact=False):
    values = t.detach().reshape(-1).tolist()
    if not exact:
        values = [float(f"{v:.{DIGITS}g}") for v in values]
    return {"shape": list(t.shape), "values": values}


def write_fixtures(file_name, fixtures):
    """Writes `fixtures` compactly, one line, to tests/data/`file_name`."""
    path = DATA_DIR / file_name
    path.write_text(json.dumps(fixtures, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {path}")
