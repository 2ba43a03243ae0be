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
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
          }
        }
      }
    }
  }
}
