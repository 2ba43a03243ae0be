"""What a task reads: templates (ConfigMaps, env, ExternalSecrets), Vault access, clear-text secrets."""
