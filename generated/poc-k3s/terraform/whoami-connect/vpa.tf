resource "kubectl_manifest" "vertical_pod_autoscaler_whoami_connect_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "whoami-connect-vpa"
      labels = {
        app                            = "whoami-connect"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "whoami-connect"
        "app.kubernetes.io/part-of"    = "whoami-connect"
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
          {
            containerName = "probe"
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
        name       = "whoami-connect"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
