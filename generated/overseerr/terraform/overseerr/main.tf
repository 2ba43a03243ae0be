resource "kubernetes_service_v1" "overseerr" {
  metadata {
    name      = "overseerr"
    namespace = var.namespace
    labels = {
      app                            = "overseerr"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "overseerr"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  spec {
    selector = {
      app = "overseerr"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 5055
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_stateful_set_v1" "overseerr" {
  metadata {
    name      = "overseerr"
    namespace = var.namespace
    labels = {
      app                            = "overseerr"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "overseerr"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  spec {
    replicas     = "1"
    service_name = "overseerr"
    selector {
      match_labels = {
        app = "overseerr"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "overseerr"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "overseerr"
          "app.kubernetes.io/part-of"    = "overseerr"
        }
      }
      spec {
        container {
          name  = "overseerr"
          image = "sctx/overseerr:1.33.2"
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name  = "PORT"
            value = "5055"
          }
          port {
            name           = "http"
            container_port = 5055
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "768Mi"
            }
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
          }
        }
        container {
          name  = "litestream"
          args  = ["replicate", "-config", "/local/litestream.yml"]
          image = "litestream/litestream:0.3.13"
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
          }
        }
        init_container {
          name  = "litestream-restore"
          args  = ["restore", "-if-db-not-exists", "-if-replica-exists", "-config", "/local/litestream.yml", "/alloc/data/db.sqlite3"]
          image = "litestream/litestream:0.3.13"
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "64Mi"
            }
          }
        }
      }
    }
  }
}
