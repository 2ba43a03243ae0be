resource "kubernetes_deployment_v1" "gitea" {
  metadata {
    name      = "gitea"
    namespace = var.namespace
    labels = {
      app                            = "gitea"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "gitea"
      "app.kubernetes.io/part-of"    = "gitea"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "gitea"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "gitea"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "gitea"
          "app.kubernetes.io/part-of"    = "gitea"
        }
      }
      spec {
        termination_grace_period_seconds = 60
        container {
          name  = "gitea"
          args  = ["/bin/sh", "-c", "exec /usr/bin/entrypoint"]
          image = "gitea/gitea:1.21.11"
          lifecycle {
            post_start {
              exec {
                command = ["gitea", "admin", "regenerate", "hooks"]
              }
            }
            pre_stop {
              exec {
                command = ["/bin/sh", "-c", "sleep 15; kill -QUIT 1"]
              }
            }
          }
          port {
            name           = "http"
            container_port = 3000
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "512Mi"
            }
            requests = {
              cpu    = "500m"
              memory = "512Mi"
            }
          }
        }
        container {
          name  = "shipper"
          args  = ["-config.file=/etc/promtail/config.yml"]
          image = "grafana/promtail:2.9.8"
          lifecycle {
            pre_stop {
              sleep {
                seconds = 7
              }
            }
          }
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
          }
        }
        init_container {
          name  = "migrate"
          args  = ["gitea", "migrate"]
          image = "gitea/gitea:1.21.11"
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
          }
        }
        init_container {
          name           = "proxy"
          image          = "envoyproxy/envoy:v1.29.4"
          restart_policy = "Always"
          lifecycle {
            pre_stop {
              sleep {
                seconds = 5
              }
            }
          }
          resources {
            limits = {
              memory = "64Mi"
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
