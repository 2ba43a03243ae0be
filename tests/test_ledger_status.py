"""The one status order (worst first: needs-decision > dropped > changed > mapped)."""

from nomad2k8s.ledger import STATUS_ORDER, Status


def test_status_order_is_worst_first() -> None:
    assert STATUS_ORDER == [Status.NEEDS_DECISION, Status.DROPPED, Status.CHANGED, Status.MAPPED]
    assert [s.rank for s in STATUS_ORDER] == [3, 2, 1, 0]


def test_worst_folds_values_and_iterables() -> None:
    assert Status.worst() is Status.MAPPED
    assert Status.worst(Status.CHANGED, Status.MAPPED) is Status.CHANGED
    assert Status.worst(Status.CHANGED, [Status.DROPPED, Status.MAPPED]) is Status.DROPPED
    assert Status.worst(s for s in (Status.DROPPED, Status.NEEDS_DECISION)) is Status.NEEDS_DECISION


def test_no_hand_written_status_ranking_left() -> None:
    """A ranking list/dict of statuses outside ledger/status.py would be a second order."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "nomad2k8s"
    ranking = re.compile(r"Status\.\w+\s*:\s*\d|\[Status\.\w+, Status\.\w+, Status\.\w+")
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "status.py" and ranking.search(p.read_text())]
    assert offenders == []
