resource "kubectl_manifest" "vertical_pod_autoscaler_worker_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "worker-vpa"
      labels = {
        app                            = "worker"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "worker"
        "app.kubernetes.io/part-of"    = "worker"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "worker"
            maxAllowed = {
              cpu    = "400m"
              memory = "512Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "64Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "worker"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
