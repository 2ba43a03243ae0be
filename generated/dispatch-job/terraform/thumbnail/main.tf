resource "kubernetes_job_v1" "thumbnail" {
  metadata {
    name      = "thumbnail"
    namespace = var.namespace
    labels = {
      app                            = "thumbnail"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "thumbnail"
      "app.kubernetes.io/part-of"    = "thumbnail"
    }
  }
  spec {
    backoff_limit = 3
    completions   = 1
    parallelism   = 1
    suspend       = true
    template {
      metadata {
        labels = {
          app                            = "thumbnail"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "thumbnail"
          "app.kubernetes.io/part-of"    = "thumbnail"
        }
      }
      spec {
        restart_policy = "OnFailure"
        container {
          name  = "resize"
          args  = ["--src", "$${NOMAD_META_source_url}", "--size", "256"]
          image = "ghcr.io/example/thumbnailer:0.9.1"
          env {
            name  = "NOMAD_META_size"
            value = "256"
          }
          env {
            name  = "NOMAD_META_source_url"
            value = ""
          }
          resources {
            limits = {
              memory = "300Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "300Mi"
            }
          }
        }
      }
    }
  }
}
