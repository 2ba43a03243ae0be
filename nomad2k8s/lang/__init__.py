"""Pure readers of the languages embedded in jobspecs (Go templates, consul-template, Traefik
tags, env files). No GroupContext, no ledger: data in, data out."""
