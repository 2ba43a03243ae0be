resource "kubectl_manifest" "vertical_pod_autoscaler_ledgerapp_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "ledgerapp-vpa"
      labels = {
        app                            = "ledgerapp"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "ledgerapp"
        "app.kubernetes.io/part-of"    = "ledgerapp"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "api"
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
        name       = "ledgerapp"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
