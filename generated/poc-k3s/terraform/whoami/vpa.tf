resource "kubectl_manifest" "vertical_pod_autoscaler_whoami_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "whoami-vpa"
      labels = {
        app                            = "whoami"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "whoami"
        "app.kubernetes.io/part-of"    = "whoami"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "whoami"
            maxAllowed = {
              cpu    = "2"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "64Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "whoami"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
