resource "kubernetes_service_v1" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = var.namespace
    annotations = {
      "nomad.service.meta/metrics_path" = "/metrics"
      "nomad2k8s.io/consul-tags"        = "prometheus,metrics"
    }
    labels = {
      app                            = "node-exporter"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "node-exporter"
      "app.kubernetes.io/part-of"    = "node-exporter"
    }
  }
  spec {
    selector = {
      app = "node-exporter"
    }
    type = "ClusterIP"
    port {
      name        = "metrics"
      port        = 9100
      protocol    = "TCP"
      target_port = "metrics"
    }
  }
}

resource "kubernetes_daemon_set_v1" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = var.namespace
    labels = {
      app                            = "node-exporter"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "node-exporter"
      "app.kubernetes.io/part-of"    = "node-exporter"
    }
  }
  spec {
    selector {
      match_labels = {
        app = "node-exporter"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "node-exporter"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "node-exporter"
          "app.kubernetes.io/part-of"    = "node-exporter"
        }
      }
      spec {
        dns_policy   = "ClusterFirstWithHostNet"
        host_network = true
        host_pid     = true
        node_selector = {
          "kubernetes.io/os" = "linux"
        }
        container {
          name  = "node-exporter"
          args  = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root", "--web.listen-address=:9100", "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+|var/lib/nomad/.+)($|/)", "--no-collector.wifi"]
          image = "prom/node-exporter:v1.7.0"
          port {
            name           = "metrics"
            container_port = 9100
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 30
            timeout_seconds = 5
            http_get {
              path = "/metrics"
              port = "metrics"
            }
          }
          resources {
            limits = {
              memory = "96Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "48Mi"
            }
          }
          volume_mount {
            name       = "host-proc"
            mount_path = "/host/proc"
            read_only  = true
          }
          volume_mount {
            name       = "host-sys"
            mount_path = "/host/sys"
            read_only  = true
          }
          volume_mount {
            name              = "host-root"
            mount_path        = "/host/root"
            mount_propagation = "HostToContainer"
            read_only         = true
          }
        }
        volume {
          name = "host-proc"
          host_path {
            path = "/proc"
          }
        }
        volume {
          name = "host-sys"
          host_path {
            path = "/sys"
          }
        }
        volume {
          name = "host-root"
          host_path {
            path = "/"
          }
        }
      }
    }
    update_strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "0"
        max_unavailable = "1"
      }
    }
  }
}
