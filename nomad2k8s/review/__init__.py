"""The go/no-go review: severities, verdicts, grouped actions, waves, report.json."""
