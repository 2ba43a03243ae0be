resource "kubernetes_deployment_v1" "storefront_api" {
  metadata {
    name      = "storefront-api"
    namespace = var.namespace
    labels = {
      app                            = "storefront-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "storefront-api"
      "app.kubernetes.io/part-of"    = "storefront"
    }
  }
  spec {
    min_ready_seconds         = 20
    progress_deadline_seconds = 600
    replicas                  = "3"
    selector {
      match_labels = {
        app = "storefront-api"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "storefront-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "storefront-api"
          "app.kubernetes.io/part-of"    = "storefront"
        }
      }
      spec {
        container {
          name  = "api"
          image = "ghcr.io/example/storefront-api:2.4.0"
          resources {
            limits = {
              memory = "1024Mi"
            }
            requests = {
              cpu    = "500m"
              memory = "512Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "storefront_web" {
  metadata {
    name      = "storefront-web"
    namespace = var.namespace
    labels = {
      app                            = "storefront-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "storefront-web"
      "app.kubernetes.io/part-of"    = "storefront"
    }
  }
  spec {
    min_ready_seconds         = 20
    progress_deadline_seconds = 600
    selector {
      match_labels = {
        app = "storefront-web"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "2"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "storefront-web"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "storefront-web"
          "app.kubernetes.io/part-of"    = "storefront"
        }
      }
      spec {
        container {
          name  = "web"
          image = "nginx:1.25.5"
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "250m"
              memory = "128Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "storefront_worker" {
  metadata {
    name      = "storefront-worker"
    namespace = var.namespace
    labels = {
      app                            = "storefront-worker"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "storefront-worker"
      "app.kubernetes.io/part-of"    = "storefront"
    }
  }
  spec {
    min_ready_seconds         = 20
    progress_deadline_seconds = 600
    replicas                  = "1"
    selector {
      match_labels = {
        app = "storefront-worker"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "2"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "storefront-worker"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "storefront-worker"
          "app.kubernetes.io/part-of"    = "storefront"
        }
      }
      spec {
        container {
          name  = "worker"
          image = "ghcr.io/example/storefront-worker:2.4.0"
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "300m"
              memory = "256Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "storefront_web_hpa" {
  metadata {
    name      = "storefront-web-hpa"
    namespace = var.namespace
    labels = {
      app                            = "storefront-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "storefront-web"
      "app.kubernetes.io/part-of"    = "storefront"
    }
  }
  spec {
    max_replicas = 8
    min_replicas = 2
    behavior {
      scale_down {
        stabilization_window_seconds = 120
      }
      scale_up {
        stabilization_window_seconds = 120
      }
    }
    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          average_utilization = 70
          type                = "Utilization"
        }
      }
    }
    scale_target_ref {
      name        = "storefront-web"
      api_version = "apps/v1"
      kind        = "Deployment"
    }
  }
}
