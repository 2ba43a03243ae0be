resource "kubernetes_service_v1" "echo_server" {
  metadata {
    name      = "echo-server"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/consul-tags" = "mesh,demo"
    }
    labels = {
      app                            = "echo-server"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "echo-server"
      "app.kubernetes.io/part-of"    = "echo-server"
    }
  }
  spec {
    selector = {
      app = "echo-server"
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

resource "kubernetes_deployment_v1" "echo_server" {
  metadata {
    name      = "echo-server"
    namespace = var.namespace
    labels = {
      app                            = "echo-server"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "echo-server"
      "app.kubernetes.io/part-of"    = "echo-server"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "echo-server"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "echo-server"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "echo-server"
          "app.kubernetes.io/part-of"    = "echo-server"
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
          name  = "echo-server"
          image = "ealen/echo-server:0.9.2"
          env {
            name  = "PORT"
            value = "80"
          }
          env {
            name  = "ENABLE__ENVIRONMENT"
            value = "false"
          }
          env {
            name  = "ENABLE__COOKIES"
            value = "false"
          }
          env {
            name  = "LOGS__IGNORE__PING"
            value = "true"
          }
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 15
            timeout_seconds = 3
            tcp_socket {
              port = "http"
            }
          }
          resources {
            limits = {
              memory = "96Mi"
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
