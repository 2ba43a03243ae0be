"""Decisions that stick: `nomad2k8s.decisions.yaml` records, per service and ledger row, that an open
item is done, accepted, or answered with a hint, so the next conversion shows it closed.

Modules: model (Decision, DecisionsFile, DecisionsError), load (find and validate the file, with
file:line errors), match (which rows a decision names; the settings' fingerprint), answers (answered
decisions as meta hints injected before conversion), apply (`apply_decisions`, called by
batch.convert_files, then `close_decisions` at the end of run_batch: closures and stale decisions on each
ServiceResult), write (append an entry as text), record (`nomad2k8s decide`:
append one checked entry). The closures' shape is nomad2k8s/review/closures.py.
"""
