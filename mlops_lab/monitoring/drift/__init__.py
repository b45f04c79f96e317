"""Data and prediction drift: is the data a model sees now distributed like the data it was
trained on? Per-column tests with a multiple-testing correction and an effect-size floor, so
that large samples do not cry wolf over differences too small to matter.

    profile = ReferenceProfile.from_frame(train)          # once; store profile.to_json()
    report = detect_drift(profile, recent)                # or detect_drift(train, recent)
    report.drifted, report.drifted_features, report.to_frame(), report.figure("age")
"""

from .detect import detect_drift
from .profile import ReferenceProfile
from .report import DriftReport, FeatureDrift
from .thresholds import DriftThresholds

__all__ = ["DriftReport", "DriftThresholds", "FeatureDrift", "ReferenceProfile", "detect_drift"]
