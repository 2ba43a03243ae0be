path "secret/data/nomad-vars/nomad/jobs/minio" {
  capabilities = ["read"]
}

path "secret/metadata/nomad-vars/nomad/jobs/minio" {
  capabilities = ["read"]
}
