resource "kubectl_manifest" "vertical_pod_autoscaler_portal_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "portal-vpa"
      labels = {
        app                            = "portal"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "portal"
        "app.kubernetes.io/part-of"    = "portal"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "web"
            maxAllowed = {
              cpu    = "800m"
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "100m"
              memory = "128Mi"
            }
          },
          {
            containerName = "sidecar"
            maxAllowed = {
              cpu    = "200m"
              memory = "256Mi"
            }
            minAllowed = {
              cpu    = "25m"
              memory = "32Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "portal"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
