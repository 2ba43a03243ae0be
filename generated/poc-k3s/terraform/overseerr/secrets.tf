resource "kubectl_manifest" "external_secret_overseerr_litestream_env" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1beta1"
    kind       = "ExternalSecret"
    metadata = {
      name = "overseerr-litestream-env"
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
            key      = "nomad/default/overseerr"
            property = "MINIO_ACCESS_KEY"
          }
          secretKey = "LITESTREAM_ACCESS_KEY_ID"
        },
        {
          remoteRef = {
            key      = "nomad/default/overseerr"
            property = "MINIO_SECRET_KEY"
          }
          secretKey = "LITESTREAM_SECRET_ACCESS_KEY"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault-backend"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "overseerr-litestream-env"
        creationPolicy = "Owner"
      }
    }
  })
}

resource "kubectl_manifest" "external_secret_overseerr_litestream_restore_env" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1beta1"
    kind       = "ExternalSecret"
    metadata = {
      name = "overseerr-litestream-restore-env"
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
            key      = "nomad/default/overseerr"
            property = "MINIO_ACCESS_KEY"
          }
          secretKey = "LITESTREAM_ACCESS_KEY_ID"
        },
        {
          remoteRef = {
            key      = "nomad/default/overseerr"
            property = "MINIO_SECRET_KEY"
          }
          secretKey = "LITESTREAM_SECRET_ACCESS_KEY"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault-backend"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "overseerr-litestream-restore-env"
        creationPolicy = "Owner"
      }
    }
  })
}
