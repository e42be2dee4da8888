"""The embedder registry: which embedders exist, which can run here, and the fallback.

* ``hashed`` (the default): TF-IDF over hashed words, no model, no network, deterministic.
* ``onnx-minilm``: Chroma's default all-MiniLM-L6-v2 (ONNX, 384 dimensions), used only when
  its files are already in Chroma's model cache; it is never downloaded from here.
* ``st:<model>``: a sentence-transformers model (the ``sentence-transformers`` extra) that is
  already in the local Hugging Face cache; loaded with the hub switched offline.
* ``auto``: ``onnx-minilm`` when its model is cached, else ``hashed``, silently.

An embedder asked for by name that cannot run here falls back to ``hashed`` with one notice
saying why, at once: availability is decided from files on disk, never from the network.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from vaultcurator.errors import ConfigError
from vaultcurator.links.text import NoteDoc

DEFAULT = "hashed"
ONNX = "onnx-minilm"
ST_PREFIX = "st:"
KNOWN = (DEFAULT, ONNX, ST_PREFIX + "<model>", "auto")
_ONNX_FILES = (
    "config.json",
    "model.onnx",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)


class Embedder(Protocol):
    """Turns notes into L2-normalised vectors of ``dim`` floats."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def default_threshold(self) -> float: ...

    @property
    def space_id(self) -> str:
        """Names the vector space; collections are keyed by it (``[a-zA-Z0-9._-]``)."""
        ...

    def embed(self, docs: Sequence[NoteDoc]) -> npt.NDArray[np.float32]: ...


def onnx_model_dir() -> Path:
    """Where Chroma keeps the ONNX MiniLM files (``~/.cache/chroma/onnx_models/...``)."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    return Path(ONNXMiniLM_L6_V2.DOWNLOAD_PATH) / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME


def onnx_unavailable_reason() -> str | None:
    """None when the ONNX MiniLM can run offline; otherwise why not (files checked only)."""
    folder = onnx_model_dir()
    missing = [name for name in _ONNX_FILES if not (folder / name).is_file()]
    if missing:
        return f"its model is not in {folder} (it is never downloaded from here)"
    if importlib.util.find_spec("onnxruntime") is None:
        return "onnxruntime is not installed"
    return None


def _normalised(matrix: Any) -> npt.NDArray[np.float32]:
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: npt.NDArray[np.float32] = (out / norms).astype(np.float32)
    return normalised


class OnnxMiniLmEmbedder:
    """Chroma's all-MiniLM-L6-v2 run locally; about 256 word pieces of each note are read."""

    name = ONNX
    dim = 384
    default_threshold = 0.3
    space_id = "onnx-minilm-384"
    max_chars = 1200

    def __init__(self) -> None:
        from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

        self._function = ONNXMiniLM_L6_V2()

    def embed(self, docs: Sequence[NoteDoc]) -> npt.NDArray[np.float32]:
        if not docs:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._function([d.as_text(self.max_chars) for d in docs])
        return _normalised(np.stack([np.asarray(v) for v in vectors]))


class SentenceTransformerEmbedder:
    """A sentence-transformers model from the local cache (never downloaded)."""

    default_threshold = 0.3

    def __init__(self, model_name: str) -> None:
        module = importlib.import_module("sentence_transformers")
        # local_files_only: never a download, and no process-wide environment change (the
        # TUI runs this in a worker thread while other threads read the environment).
        self._model = module.SentenceTransformer(model_name, local_files_only=True)
        self.model_name = model_name
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.max_chars = int(getattr(self._model, "max_seq_length", 256) or 256) * 4

    @property
    def name(self) -> str:
        return ST_PREFIX + self.model_name

    @property
    def space_id(self) -> str:
        safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in self.model_name)
        return f"st-{safe}-{self.dim}"

    def embed(self, docs: Sequence[NoteDoc]) -> npt.NDArray[np.float32]:
        if not docs:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [d.as_text(self.max_chars) for d in docs]
        return _normalised(self._model.encode(texts, normalize_embeddings=True))


def select(name: str) -> tuple[str, list[str]]:
    """Resolve a configured name to one that can run here, with notices for any fallback.

    Returns ``hashed``, ``onnx-minilm`` or ``st:<model>``. Unknown names are a ConfigError.
    """
    wanted = (name or "auto").strip()
    if wanted == "auto":
        return (ONNX if onnx_unavailable_reason() is None else DEFAULT), []
    if wanted == DEFAULT:
        return DEFAULT, []
    if wanted == ONNX:
        reason = onnx_unavailable_reason()
        if reason is None:
            return ONNX, []
        return DEFAULT, [f"embedder {ONNX} is not available: {reason}; using {DEFAULT}"]
    if wanted.startswith(ST_PREFIX) and len(wanted) > len(ST_PREFIX):
        if importlib.util.find_spec("sentence_transformers") is None:
            return DEFAULT, [
                f"embedder {wanted} needs the sentence-transformers extra "
                f"(pip install 'vaultcurator[sentence-transformers]'); using {DEFAULT}"
            ]
        return wanted, []
    raise ConfigError(f"links.embedder: unknown embedder {wanted!r} (known: {', '.join(KNOWN)})")


def build_model_embedder(kind: str) -> tuple[Embedder | None, list[str]]:
    """Instantiate a model-based embedder; (None, notices) when it fails to load offline."""
    try:
        if kind == ONNX:
            return OnnxMiniLmEmbedder(), []
        if kind.startswith(ST_PREFIX):
            return SentenceTransformerEmbedder(kind[len(ST_PREFIX) :]), []
    except Exception as exc:  # a model that cannot load must not stop the run
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [f"embedder {kind} could not be loaded offline ({first}); using {DEFAULT}"]
    raise ValueError(f"not a model embedder: {kind}")
