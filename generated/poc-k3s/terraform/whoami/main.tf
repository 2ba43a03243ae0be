resource "kubernetes_service_v1" "whoami" {
  metadata {
    name      = "whoami"
    namespace = var.namespace
    labels = {
      app                            = "whoami"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami"
      "app.kubernetes.io/part-of"    = "whoami"
    }
  }
  spec {
    selector = {
      app = "whoami"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 80
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "whoami" {
  metadata {
    name      = "whoami"
    namespace = var.namespace
    labels = {
      app                            = "whoami"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami"
      "app.kubernetes.io/part-of"    = "whoami"
    }
  }
  spec {
    min_ready_seconds         = 10
    progress_deadline_seconds = 300
    replicas                  = "1"
    selector {
      match_labels = {
        app = "whoami"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "whoami"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "whoami"
          "app.kubernetes.io/part-of"    = "whoami"
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
          name  = "whoami"
          args  = ["--name", "whoami-nomad"]
          image = "traefik/whoami:v1.10.3"
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name  = "NOMAD_META_owner"
            value = "platform"
          }
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 2
            http_get {
              path = "/"
              port = "http"
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
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "whoami" {
  metadata {
    name      = "whoami"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "whoami"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami"
      "app.kubernetes.io/part-of"    = "whoami"
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
              name = "whoami"
              port {
                number = 80
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
