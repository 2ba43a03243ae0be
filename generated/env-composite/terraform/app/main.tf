resource "kubernetes_deployment_v1" "app" {
  metadata {
    name      = "app"
    namespace = var.namespace
    labels = {
      app                            = "app"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "app"
      "app.kubernetes.io/part-of"    = "app"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "app"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "app"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "app"
          "app.kubernetes.io/part-of"    = "app"
        }
      }
      spec {
        container {
          name  = "app"
          image = "ghcr.io/example/app:2.4.1"
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "APP_ENV"
            value = "production"
          }
          env {
            name  = "WORKERS"
            value = "4"
          }
          env {
            name = "DB_PASSWORD"
            value_from {
              secret_key_ref {
                name = "app-secrets"
                key  = "DB_PASSWORD"
              }
            }
          }
          env {
            name  = "DATABASE_URL"
            value = "postgres://app:$(DB_PASSWORD)@db.service.consul:5432/app?sslmode=require"
          }
          env {
            name  = "TASK_DIR"
            value = "/local"
          }
          env {
            name = "WEBHOOK_SECRET"
            value_from {
              secret_key_ref {
                name = "app-secrets"
                key  = "WEBHOOK_SECRET"
              }
            }
          }
          port {
            name           = "http"
            container_port = 8000
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
          }
          volume_mount {
            name       = "nomad-local-app"
            mount_path = "/local"
          }
          volume_mount {
            name       = "tpl-app-secrets"
            mount_path = "/local/config.yml"
            read_only  = true
            sub_path   = "config.yml"
          }
        }
        volume {
          name = "nomad-local-app"
          empty_dir {}
        }
        volume {
          name = "tpl-app-secrets"
          secret {
            secret_name = "app-secrets"
            items {
              key  = "config.yml"
              mode = "0640"
              path = "config.yml"
            }
          }
        }
      }
    }
  }
}
