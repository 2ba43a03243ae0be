"""The secret detector: one set of rules (rules.py) applied at one boundary (scrub.py) to every
string the tool writes — manifests, Terraform, reports, ledger.json, stdout and stderr.

Mappers that can move a value behind a reference (env, templates: mapping/config/plaintext.py) do so
at the source; everything else that reaches an output is redacted as `«redacted: N chars»`.
scrub.py is imported by the output layer only (`from nomad2k8s.secrets.scrub import ...`): the
ledger uses the rules, and the scrubber reads converted results.
"""
