resource "kubernetes_service_v1" "shop_api_api" {
  metadata {
    name      = "shop-api-api"
    namespace = var.namespace
    annotations = {
      "example.com/migrated-from" = "nomad"
    }
    labels = {
      app                            = "shop-api-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api-api"
      "app.kubernetes.io/part-of"    = "shop-api"
      "example.com/team"             = "platform"
    }
  }
  spec {
    cluster_ip = "None"
    selector = {
      app = "shop-api-api"
    }
  }
}

resource "kubernetes_deployment_v1" "shop_api_worker" {
  metadata {
    name      = "shop-api-worker"
    namespace = "retail-workers"
    annotations = {
      "example.com/migrated-from" = "nomad"
    }
    labels = {
      app                            = "shop-api-worker"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api-worker"
      "app.kubernetes.io/part-of"    = "shop-api"
      "example.com/team"             = "platform"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "shop-api-worker"
      }
    }
    template {
      metadata {
        annotations = {
          "example.com/migrated-from" = "nomad"
        }
        labels = {
          app                            = "shop-api-worker"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-api-worker"
          "app.kubernetes.io/part-of"    = "shop-api"
          "example.com/team"             = "platform"
        }
      }
      spec {
        container {
          name  = "worker"
          image = "ghcr.io/example/shop-worker:2.4.1"
          env {
            name  = "NOMAD_META_owner"
            value = "retail"
          }
          resources {
            limits = {
              cpu    = "200m"
              memory = "512Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
          }
        }
        image_pull_secrets {
          name = "registry-credentials"
        }
      }
    }
  }
}

resource "kubernetes_stateful_set_v1" "shop_api_api" {
  metadata {
    name      = "shop-api-api"
    namespace = var.namespace
    annotations = {
      "example.com/migrated-from" = "nomad"
    }
    labels = {
      app                            = "shop-api-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api-api"
      "app.kubernetes.io/part-of"    = "shop-api"
      "example.com/team"             = "platform"
    }
  }
  spec {
    replicas     = "3"
    service_name = "shop-api-api"
    selector {
      match_labels = {
        app = "shop-api-api"
      }
    }
    template {
      metadata {
        annotations = {
          "example.com/migrated-from" = "nomad"
        }
        labels = {
          app                            = "shop-api-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-api-api"
          "app.kubernetes.io/part-of"    = "shop-api"
          "example.com/team"             = "platform"
        }
      }
      spec {
        container {
          name  = "api"
          image = "ghcr.io/example/shop-api:2.4.1"
          env {
            name  = "NOMAD_META_owner"
            value = "retail"
          }
          resources {
            limits = {
              cpu = "500m"
            }
            requests = {
              cpu    = "250m"
              memory = "256Mi"
            }
          }
        }
        image_pull_secrets {
          name = "registry-credentials"
        }
      }
    }
  }
}
