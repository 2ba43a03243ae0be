path "secret/data/default/restic-backup" {
  capabilities = ["read"]
}

path "secret/metadata/default/restic-backup" {
  capabilities = ["read"]
}
