resource "kubectl_manifest" "vertical_pod_autoscaler_miniflux_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "miniflux-vpa"
      labels = {
        app                            = "miniflux"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "miniflux"
        "app.kubernetes.io/part-of"    = "miniflux"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "miniflux"
            maxAllowed = {
              cpu    = "400m"
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "64Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "miniflux"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
