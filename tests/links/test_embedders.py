"""Embedder selection: the offline fallback is immediate, clear, and touches no network."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

from tests.links.conftest import run_links
from vaultcurator.errors import ConfigError
from vaultcurator.links import embedders
from vaultcurator.workspace import Workspace


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Chroma's model cache points at an empty folder, and any network use fails the test."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    monkeypatch.setattr(ONNXMiniLM_L6_V2, "DOWNLOAD_PATH", tmp_path / "models")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tmp_path / "models"


def test_missing_onnx_model_falls_back_with_one_notice(no_model: Path) -> None:
    kind, notices = embedders.select("onnx-minilm")
    assert kind == "hashed"
    assert len(notices) == 1
    assert "onnx-minilm" in notices[0] and str(no_model) in notices[0]
    assert "using hashed" in notices[0]
    assert not no_model.exists()  # nothing was downloaded or created


def test_auto_picks_hashed_silently_without_the_model(no_model: Path) -> None:
    assert embedders.select("auto") == ("hashed", [])


def test_sentence_transformers_without_the_extra_or_model_falls_back(no_model: Path) -> None:
    if importlib.util.find_spec("sentence_transformers") is None:
        kind, notices = embedders.select("st:all-MiniLM-L6-v2")
        assert kind == "hashed" and "sentence-transformers" in notices[0]
    else:  # with the extra installed, a model not in the local cache falls back on load
        model, notices = embedders.build_model_embedder("st:not-a-cached-model-xyz")
        assert model is None and "using hashed" in notices[0]


def test_unknown_embedder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown embedder 'word2vec'"):
        embedders.select("word2vec")


def test_links_run_reports_the_fallback_once(ws: Workspace, no_model: Path) -> None:
    ws.settings.links.embedder = "onnx-minilm"
    report = run_links(ws)
    assert report.embedder == "hashed"
    assert len(report.notices) == 1 and "onnx-minilm" in report.notices[0]
    assert report.indexed > 0
