resource "kubectl_manifest" "cluster_secret_store_vault" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ClusterSecretStore"
    metadata = {
      name = "vault"
    }
    spec = {
      provider = {
        vault = {
          auth = {
            kubernetes = {
              mountPath = "kubernetes"
              role      = "external-secrets"
              serviceAccountRef = {
                name      = "external-secrets"
                namespace = "external-secrets"
              }
            }
          }
          path    = "secret"
          server  = "https://vault.example.invalid:8200"
          version = "v2"
        }
      }
    }
  })
}
