resource "kubectl_manifest" "vertical_pod_autoscaler_lb_api_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "lb-api-vpa"
      labels = {
        app                            = "lb-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "lb-api"
        "app.kubernetes.io/part-of"    = "lb"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "api"
            maxAllowed = {
              cpu    = "400m"
              memory = "1200Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "150Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "lb-api"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_lb_nginx_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "lb-nginx-vpa"
      labels = {
        app                            = "lb-nginx"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "lb-nginx"
        "app.kubernetes.io/part-of"    = "lb"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "nginx"
            maxAllowed = {
              cpu    = "400m"
              memory = "1200Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "150Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "lb-nginx"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
