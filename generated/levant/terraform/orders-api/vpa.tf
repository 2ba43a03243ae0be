resource "kubectl_manifest" "vertical_pod_autoscaler_orders_api_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "orders-api-vpa"
      labels = {
        app                            = "orders-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "orders-api"
        "app.kubernetes.io/part-of"    = "orders-api"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "api"
            maxAllowed = {
              cpu    = "1200m"
              memory = "1536Mi"
            }
            minAllowed = {
              cpu    = "150m"
              memory = "192Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "orders-api"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
