resource "kubectl_manifest" "vertical_pod_autoscaler_webapp_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "webapp-vpa"
      labels = {
        app                            = "webapp"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "webapp"
        "app.kubernetes.io/part-of"    = "webapp"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "web"
            maxAllowed = {
              cpu    = "1"
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "125m"
              memory = "128Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "webapp"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
