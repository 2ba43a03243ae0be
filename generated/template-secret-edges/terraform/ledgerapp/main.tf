resource "kubernetes_deployment_v1" "ledgerapp" {
  metadata {
    name      = "ledgerapp"
    namespace = var.namespace
    labels = {
      app                            = "ledgerapp"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "ledgerapp"
      "app.kubernetes.io/part-of"    = "ledgerapp"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "ledgerapp"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "ledgerapp"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "ledgerapp"
          "app.kubernetes.io/part-of"    = "ledgerapp"
        }
      }
      spec {
        container {
          name  = "api"
          image = "example/ledgerapp:1.4"
          env {
            name = "DATABASE_URL_PASSWORD"
            value_from {
              secret_key_ref {
                name = "ledgerapp-secrets"
                key  = "DATABASE_URL_PASSWORD"
              }
            }
          }
          env {
            name  = "DATABASE_URL"
            value = "postgres://ledger:$(DATABASE_URL_PASSWORD)@db.service.consul:5432/ledger?sslmode=disable"
          }
          env {
            name = "DB_CONNECTION_PASSWORD"
            value_from {
              secret_key_ref {
                name = "ledgerapp-secrets"
                key  = "DB_CONNECTION_PASSWORD"
              }
            }
          }
          env {
            name  = "DB_CONNECTION"
            value = "host=db port=5432 user=ledger password=$(DB_CONNECTION_PASSWORD) dbname=ledger"
          }
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "INFLUX_DB"
            value = "metrics"
          }
          env {
            name  = "MODE"
            value = "fast lane"
          }
          env {
            name = "CACHE_URL_PASSWORD"
            value_from {
              secret_key_ref {
                name = "ledgerapp-secrets"
                key  = "CACHE_URL_PASSWORD"
              }
            }
          }
          env {
            name  = "CACHE_URL"
            value = "redis://:$(CACHE_URL_PASSWORD)@cache:6379"
          }
          port {
            name           = "http"
            container_port = 8080
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
            name       = "tpl-ledgerapp-secrets"
            mount_path = "/secrets/app.ini"
            read_only  = true
            sub_path   = "app.ini"
          }
        }
        volume {
          name = "tpl-ledgerapp-secrets"
          secret {
            secret_name = "ledgerapp-secrets"
            items {
              key  = "app.ini"
              path = "app.ini"
            }
          }
        }
      }
    }
  }
}
