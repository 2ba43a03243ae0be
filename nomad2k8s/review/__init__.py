"""The go/no-go review (issue 15): each ledger entry's severity, rows deduplicated by cause and closed by
decisions, the service verdict, the estate's grouped actions and migration waves, and report.json.

Modules, in the order data flows: severity (the one rule entry -> severity), rows (dedupe, closures),
verdict, actions (grouping), waves (dependency order), report (the report.json document)."""
