resource "kubectl_manifest" "external_secret_miniflux_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "miniflux-secrets"
      labels = {
        app                            = "miniflux"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "miniflux"
        "app.kubernetes.io/part-of"    = "miniflux"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/miniflux"
            property = "DATABASE_URL"
          }
          secretKey = "DATABASE_URL"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "miniflux-secrets"
        creationPolicy = "Owner"
      }
    }
  })
}
