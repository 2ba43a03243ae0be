resource "kubernetes_service_v1" "miniflux" {
  metadata {
    name      = "miniflux"
    namespace = var.namespace
    labels = {
      app                            = "miniflux"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "miniflux"
      "app.kubernetes.io/part-of"    = "miniflux"
    }
  }
  spec {
    selector = {
      app = "miniflux"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 8080
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "miniflux" {
  metadata {
    name      = "miniflux"
    namespace = var.namespace
    labels = {
      app                            = "miniflux"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "miniflux"
      "app.kubernetes.io/part-of"    = "miniflux"
    }
  }
  spec {
    replicas = "2"
    selector {
      match_labels = {
        app = "miniflux"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "miniflux"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "miniflux"
          "app.kubernetes.io/part-of"    = "miniflux"
        }
      }
      spec {
        container {
          name  = "miniflux"
          image = "miniflux/miniflux:2.1.3"
          env {
            name  = "LISTEN_ADDR"
            value = "0.0.0.0:8080"
          }
          env {
            name  = "BASE_URL"
            value = "https://rss.brmartin.co.uk"
          }
          env {
            name  = "LOG_LEVEL"
            value = "warning"
          }
          env {
            name  = "RUN_MIGRATIONS"
            value = "1"
          }
          env {
            name  = "POLLING_FREQUENCY"
            value = "30"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name = "DATABASE_URL"
            value_from {
              secret_key_ref {
                name = "miniflux-secrets"
                key  = "DATABASE_URL"
              }
            }
          }
          port {
            name           = "http"
            container_port = 8080
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 20
            timeout_seconds = 3
            http_get {
              path = "/healthcheck"
              port = "http"
            }
          }
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "miniflux" {
  metadata {
    name      = "miniflux"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "miniflux"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "miniflux"
      "app.kubernetes.io/part-of"    = "miniflux"
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
              name = "miniflux"
              port {
                number = 8080
              }
            }
          }
        }
      }
    }
    tls {
      hosts = [var.hostname]
    }
  }
}
