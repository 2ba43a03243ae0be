path "secret/data/default/ledgerapp" {
  capabilities = ["read"]
}

path "secret/data/ledgerapp" {
  capabilities = ["read"]
}

path "secret/metadata/default/ledgerapp" {
  capabilities = ["read"]
}

path "secret/metadata/ledgerapp" {
  capabilities = ["read"]
}
