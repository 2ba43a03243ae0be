resource "kubernetes_service_v1" "webapp_web" {
  metadata {
    name      = "webapp-web"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/consul-tags" = "web,public"
    }
    labels = {
      app                            = "webapp"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "webapp"
      "app.kubernetes.io/part-of"    = "webapp"
    }
  }
  spec {
    selector = {
      app = "webapp"
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

resource "kubernetes_deployment_v1" "webapp" {
  metadata {
    name      = "webapp"
    namespace = var.namespace
    labels = {
      app                            = "webapp"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "webapp"
      "app.kubernetes.io/part-of"    = "webapp"
    }
  }
  spec {
    replicas = "2"
    selector {
      match_labels = {
        app = "webapp"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "webapp"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "webapp"
          "app.kubernetes.io/part-of"    = "webapp"
        }
      }
      spec {
        container {
          name  = "web"
          image = "ghcr.io/example/webapp:1.4.2"
          env {
            name  = "APP_MODE"
            value = "production"
          }
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "WORKERS"
            value = "8"
          }
          env {
            name  = "NOMAD_META_pack_version"
            value = "0.1.0"
          }
          port {
            name           = "http"
            container_port = 8080
            protocol       = "TCP"
          }
          port {
            name           = "metrics"
            container_port = 9100
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 15
            timeout_seconds = 2
            http_get {
              path = "/healthz"
              port = "http"
            }
          }
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "250m"
              memory = "256Mi"
            }
          }
        }
      }
    }
  }
}
