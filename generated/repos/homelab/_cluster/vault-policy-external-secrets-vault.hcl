path "secret/data/nomad-vars/nomad/jobs/web" {
  capabilities = ["read"]
}

path "secret/metadata/nomad-vars/nomad/jobs/web" {
  capabilities = ["read"]
}
