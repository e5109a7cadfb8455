"""Shared test configuration: Hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) runs more examples, without deadlines on
a shared, noisy machine; the default ``dev`` profile stays quick; ``coverage`` (set by the
nox session of that name) is ``ci`` with fixed examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=50, deadline=None)
# The coverage session measures against a floor: the same examples on every run (until
# Hypothesis or a test changes), so the figure is reproducible rather than a draw. Lines
# are reached by the dev profile's count; tracing makes each example dearer, and the
# tests sessions already explore with the ci profile's count.
settings.register_profile(
    "coverage", parent=settings.get_profile("ci"), max_examples=50, derandomize=True, database=None
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
