resource "kubectl_manifest" "vertical_pod_autoscaler_app_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "app-vpa"
      labels = {
        app                            = "app"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "app"
        "app.kubernetes.io/part-of"    = "app"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "app"
            maxAllowed = {
              cpu    = "800m"
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "100m"
              memory = "128Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "app"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
