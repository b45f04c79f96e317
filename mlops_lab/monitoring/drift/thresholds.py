"""The thresholds that decide when a column has drifted, each with a documented default."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class DriftThresholds:
    """When a column counts as drifted.

    A column is drifted only when BOTH hold: its p-value, adjusted by Benjamini-Hochberg across
    the columns tested in one call, is below `alpha` (the difference is real, not sampling
    noise), AND its effect size reaches the practical floor of its kind (the difference is big
    enough to matter). The p-value alone cries wolf on large samples; the effect size alone
    cries wolf on small ones.

    alpha                0.05  false discovery rate across the columns of one call.
    wasserstein_floor    0.1   numeric columns: Wasserstein distance / reference standard
                               deviation (0.1 = the distribution moved by a tenth of a standard
                               deviation on average; a +0.25 sd shift gives 0.25).
    jensen_shannon_floor 0.05  categorical columns: Jensen-Shannon distance (base 2, 0..1)
                               between the category shares (one category gaining 10 points of
                               share from three equal others gives about 0.09).
    psi_floor            None  if set, the population stability index must also reach it
                               (0.1 "some change", 0.25 "large change" by the usual rule of
                               thumb). PSI is always computed and reported.
    noise_multiple       3.5   numeric columns: on small samples the floor grows to
                               noise_multiple x sqrt(1/n_reference + 1/n_current), the normed
                               Wasserstein distance two samples of one distribution exceed by
                               chance about once in a thousand (measured: 3.1-3.4 at 500-5,000
                               rows, normal and skewed data), so noise is not called drift;
                               from about 5,000 rows a side it is below wasserstein_floor.
                               Categorical columns likewise: the floor grows to the
                               Jensen-Shannon distance a chi-square's 99.9th percentile gives
                               at these sizes. 0 switches both off.
    new_values_floor     0.1   columns with a single value in the reference: drifted when the
                               share of current values that differ from it reaches this.
    min_rows             30    fewer non-missing values than this on either side: "not enough
                               data", never drifted.
    dataset_share        0.5   the dataset counts as drifted when the share of drifted columns
                               among the columns compared is at least this.
    """

    alpha: float = 0.05
    wasserstein_floor: float = 0.1
    jensen_shannon_floor: float = 0.05
    psi_floor: float | None = None
    noise_multiple: float = 3.5
    new_values_floor: float = 0.1
    min_rows: int = 30
    dataset_share: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha!r}")
        if not 0 <= self.dataset_share <= 1:
            raise ValueError(f"dataset_share must be between 0 and 1, got {self.dataset_share!r}")
        if self.min_rows < 1:
            raise ValueError(f"min_rows must be at least 1, got {self.min_rows!r}")
        for name in ("wasserstein_floor", "jensen_shannon_floor", "new_values_floor",
                     "noise_multiple"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")

    def floor_for(self, kind: str) -> float:
        """The effect-size floor of a column of `kind` ("numeric" or "categorical")."""
        return self.wasserstein_floor if kind == "numeric" else self.jensen_shannon_floor

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "DriftThresholds":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown drift thresholds {sorted(unknown)}; known: {sorted(known)}")
        return cls(**data)
