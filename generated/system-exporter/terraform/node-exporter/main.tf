resource "kubernetes_service_v1" "node_exporter" {
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
        container {
          name  = "node-exporter"
          args  = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root", "--web.listen-address=:$${NOMAD_PORT_metrics}", "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+|var/lib/nomad/.+)($|/)", "--no-collector.wifi"]
          image = "prom/node-exporter:v1.7.0"
          port {
            name           = "metrics"
            container_port = 9100
            protocol       = "TCP"
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
        }
      }
    }
  }
}
