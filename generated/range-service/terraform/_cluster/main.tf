resource "kubernetes_service_v1" "cache" {
  metadata {
    name      = "cache"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/hybrid-period" = "remove once cache runs in Kubernetes (it is not converted in this run)"
    }
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
    }
  }
  spec {
    external_name = "cache.service.consul"
    type          = "ExternalName"
  }
}
