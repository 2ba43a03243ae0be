resource "kubernetes_service_v1" "orders_api" {
  metadata {
    name      = "orders-api"
    namespace = var.namespace
    labels = {
      app                            = "orders-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "orders-api"
      "app.kubernetes.io/part-of"    = "orders-api"
    }
  }
  spec {
    selector = {
      app = "orders-api"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 8000
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "orders_api" {
  metadata {
    name      = "orders-api"
    namespace = var.namespace
    labels = {
      app                            = "orders-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "orders-api"
      "app.kubernetes.io/part-of"    = "orders-api"
    }
  }
  spec {
    replicas = "3"
    selector {
      match_labels = {
        app = "orders-api"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "orders-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "orders-api"
          "app.kubernetes.io/part-of"    = "orders-api"
        }
      }
      spec {
        container {
          name  = "api"
          image = "registry.example.org/orders-api:2.3.1"
          env {
            name  = "CACHE_TTL"
            value = "60s"
          }
          env {
            name  = "DB_POOL"
            value = "10"
          }
          env {
            name  = "SERVICE_NAME"
            value = "orders_api"
          }
          env {
            name  = "SHARDS"
            value = "shard-0,shard-1,shard-2"
          }
          env {
            name  = "PUBLIC_URL"
            value = "https://[[ .app.domain ]]/"
          }
          env {
            name  = "NOMAD_META_environment"
            value = "STAGING"
          }
          port {
            name           = "http"
            container_port = 8000
            protocol       = "TCP"
          }
          port {
            name           = "admin"
            container_port = 8001
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "384Mi"
            }
            requests = {
              cpu    = "300m"
              memory = "384Mi"
            }
          }
        }
      }
    }
  }
}
