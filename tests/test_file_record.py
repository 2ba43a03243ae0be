"""The record of written files finds the files below a directory through its index, not a scan of the
whole record (ownership.FileRecord): the index agrees with a scan whatever is added and removed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nomad2k8s.ownership import FileRecord

_PARTS = st.sampled_from(["a", "b", "a.b", "web", "x-1"])
_PATHS = st.lists(_PARTS, min_size=1, max_size=4).map("/".join)
_OPS = st.lists(st.tuples(st.booleans(), _PATHS), max_size=40)


def _scan(record: dict[str, str], directory: str) -> list[str]:
    return [rel for rel in record if rel.startswith(f"{directory}/")]


@settings(max_examples=200, deadline=None)
@given(initial=st.dictionaries(_PATHS, st.just("sha"), max_size=10), ops=_OPS, probe=_PATHS)
def test_the_index_agrees_with_a_scan(initial: dict[str, str], ops: list[tuple[bool, str]], probe: str) -> None:
    record, plain = FileRecord(initial), dict(initial)
    for add, rel in ops:
        if add:
            record[rel] = plain[rel] = f"sha-{len(plain)}"
        elif rel in plain:
            del record[rel], plain[rel]
    assert dict(record) == plain
    directories = {probe} | {"/".join(r.split("/")[:n]) for r in plain for n in range(1, r.count("/") + 1)}
    for directory in directories:
        assert record.under(directory) == _scan(plain, directory), directory
