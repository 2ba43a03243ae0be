path "nomad/data/default/overseerr" {
  capabilities = ["read"]
}

path "nomad/metadata/default/overseerr" {
  capabilities = ["read"]
}
