path "secret/data/default/overseerr" {
  capabilities = ["read"]
}

path "secret/metadata/default/overseerr" {
  capabilities = ["read"]
}
