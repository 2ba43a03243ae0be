resource "kubectl_manifest" "vertical_pod_autoscaler_minio_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "minio-vpa"
      labels = {
        app                            = "minio"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "minio"
        "app.kubernetes.io/part-of"    = "minio"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "minio"
            maxAllowed = {
              cpu    = "1200m"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "150m"
              memory = "256Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "minio"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
