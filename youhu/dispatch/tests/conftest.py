"""A small stand-in for the trained classifier, and a district with first-level categories."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from youhu.dispatch import classifier
from youhu.dispatch.services import use_classifier
from youhu.testing.factories import District, make_category


@dataclass
class Prediction:
    label: str
    confidence: float
    top: list[tuple[str, float]] = field(default_factory=list)


class KeywordClassifier:
    """Scores labels by which cue words a text contains, with fixed confidences: a real object with
    the classifier's interface whose answers the tests can predict."""

    version = "test-keywords-1"

    def __init__(self, cues: dict[str, tuple[str, float]], labels: list[str]):
        self.cues = cues  # word -> (label, confidence when found)
        self.labels = labels

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Prediction:
        label, confidence = next(((lab, p) for word, (lab, p) in self.cues.items() if word in text),
                                 (self.labels[0], 0.4))
        rest = [lab for lab in self.labels if lab != label]
        share = (1 - confidence) / max(len(rest), 1)
        top = [(label, confidence)] + [(lab, share * (0.6 if i else 1.0)) for i, lab in enumerate(rest[:2])]
        return Prediction(label, confidence, top)

    def explain(self, text: str, label: str, k: int = 5) -> list[str]:
        return [w for w, (lab, _) in self.cues.items() if lab == label and w in text][:k]


class BrokenClassifier:
    version = "broken"

    def predict(self, texts: list[str]) -> list[Prediction]:
        raise RuntimeError("model file is corrupt")

    def explain(self, text: str, label: str, k: int = 5) -> list[str]:
        raise RuntimeError("model file is corrupt")


CUES = {
    "排污": ("环境保护", 0.97),
    "噪音": ("环境保护", 0.55),
    "路灯": ("城乡建设", 0.95),
    "占道经营": ("商贸旅游", 0.96),
}
LABELS = ["城乡建设", "环境保护", "商贸旅游", "交通运输"]


@pytest.fixture
def smart(district: District) -> District:
    """The district with first-level categories the fake classifier names; 商贸旅游 is local."""
    district.construction = district.category.root
    district.construction.default_unit = district.roads
    district.construction.save()
    district.environment = make_category("环境保护", unit=district.env)
    district.trade = make_category("商贸旅游", is_local=True)
    with use_classifier(KeywordClassifier(CUES, LABELS)):
        yield district


@pytest.fixture
def model_dir(settings, tmp_path):
    """Where `youhu model train` writes, empty; the cached default model forgotten before and after."""
    settings.MODEL_DIR = tmp_path / "models"
    classifier.reset_default()
    yield settings.MODEL_DIR
    classifier.reset_default()
