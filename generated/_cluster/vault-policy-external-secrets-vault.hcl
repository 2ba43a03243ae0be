path "secret/data/default/app" {
  capabilities = ["read"]
}

path "secret/data/default/ledgerapp" {
  capabilities = ["read"]
}

path "secret/data/default/miniflux" {
  capabilities = ["read"]
}

path "secret/data/default/overseerr" {
  capabilities = ["read"]
}

path "secret/data/default/restic-backup" {
  capabilities = ["read"]
}

path "secret/data/default/shop" {
  capabilities = ["read"]
}

path "secret/data/ledgerapp" {
  capabilities = ["read"]
}

path "secret/data/nomad-vars/nomad/jobs/minio" {
  capabilities = ["read"]
}

path "secret/metadata/default/app" {
  capabilities = ["read"]
}

path "secret/metadata/default/ledgerapp" {
  capabilities = ["read"]
}

path "secret/metadata/default/miniflux" {
  capabilities = ["read"]
}

path "secret/metadata/default/overseerr" {
  capabilities = ["read"]
}

path "secret/metadata/default/restic-backup" {
  capabilities = ["read"]
}

path "secret/metadata/default/shop" {
  capabilities = ["read"]
}

path "secret/metadata/ledgerapp" {
  capabilities = ["read"]
}

path "secret/metadata/nomad-vars/nomad/jobs/minio" {
  capabilities = ["read"]
}
