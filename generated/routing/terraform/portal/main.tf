resource "kubernetes_service_v1" "portal_admin" {
  metadata {
    name      = "portal-admin"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/nomad-service-name" = "portal_admin"
    }
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    selector = {
      app = "portal"
    }
    type = "ClusterIP"
    port {
      name        = "admin"
      port        = 9000
      protocol    = "TCP"
      target_port = "admin"
    }
  }
}

resource "kubernetes_service_v1" "portal_syslog" {
  metadata {
    name      = "portal-syslog"
    namespace = var.namespace
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    selector = {
      app = "portal"
    }
    type = "NodePort"
    port {
      name        = "syslog"
      node_port   = 32746
      port        = 5514
      protocol    = "TCP"
      target_port = "syslog"
    }
  }
}

resource "kubernetes_service_v1" "portal_web" {
  metadata {
    name      = "portal-web"
    namespace = var.namespace
    annotations = {
      "nomad.service.meta/team"  = "web"
      "nomad2k8s.io/consul-tags" = "frontend"
    }
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    selector = {
      app = "portal"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 8080
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "portal" {
  metadata {
    name      = "portal"
    namespace = var.namespace
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    replicas = "2"
    selector {
      match_labels = {
        app = "portal"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "portal"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "portal"
          "app.kubernetes.io/part-of"    = "portal"
        }
      }
      spec {
        hostname = "portal"
        container {
          name  = "web"
          image = "ghcr.io/example/portal:3.2.0"
          env {
            name = "POD_IP"
            value_from {
              field_ref {
                field_path = "status.podIP"
              }
            }
          }
          env {
            name = "NOMAD_ALLOC_ID"
            value_from {
              field_ref {
                field_path = "metadata.uid"
              }
            }
          }
          env {
            name = "K8S_NODE_NAME"
            value_from {
              field_ref {
                field_path = "spec.nodeName"
              }
            }
          }
          env {
            name  = "LISTEN"
            value = "$(POD_IP):8080"
          }
          env {
            name  = "ADMIN_PORT"
            value = "9000"
          }
          env {
            name  = "CACHE_URL"
            value = "redis://cache.service.consul:6379"
          }
          env {
            name  = "DATA_DIR"
            value = "/alloc/data"
          }
          env {
            name  = "INSTANCE"
            value = "portal-$(NOMAD_ALLOC_ID)"
          }
          env {
            name  = "NODE_NAME"
            value = "$(K8S_NODE_NAME)"
          }
          liveness_probe {
            failure_threshold     = 3
            initial_delay_seconds = 30
            period_seconds        = 10
            timeout_seconds       = 1
            http_get {
              path = "/ready"
              port = "http"
              http_header {
                name  = "X-Probe"
                value = "nomad"
              }
            }
          }
          port {
            name           = "http"
            container_port = 8080
            protocol       = "TCP"
          }
          port {
            name           = "admin"
            container_port = 9000
            protocol       = "TCP"
          }
          port {
            name           = "syslog"
            container_port = 5514
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 1
            http_get {
              path = "/ready"
              port = "http"
              http_header {
                name  = "X-Probe"
                value = "nomad"
              }
            }
          }
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "200m"
              memory = "256Mi"
            }
          }
          volume_mount {
            name       = "nomad-alloc"
            mount_path = "/alloc"
          }
        }
        container {
          name  = "sidecar"
          args  = ["--upstream", "http://$(POD_IP):8080"]
          image = "ghcr.io/example/portal-agent:1.0.4"
          env {
            name = "POD_IP"
            value_from {
              field_ref {
                field_path = "status.podIP"
              }
            }
          }
          readiness_probe {
            period_seconds  = 30
            timeout_seconds = 5
            exec {
              command = ["/bin/check", "--quick"]
            }
          }
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
          }
          volume_mount {
            name       = "nomad-alloc"
            mount_path = "/alloc"
          }
        }
        dns_config {
          searches = ["lab.internal"]
          option {
            name  = "ndots"
            value = "2"
          }
        }
        volume {
          name = "nomad-alloc"
          empty_dir {}
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "portal_admin" {
  metadata {
    name      = "portal-admin"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
    }
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    ingress_class_name = "traefik"
    rule {
      host = var.hostname
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "portal-admin"
              port {
                number = 9000
              }
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "portal_web_portal" {
  metadata {
    name      = "portal-web-portal"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints"      = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"              = "true"
      "traefik.ingress.kubernetes.io/router.tls.certresolver" = "letsencrypt"
    }
    labels = {
      app                            = "portal"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "portal"
      "app.kubernetes.io/part-of"    = "portal"
    }
  }
  spec {
    ingress_class_name = "traefik"
    rule {
      host = var.hostname_2
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "portal-web"
              port {
                number = 8080
              }
            }
          }
        }
      }
    }
    rule {
      host = var.hostname_3
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = "portal-web"
              port {
                number = 8080
              }
            }
          }
        }
      }
    }
    tls {
      hosts = [var.hostname_2, var.hostname_3]
    }
  }
}

resource "kubectl_manifest" "ingress_route_portal_web_portal_api" {
  yaml_body = yamlencode({
    apiVersion = "traefik.io/v1alpha1"
    kind       = "IngressRoute"
    metadata = {
      name = "portal-web-portal-api"
      labels = {
        app                            = "portal"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "portal"
        "app.kubernetes.io/part-of"    = "portal"
      }
      namespace = var.namespace
    }
    spec = {
      entryPoints = ["websecure"]
      routes = [
        {
          kind  = "Rule"
          match = "Host(`portal.example.org`) && PathPrefix(`/api`)"
          middlewares = [
            {
              name = "portal-strip"
            },
          ]
          services = [
            {
              name = "portal-web"
              port = 8080
            },
          ]
        },
      ]
      tls = {}
    }
  })
}

resource "kubectl_manifest" "middleware_portal_strip" {
  yaml_body = yamlencode({
    apiVersion = "traefik.io/v1alpha1"
    kind       = "Middleware"
    metadata = {
      name = "portal-strip"
      labels = {
        app                            = "portal"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "portal"
        "app.kubernetes.io/part-of"    = "portal"
      }
      namespace = var.namespace
    }
    spec = {
      stripPrefix = {
        prefixes = ["/api"]
      }
    }
  })
}
