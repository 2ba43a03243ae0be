path "secret/data/default/miniflux" {
  capabilities = ["read"]
}

path "secret/metadata/default/miniflux" {
  capabilities = ["read"]
}
