resource "kubectl_manifest" "vertical_pod_autoscaler_search_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "search-vpa"
      labels = {
        app                            = "search"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "search"
        "app.kubernetes.io/part-of"    = "search"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "search"
            maxAllowed = {
              cpu    = "4"
              memory = "8Gi"
            }
            minAllowed = {
              cpu    = "500m"
              memory = "1Gi"
            }
          },
        ]
      }
      targetRef = {
        name       = "search"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
