resource "kubectl_manifest" "external_secret_minio_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "minio-secrets"
      labels = {
        app                            = "minio"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "minio"
        "app.kubernetes.io/part-of"    = "minio"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "nomad-vars/nomad/jobs/minio"
            property = "root_user"
          }
          secretKey = "root_user"
        },
        {
          remoteRef = {
            key      = "nomad-vars/nomad/jobs/minio"
            property = "root_password"
          }
          secretKey = "root_password"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "minio-secrets"
        creationPolicy = "Owner"
      }
    }
  })
}
