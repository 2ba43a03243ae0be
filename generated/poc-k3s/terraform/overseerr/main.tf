resource "kubernetes_config_map_v1" "overseerr_config" {
  metadata {
    name      = "overseerr-config"
    namespace = var.namespace
    labels = {
      app                            = "overseerr"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "overseerr"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  data = {
    "litestream-litestream.yml" = "          dbs:\n            - path: /alloc/data/db.sqlite3\n              replicas:\n                - type: s3\n                  bucket: litestream-overseerr\n                  path: db.sqlite3\n                  endpoint: http://minio-minio.service.consul:9000\n                  region: eu-west-2\n                  force-path-style: true\n                  sync-interval: 10s"
    "litestream.yml"            = "          dbs:\n            - path: /alloc/data/db.sqlite3\n              replicas:\n                - type: s3\n                  bucket: litestream-overseerr\n                  path: db.sqlite3\n                  endpoint: http://minio-minio.service.consul:9000\n                  region: eu-west-2\n                  force-path-style: true"
  }
}

resource "kubernetes_persistent_volume_claim_v1" "overseerr_config" {
  metadata {
    name      = "overseerr-config"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = "local-path"
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

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

resource "kubernetes_service_v1" "overseerr_headless" {
  metadata {
    name      = "overseerr-headless"
    namespace = var.namespace
    labels = {
      app                            = "overseerr"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "overseerr"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  spec {
    cluster_ip = "None"
    selector = {
      app = "overseerr"
    }
    port {
      name        = "http"
      port        = 5055
      protocol    = "TCP"
      target_port = "5055"
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
    min_ready_seconds = 30
    replicas          = "1"
    service_name      = "overseerr-headless"
    selector {
      match_labels = {
        app = "overseerr"
      }
    }
    template {
      metadata {
        annotations = {
          "checksum/config" = "32dc80a2c9c2f5acffda5ed6c4d9d4a75352e7fdbc45e852ce3e1a36a6cbdf62"
        }
        labels = {
          app                            = "overseerr"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "overseerr"
          "app.kubernetes.io/part-of"    = "overseerr"
        }
      }
      spec {
        affinity {
          node_affinity {
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "kubernetes.io/arch"
                  operator = "In"
                  values   = ["amd64", "arm64"]
                }
              }
            }
          }
        }
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
          liveness_probe {
            failure_threshold     = 3
            initial_delay_seconds = 90
            period_seconds        = 30
            timeout_seconds       = 5
            http_get {
              path = "/api/v1/status"
              port = "http"
            }
          }
          port {
            name           = "http"
            container_port = 5055
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 30
            timeout_seconds = 5
            http_get {
              path = "/api/v1/status"
              port = "http"
            }
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
          volume_mount {
            name       = "config"
            mount_path = "/app/config"
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/alloc/data"
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/app/config/db"
          }
        }
        container {
          name  = "litestream"
          args  = ["replicate", "-config", "/local/litestream.yml"]
          image = "litestream/litestream:0.3.13"
          env_from {
            secret_ref {
              name = "overseerr-litestream-env"
            }
          }
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/litestream.yml"
            read_only  = true
            sub_path   = "litestream-litestream.yml"
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/alloc/data"
          }
        }
        init_container {
          name  = "litestream-restore"
          args  = ["restore", "-if-db-not-exists", "-if-replica-exists", "-config", "/local/litestream.yml", "/alloc/data/db.sqlite3"]
          image = "litestream/litestream:0.3.13"
          env_from {
            secret_ref {
              name = "overseerr-litestream-restore-env"
            }
          }
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "64Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/litestream.yml"
            read_only  = true
            sub_path   = "litestream.yml"
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/alloc/data"
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "overseerr-config"
            items {
              key  = "litestream-litestream.yml"
              path = "litestream-litestream.yml"
            }
            items {
              key  = "litestream.yml"
              path = "litestream.yml"
            }
          }
        }
        volume {
          name = "config"
          persistent_volume_claim {
            claim_name = "overseerr-config"
          }
        }
      }
    }
    volume_claim_template {
      metadata {
        name = "alloc-data"
      }
      spec {
        access_modes       = ["ReadWriteOnce"]
        storage_class_name = "local-path"
        resources {
          requests = {
            storage = "500Mi"
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "overseerr" {
  metadata {
    name      = "overseerr"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "overseerr"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "overseerr"
      "app.kubernetes.io/part-of"    = "overseerr"
    }
  }
  spec {
    ingress_class_name = "traefik"
    rule {
      host = var.hostname
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "overseerr"
              port {
                number = 5055
              }
            }
          }
        }
      }
    }
    tls {
      hosts       = [var.hostname]
      secret_name = "wildcard-brmartin-tls"
    }
  }
}
