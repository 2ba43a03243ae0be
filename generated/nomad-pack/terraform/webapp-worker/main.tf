resource "kubernetes_job_v1" "webapp_worker" {
  metadata {
    name      = "webapp-worker"
    namespace = var.namespace
    labels = {
      app                            = "webapp-worker"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "webapp-worker"
      "app.kubernetes.io/part-of"    = "webapp-worker"
    }
  }
  spec {
    backoff_limit = 3
    completions   = 1
    parallelism   = 1
    template {
      metadata {
        labels = {
          app                            = "webapp-worker"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "webapp-worker"
          "app.kubernetes.io/part-of"    = "webapp-worker"
        }
      }
      spec {
        restart_policy = "OnFailure"
        container {
          name  = "worker"
          args  = ["worker"]
          image = "ghcr.io/example/webapp:1.4.2"
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
