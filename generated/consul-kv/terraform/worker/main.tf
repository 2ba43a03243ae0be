resource "kubernetes_config_map_v1" "worker_config" {
  metadata {
    name      = "worker-config"
    namespace = var.namespace
    labels = {
      app                            = "worker"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "worker"
      "app.kubernetes.io/part-of"    = "worker"
    }
  }
  data = {
    "limits.conf" = <<-EOT
      # Static limits shipped next to the jobspec.
      max_jobs = 8
      queue = default
    EOT
    "worker.conf" = <<-EOT
      concurrency = {{ keyOrDefault "worker/concurrency" "4" }}
      feature_flags = {{ key "worker/flags" }}
      instance = {{ env "NOMAD_ALLOC_ID" }}
      rendered_at = {{ timestamp }}
      job = worker
    EOT
  }
}

resource "kubernetes_deployment_v1" "worker" {
  metadata {
    name      = "worker"
    namespace = var.namespace
    labels = {
      app                            = "worker"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "worker"
      "app.kubernetes.io/part-of"    = "worker"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "worker"
      }
    }
    template {
      metadata {
        annotations = {
          "checksum/config" = "d23a9f9d2ce1cdaede642a905f920d40b303d61bc6d7af928658b1e7d2061e50"
        }
        labels = {
          app                            = "worker"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "worker"
          "app.kubernetes.io/part-of"    = "worker"
        }
      }
      spec {
        container {
          name  = "worker"
          args  = ["--config", "/local/worker.conf"]
          image = "ghcr.io/example/worker:1.0.3"
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "128Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/worker.conf"
            read_only  = true
            sub_path   = "worker.conf"
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/etc/worker/limits.conf"
            read_only  = true
            sub_path   = "limits.conf"
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "worker-config"
            items {
              key  = "limits.conf"
              path = "limits.conf"
            }
            items {
              key  = "worker.conf"
              mode = "0644"
              path = "worker.conf"
            }
          }
        }
      }
    }
  }
}
