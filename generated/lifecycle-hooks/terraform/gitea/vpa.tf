resource "kubectl_manifest" "vertical_pod_autoscaler_gitea_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "gitea-vpa"
      labels = {
        app                            = "gitea"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "gitea"
        "app.kubernetes.io/part-of"    = "gitea"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "gitea"
            maxAllowed = {
              cpu    = "2"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "250m"
              memory = "256Mi"
            }
          },
          {
            containerName = "shipper"
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
        name       = "gitea"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
