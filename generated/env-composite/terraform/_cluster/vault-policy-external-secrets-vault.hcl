path "secret/data/default/app" {
  capabilities = ["read"]
}

path "secret/metadata/default/app" {
  capabilities = ["read"]
}
