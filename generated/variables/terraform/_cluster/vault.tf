# The cluster's API address and CA for Vault's Kubernetes auth are not known to nomad2k8s: configure
# the kubernetes auth backend (vault_kubernetes_auth_backend_config) where the cluster is known.
resource "vault_policy" "external_secrets_vault" {
  name   = "external-secrets-vault"
  policy = file("${path.module}/vault-policy-external-secrets-vault.hcl")
}

resource "vault_kubernetes_auth_backend_role" "external_secrets" {
  backend                          = "kubernetes"
  role_name                        = "external-secrets"
  bound_service_account_names      = ["external-secrets"]
  bound_service_account_namespaces = ["external-secrets"]
  token_policies                   = [vault_policy.external_secrets_vault.name]
  token_ttl                        = 3600
}
