resource "kubernetes_service_v1" "minio_minio" {
  metadata {
    name      = "minio-minio"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/hybrid-period" = "remove once minio-minio runs in Kubernetes (it is not converted in this run)"
    }
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
    }
  }
  spec {
    external_name = "minio-minio.service.consul"
    type          = "ExternalName"
  }
}

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
