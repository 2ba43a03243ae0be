"""The estate review's work grows with the estate, not with its square: counted, never timed."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from nomad2k8s.convert import ServiceResult
from nomad2k8s.ledger import Ledger
from nomad2k8s.review.report import ServiceReview, link_estate


def _services(count: int) -> list[ServiceReview]:
    return [ServiceReview(ServiceResult(f"svc{i}", Path(f"jobs/svc{i}.nomad.hcl"), "hcl2", [],
                                        Ledger(service=f"svc{i}")), f"svc{i}", f"jobs/svc{i}.nomad.hcl", [])
            for i in range(count)]


def test_an_estate_without_intentions_takes_no_jobspec_path_per_pair_of_services(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    as_posix = PurePath.as_posix
    monkeypatch.setattr(PurePath, "as_posix", lambda self: (calls.append(1), as_posix(self))[1])
    services = _services(60)
    link_estate(services)
    assert [s.key for s in services] == [f"svc{i}" for i in range(60)]
    assert len(calls) <= 2 * len(services)  # it was once per pair: 3,600
