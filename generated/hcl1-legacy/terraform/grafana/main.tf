resource "kubernetes_service_v1" "grafana" {
  metadata {
    name      = "grafana"
    namespace = var.namespace
    labels = {
      app                            = "grafana"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "grafana"
      "app.kubernetes.io/part-of"    = "grafana"
    }
  }
  spec {
    selector = {
      app = "grafana"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 3000
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "grafana" {
  metadata {
    name      = "grafana"
    namespace = var.namespace
    labels = {
      app                            = "grafana"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "grafana"
      "app.kubernetes.io/part-of"    = "grafana"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "grafana"
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
          app                            = "grafana"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "grafana"
          "app.kubernetes.io/part-of"    = "grafana"
        }
      }
      spec {
        container {
          name  = "grafana"
          image = "grafana/grafana:6.7.4"
          env {
            name  = "GF_SERVER_ROOT_URL"
            value = "https://grafana.brmartin.co.uk"
          }
          env {
            name  = "GF_SERVER_DOMAIN"
            value = "grafana.brmartin.co.uk"
          }
          env {
            name  = "GF_AUTH_ANONYMOUS_ENABLED"
            value = "false"
          }
          env {
            name  = "GF_INSTALL_PLUGINS"
            value = "grafana-piechart-panel,grafana-clock-panel"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          port {
            name           = "http"
            container_port = 3000
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 15
            timeout_seconds = 3
            http_get {
              path = "/api/health"
              port = "http"
            }
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
            name       = "host-storage-v-glusterfs-grafana-data"
            mount_path = "/var/lib/grafana"
          }
        }
        volume {
          name = "host-storage-v-glusterfs-grafana-data"
          host_path {
            path = "/storage/v/glusterfs_grafana_data"
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "grafana" {
  metadata {
    name      = "grafana"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "grafana"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "grafana"
      "app.kubernetes.io/part-of"    = "grafana"
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
              name = "grafana"
              port {
                number = 3000
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
