resource "kubectl_manifest" "vertical_pod_autoscaler_grafana_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "grafana-vpa"
      labels = {
        app                            = "grafana"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "grafana"
        "app.kubernetes.io/part-of"    = "grafana"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "grafana"
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
        name       = "grafana"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
