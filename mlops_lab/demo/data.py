"""The demo's customers: one `make_classification` draw (a fixed seed) cut into the parts the
story needs, so every part follows one concept until the shift.

Before the shift, churn depends on tenure, charges and usage; support calls are noise. After
it, customers call support 1.5 calls more on average, and those who call more than
`CALLS_THAT_CHURN` times churn whatever else holds: a new relation a model trained before the
shift cannot know, which a model trained on labelled data from after it learns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ["tenure", "monthly_charges", "usage", "support_calls"]
LABEL = "churned"
SHIFT_CALLS = 1.5
CALLS_THAT_CHURN = 4.0
# (name, rows, after the shift?) in the order they are cut from the draw.
PARTS = (("train", 2000, False), ("holdout", 1000, False), ("traffic", 500, False),
         ("shifted_traffic", 1000, True), ("recent", 2000, True), ("recent_holdout", 1000, True))


def customers(seed: int = 0) -> dict[str, pd.DataFrame]:
    """Each part of `PARTS` as a frame of `FEATURES` and the label `churned` (0/1)."""
    from sklearn.datasets import make_classification

    total = sum(rows for _, rows, _ in PARTS)
    # shuffle=False keeps the informative columns first (the fourth is pure noise) and the
    # rows sorted by class: they are shuffled here instead.
    X, y = make_classification(n_samples=total, n_features=4, n_informative=3,
                               n_redundant=0, n_repeated=0, class_sep=1.0, flip_y=0.02,
                               shuffle=False, random_state=seed)
    order = np.random.default_rng(seed).permutation(total)
    X, y = X[order], y[order]
    frame = pd.DataFrame({"tenure": 3 + 1.5 * X[:, 0], "monthly_charges": 60 + 15 * X[:, 1],
                          "usage": 20 + 6 * X[:, 2], "support_calls": 2 + X[:, 3],
                          LABEL: y.astype(np.int64)}).round(3)
    parts, start = {}, 0
    for name, rows, shifted in PARTS:
        part = frame.iloc[start:start + rows].reset_index(drop=True)
        parts[name] = shift(part) if shifted else part
        start += rows
    return parts


def shift(frame: pd.DataFrame) -> pd.DataFrame:
    """The world after the shift: more support calls, and many calls mean churn."""
    calls = frame["support_calls"] + SHIFT_CALLS
    churned = np.where(calls > CALLS_THAT_CHURN, 1, frame[LABEL])
    return frame.assign(support_calls=calls.round(3), **{LABEL: churned.astype(np.int64)})
