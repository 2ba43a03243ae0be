resource "kubectl_manifest" "vertical_pod_autoscaler_overseerr_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "overseerr-vpa"
      labels = {
        app                            = "overseerr"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "overseerr"
        "app.kubernetes.io/part-of"    = "overseerr"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "overseerr"
            maxAllowed = {
              cpu    = "800m"
              memory = "3Gi"
            }
            minAllowed = {
              cpu    = "100m"
              memory = "128Mi"
            }
          },
          {
            containerName = "litestream"
            maxAllowed = {
              cpu    = "200m"
              memory = "512Mi"
            }
            minAllowed = {
              cpu    = "25m"
              memory = "32Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "overseerr"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
