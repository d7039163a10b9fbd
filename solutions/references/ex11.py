"""Reference answers behind the stored numbers and quizzes of exercise 11 (instructor side only).

``QUIZZES`` holds the quiz answers in clear; ``python -m nncourse.grading.store`` writes only their
salted hashes (and the explanations, obfuscated) to ``nncourse/grading/items/ex11.json``.
"""

import numpy as np

from nncourse.grading.quiz import Choice, Number

QUIZZES = {
    "ex11-quiz-signs": Choice(
        "abcd", correct="ac", multiple=True,
        explain={
            "b": "losses that stay at log C mean the network learns nothing at all (check the learning rate "
                 "and the data); overfitting needs a falling training loss",
            "d": "a validation loss that falls is good news; overfitting shows when it stops falling or rises "
                 "while the training loss still falls",
        }),
    "ex11-quiz-first-loss": Number(
        float(np.log(26)), tolerance=0.01,
        wrong={
            float(np.log10(26)): "that is log10(26); the cross-entropy uses the natural logarithm, log C",
            1 / 26: "that is the probability 1/C the network gives each class at the start; the loss is "
                    "-log(1/C) = log C",
            -float(np.log(26)): "the cross-entropy -log(1/C) is positive: log C",
        }),
}
