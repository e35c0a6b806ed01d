"""Appeal classifier: Chinese appeal text → first-level category with a calibrated confidence.

Public API (used by dispatch services and the dispatcher UI):
    load_default() -> Classifier | None     cached; None (and a logged warning) when unusable
    Classifier.predict(texts) -> list[Prediction(label, confidence, top)]
    Classifier.explain(text, label, k=5) -> list[str]
    default_model_path() -> Path            the model in use: the trained one in MODEL_DIR, else the shipped one
    trained_model_path() -> Path            where `youhu model train` writes (MODEL_DIR)
    SHIPPED_MODEL                           the default model that comes with the code (default/README.md)
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
    "SHIPPED_MODEL",
    "default_model_path",
    "load",
    "load_default",
    "reset_default",
    "trained_model_path",
]

log = logging.getLogger(__name__)

MODEL_FILENAME = "dispatch-classifier.npz"
# Trained on the public data named in default/README.md; rebuilt with `youhu model train --output …`.
SHIPPED_MODEL = Path(__file__).resolve().parent / "default" / MODEL_FILENAME

_lock = threading.Lock()
_cache: dict[str, tuple[float, Classifier | None]] = {}


def trained_model_path() -> Path:
    return Path(settings.MODEL_DIR) / MODEL_FILENAME


def default_model_path() -> Path:
    """A model trained here wins over the shipped one (it may know the dispatchers' corrections)."""
    trained = trained_model_path()
    return trained if trained.exists() else SHIPPED_MODEL


def load(path: Path) -> Classifier:
    """Load a model file; ModelFileError (with a message for the operator) when it is unusable."""
    header, arrays = storage.load(path)
    return Classifier(arrays, header)


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
