"""What a drift check found: one FeatureDrift per column and the dataset's verdict."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import pandas as pd

from .thresholds import DriftThresholds

REPORT_FORMAT = 1


@dataclass
class FeatureDrift:
    """One column compared. `status` says whether it could be tested ("ok", "mixed types") or
    why not ("not enough data", "column missing", "all null", "single value" is tested its own
    way); `message` says it in a sentence. `drifted` is True only when the adjusted p-value is
    below alpha AND the effect size reaches `threshold`."""

    name: str
    kind: str
    status: str
    message: str
    method: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    p_value_adjusted: float | None = None
    degrees_of_freedom: int | None = None  # of a categorical column's chi-square
    effect_size: float | None = None
    effect_method: str | None = None
    threshold: float | None = None
    drifted: bool = False
    psi: float | None = None
    n_reference: int = 0
    n_current: int = 0
    missing_share_ref: float | None = None
    missing_share_cur: float | None = None
    new_categories: list[str] = field(default_factory=list)
    new_categories_share: float | None = None
    out_of_range_share: float | None = None
    picture: dict | None = field(default=None, repr=False)  # what figure() draws

    @property
    def tested(self) -> bool:
        return self.p_value is not None

    def to_json(self) -> dict:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "FeatureDrift":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


FRAME_COLUMNS = [f.name for f in fields(FeatureDrift) if f.name != "picture"]


@dataclass
class DriftReport:
    """The result of detect_drift. The dataset counts as drifted when the share of drifted
    columns among those compared reaches thresholds.dataset_share (default 0.5)."""

    features: list[FeatureDrift]
    thresholds: DriftThresholds = field(default_factory=DriftThresholds)

    @property
    def drifted_features(self) -> list[str]:
        return [f.name for f in self.features if f.drifted]

    @property
    def drift_share(self) -> float:
        return len(self.drifted_features) / len(self.features) if self.features else 0.0

    @property
    def drifted(self) -> bool:
        return bool(self.features) and self.drift_share >= self.thresholds.dataset_share

    def __getitem__(self, name: str) -> FeatureDrift:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(f"no column {name!r} in this drift report; it has "
                       f"{[f.name for f in self.features]}")

    def to_frame(self) -> pd.DataFrame:
        """One row per column (the picture data left out)."""
        rows = [{k: getattr(f, k) for k in FRAME_COLUMNS} for f in self.features]
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)

    def to_json(self) -> dict:
        return {"format": REPORT_FORMAT, "thresholds": self.thresholds.to_json(),
                "drifted": self.drifted, "drift_share": self.drift_share,
                "drifted_features": self.drifted_features,
                "features": [f.to_json() for f in self.features]}

    @classmethod
    def from_json(cls, data: dict) -> "DriftReport":
        if not isinstance(data, dict) or data.get("format") != REPORT_FORMAT:
            raise ValueError(f"not a drift report of format {REPORT_FORMAT}: expected a dict "
                             "made by DriftReport.to_json()")
        return cls([FeatureDrift.from_json(f) for f in data["features"]],
                   DriftThresholds.from_json(data["thresholds"]))

    def figure(self, feature: str):
        """Reference against current for one column: histograms on shared bins (numeric) or
        category shares (categorical), as a plotly Figure."""
        from .figures import feature_figure
        return feature_figure(self[feature])

    def summary_figure(self):
        """Each column's effect size against its threshold, coloured by drifted."""
        from .figures import summary_figure
        return summary_figure(self)

    def verdict(self) -> str:
        drifted = self.drifted_features
        head = "Dataset drift detected" if self.drifted else "No dataset drift"
        return (f"{head}: {len(drifted)} of {len(self.features)} columns drifted "
                f"({self.drift_share:.0%}; the dataset counts as drifted from "
                f"{self.thresholds.dataset_share:.0%})"
                + (f": {', '.join(drifted)}" if drifted else ""))

    def _repr_html_(self) -> str:
        from .html import report_html
        return report_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self._repr_html_(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"<DriftReport {self.verdict()}>"
