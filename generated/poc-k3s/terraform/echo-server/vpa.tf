resource "kubectl_manifest" "vertical_pod_autoscaler_echo_server_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "echo-server-vpa"
      labels = {
        app                            = "echo-server"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "echo-server"
        "app.kubernetes.io/part-of"    = "echo-server"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "echo-server"
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
        name       = "echo-server"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
