path "secret/data/default/shop" {
  capabilities = ["read"]
}

path "secret/metadata/default/shop" {
  capabilities = ["read"]
}
