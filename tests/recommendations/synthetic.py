"""A synthetic corpus with clear topics for the "for you" feed's tests: each paper's title and
abstract are drawn from its topic's words (and a few words every topic shares), so which
papers belong together is known without any model."""

from __future__ import annotations

import datetime
import random

from papers.models import Paper
from tests.factories import PaperFactory

_TOPIC_TEXT: dict[str, str] = {
    "graphs": (
        "graph node edge message passing neighbourhood aggregation spectral laplacian "
        "molecule citation network vertex subgraph isomorphism readout pooling"
    ),
    "proteins": (
        "protein folding residue amino acid sequence structure enzyme binding ligand "
        "alphafold conformation peptide docking antibody genome"
    ),
    "robots": (
        "robot manipulation grasping locomotion legged quadruped gripper trajectory "
        "actuator torque teleoperation dexterous arm navigation odometry"
    ),
    "speech": (
        "speech audio waveform phoneme acoustic speaker prosody spectrogram vocoder "
        "transcription pronunciation utterance microphone accent syllable"
    ),
}
TOPIC_WORDS: dict[str, list[str]] = {topic: text.split(" ") for topic, text in _TOPIC_TEXT.items()}
SHARED_WORDS = [
    "model",
    "method",
    "results",
    "learning",
    "data",
    "training",
    "approach",
    "evaluation",
]
DAY = datetime.date(2024, 11, 13)


def _text(rng: random.Random, topic: str, n: int) -> str:
    words = [rng.choice(TOPIC_WORDS[topic]) for _ in range(n)]
    words += rng.sample(SHARED_WORDS, 3)
    rng.shuffle(words)
    return " ".join(words)


def topic_corpus(
    *, per_topic: int = 20, seed: int = 0, day: datetime.date = DAY
) -> dict[str, list[Paper]]:
    """`per_topic` published papers of each topic on digest day `day` (and the days before:
    one topic paper a day back, so "newest" is not a topic): {topic: [papers]}."""
    rng = random.Random(seed)
    corpus: dict[str, list[Paper]] = {topic: [] for topic in TOPIC_WORDS}
    for i in range(per_topic):
        for topic in TOPIC_WORDS:
            corpus[topic].append(
                PaperFactory(
                    title=f"{_text(rng, topic, 5).capitalize()} ({topic} {i})",
                    abstract=_text(rng, topic, 40) + ".",
                    authors=[f"Author {rng.randrange(200)}", f"Author {rng.randrange(200)}"],
                    first_digest_on=day - datetime.timedelta(days=rng.randrange(5)),
                )
            )
    return corpus
