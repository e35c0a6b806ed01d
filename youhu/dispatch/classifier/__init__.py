"""Appeal classifier: Chinese appeal text → first-level category with a calibrated confidence.

Public API (used by dispatch services and the dispatcher UI):
    load_default() -> Classifier | None     cached; None (and a logged warning) when unusable
    Classifier.predict(texts) -> list[Prediction(label, confidence, top)]
    Classifier.explain(text, label, k=5) -> list[str]
    default_model_path() -> Path
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from . import storage
from .model import Classifier, Prediction
from .storage import ModelFileError

__all__ = [
    "Classifier",
    "ModelFileError",
    "Prediction",
    "default_model_path",
    "load",
    "load_default",
    "reset_default",
]

log = logging.getLogger(__name__)

MODEL_FILENAME = "dispatch-classifier.pkl"

_lock = threading.Lock()
_cache: dict[str, tuple[float, Classifier | None]] = {}


def default_model_path() -> Path:
    return Path(settings.MODEL_DIR) / MODEL_FILENAME


def load(path: Path) -> Classifier:
    """Load a model file; ModelFileError (with a message for the operator) when it is unusable."""
    header, payload = storage.load(path)
    try:
        classifier = Classifier(payload["vectorizer"], payload["estimator"], header)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelFileError(f"模型文件内容不完整 (incomplete model file {path}): {storage.RETRAIN_HINT}") from exc
    if classifier.labels != list(header.get("labels", [])):
        raise ModelFileError(f"模型文件与文件头不一致 (labels differ in {path}): {storage.RETRAIN_HINT}")
    return classifier


def load_default() -> Classifier | None:
    """The default model, cached until its file changes; None when missing, corrupt or incompatible."""
    path = default_model_path()
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = -1.0
    key = str(path)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            classifier: Classifier | None = load(path)
        except ModelFileError as exc:
            log.warning("dispatch classifier unavailable, appeals go to the dispatcher: %s", exc)
            classifier = None
        _cache[key] = (stamp, classifier)
        return classifier


def reset_default() -> None:
    """Forget the cached default model (tests, and after training in-process)."""
    with _lock:
        _cache.clear()
