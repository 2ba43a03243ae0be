resource "kubernetes_job_v1" "reindex" {
  metadata {
    name      = "reindex"
    namespace = var.namespace
    labels = {
      app                            = "reindex"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "reindex"
      "app.kubernetes.io/part-of"    = "reindex"
    }
  }
  spec {
    backoff_limit = 2
    completions   = 1
    parallelism   = 1
    template {
      metadata {
        labels = {
          app                            = "reindex"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "reindex"
          "app.kubernetes.io/part-of"    = "reindex"
        }
      }
      spec {
        restart_policy                   = "OnFailure"
        termination_grace_period_seconds = 60
        container {
          name  = "reindex"
          args  = ["reindex", "--all"]
          image = "ghcr.io/example/search-tools:1.8.2"
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
        init_container {
          name           = "cloud-sql-proxy"
          args           = ["example:europe-west2:db"]
          image          = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0"
          restart_policy = "Always"
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
