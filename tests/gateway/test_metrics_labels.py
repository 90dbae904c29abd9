from __future__ import annotations

from gateway.metrics import OperationLabels


def test_operation_labels_are_bounded() -> None:
    labels = OperationLabels(limit=2)
    assert labels("Jobs") == "Jobs"
    assert labels("Candidates") == "Candidates"
    assert labels("Third") == "other"
    assert labels("Jobs") == "Jobs"
    assert labels("x" * 65) == "other"
    assert labels("bad name!") == "other"
