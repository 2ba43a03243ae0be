resource "kubernetes_deployment_v1" "inference" {
  metadata {
    name      = "inference"
    namespace = var.namespace
    labels = {
      app                            = "inference"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "inference"
      "app.kubernetes.io/part-of"    = "inference"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "inference"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "inference"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "inference"
          "app.kubernetes.io/part-of"    = "inference"
        }
      }
      spec {
        runtime_class_name = "nvidia"
        affinity {
          node_affinity {
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "nvidia.com/gpu.product"
                  operator = "In"
                  values   = ["Tesla-T4"]
                }
              }
            }
          }
        }
        container {
          name  = "server"
          image = "nvcr.io/nvidia/tritonserver:24.03-py3"
          resources {
            limits = {
              memory           = "8192Mi"
              "nvidia.com/gpu" = "2"
            }
            requests = {
              cpu              = "2"
              memory           = "8192Mi"
              "nvidia.com/gpu" = "2"
            }
          }
        }
        container {
          name  = "encoder"
          image = "jrottenberg/ffmpeg:6.1-nvidia"
          resources {
            limits = {
              memory           = "1024Mi"
              "nvidia.com/gpu" = "1"
            }
            requests = {
              cpu              = "500m"
              memory           = "1024Mi"
              "nvidia.com/gpu" = "1"
            }
          }
          security_context {
            privileged = true
          }
          volume_mount {
            name       = "dev-dev-dri-renderd128"
            mount_path = "/dev/dri/renderD128"
          }
        }
        volume {
          name = "dev-dev-dri-renderd128"
          host_path {
            path = "/dev/dri/renderD128"
          }
        }
      }
    }
  }
}
