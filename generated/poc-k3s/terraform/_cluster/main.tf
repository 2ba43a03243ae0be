resource "kubernetes_config_map_v1" "coredns_custom" {
  metadata {
    name      = "coredns-custom"
    namespace = "kube-system"
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
    }
  }
  data = {
    "consul.server" = <<-EOT
      consul:53 {
          errors
          cache 30
          forward . 10.0.0.2:8600
      }
    EOT
  }
}

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

resource "kubectl_manifest" "cluster_secret_store_vault_backend" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ClusterSecretStore"
    metadata = {
      name = "vault-backend"
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
          path    = "nomad"
          server  = "https://vault.example.invalid:8200"
          version = "v2"
        }
      }
    }
  })
}
