resource "kubectl_manifest" "external_secret_restic_backup_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "restic-backup-secrets"
      labels = {
        app                            = "restic-backup"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "restic-backup"
        "app.kubernetes.io/part-of"    = "restic-backup"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/restic-backup"
            property = "RESTIC_PASSWORD"
          }
          secretKey = "RESTIC_PASSWORD"
        },
        {
          remoteRef = {
            key      = "default/restic-backup"
            property = "MINIO_ACCESS_KEY"
          }
          secretKey = "MINIO_ACCESS_KEY"
        },
        {
          remoteRef = {
            key      = "default/restic-backup"
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
        name           = "restic-backup-secrets"
        creationPolicy = "Owner"
      }
    }
  })
}
