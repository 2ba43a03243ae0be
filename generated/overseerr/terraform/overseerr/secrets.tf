resource "kubectl_manifest" "external_secret_overseerr_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "overseerr-secrets"
      labels = {
        app                            = "overseerr"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "overseerr"
        "app.kubernetes.io/part-of"    = "overseerr"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/overseerr"
            property = "MINIO_ACCESS_KEY"
          }
          secretKey = "MINIO_ACCESS_KEY"
        },
        {
          remoteRef = {
            key      = "default/overseerr"
            property = "MINIO_SECRET_KEY"
          }
          secretKey = "MINIO_SECRET_KEY"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "overseerr-secrets"
        creationPolicy = "Owner"
      }
    }
  })
}
