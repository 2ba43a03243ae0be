resource "kubectl_manifest" "vertical_pod_autoscaler_redis_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "redis-vpa"
      labels = {
        app                            = "redis"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "redis"
        "app.kubernetes.io/part-of"    = "redis"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "redis"
            maxAllowed = {
              cpu    = "1"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "125m"
              memory = "128Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "redis"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
