resource "kubectl_manifest" "vertical_pod_autoscaler_media_library_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "media-library-vpa"
      labels = {
        app                            = "media-library"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "media-library"
        "app.kubernetes.io/part-of"    = "media"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "library"
            maxAllowed = {
              cpu    = "2"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "250m"
              memory = "256Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "media-library"
        apiVersion = "apps/v1"
        kind       = "StatefulSet"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_media_web_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "media-web-vpa"
      labels = {
        app                            = "media-web"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "media-web"
        "app.kubernetes.io/part-of"    = "media"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "web"
            maxAllowed = {
              cpu    = "400m"
              memory = "256Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "32Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "media-web"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
