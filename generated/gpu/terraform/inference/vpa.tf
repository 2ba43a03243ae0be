resource "kubectl_manifest" "vertical_pod_autoscaler_inference_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "inference-vpa"
      labels = {
        app                            = "inference"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "inference"
        "app.kubernetes.io/part-of"    = "inference"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "server"
            maxAllowed = {
              cpu    = "8"
              memory = "32Gi"
            }
            minAllowed = {
              cpu    = "1"
              memory = "4Gi"
            }
          },
          {
            containerName = "encoder"
            maxAllowed = {
              cpu    = "2"
              memory = "4Gi"
            }
            minAllowed = {
              cpu    = "250m"
              memory = "512Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "inference"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
