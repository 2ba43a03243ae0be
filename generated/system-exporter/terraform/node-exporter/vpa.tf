resource "kubectl_manifest" "vertical_pod_autoscaler_node_exporter_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "node-exporter-vpa"
      labels = {
        app                            = "node-exporter"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "node-exporter"
        "app.kubernetes.io/part-of"    = "node-exporter"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "node-exporter"
            maxAllowed = {
              cpu    = "400m"
              memory = "384Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "24Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "node-exporter"
        apiVersion = "apps/v1"
        kind       = "DaemonSet"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
