resource "kubernetes_config_map_v1" "whoami_connect_config" {
  metadata {
    name      = "whoami-connect-config"
    namespace = var.namespace
    labels = {
      app                            = "whoami-connect"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami-connect"
      "app.kubernetes.io/part-of"    = "whoami-connect"
    }
  }
  data = {
    "peers.conf" = <<-EOT
      echo_url    = "http://echo-server.default.svc.cluster.local:80/"
      echo_direct = "http://echo-server.default.svc.cluster.local:80/"
      listen_port = 80
    EOT
  }
}

resource "kubernetes_service_v1" "whoami_connect" {
  metadata {
    name      = "whoami-connect"
    namespace = var.namespace
    labels = {
      app                            = "whoami-connect"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami-connect"
      "app.kubernetes.io/part-of"    = "whoami-connect"
    }
  }
  spec {
    selector = {
      app = "whoami-connect"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 80
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "whoami_connect" {
  metadata {
    name      = "whoami-connect"
    namespace = var.namespace
    labels = {
      app                            = "whoami-connect"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami-connect"
      "app.kubernetes.io/part-of"    = "whoami-connect"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "whoami-connect"
      }
    }
    template {
      metadata {
        annotations = {
          "checksum/config" = "03c2b6722ee844b999c9750984dcaa46ff0c3d03422dd6b1c13631f57a16684b"
        }
        labels = {
          app                            = "whoami-connect"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "whoami-connect"
          "app.kubernetes.io/part-of"    = "whoami-connect"
        }
      }
      spec {
        container {
          name  = "whoami"
          image = "traefik/whoami:v1.10.3"
          env {
            name  = "ECHO_URL"
            value = "http://echo-server.default.svc.cluster.local:80"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 2
            http_get {
              path = "/health"
              port = "http"
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
            name       = "nomad-templates"
            mount_path = "/local/peers.conf"
            read_only  = true
            sub_path   = "peers.conf"
          }
        }
        container {
          name  = "probe"
          args  = ["/bin/sh", "-c", "while true; do curl -fsS \"$ECHO_URL/probe\" > /dev/null && echo ok; sleep 30; done"]
          image = "curlimages/curl:8.5.0"
          env {
            name  = "ECHO_URL"
            value = "http://echo-server.default.svc.cluster.local:80"
          }
          env {
            name  = "ECHO_ADDR"
            value = "echo-server.default.svc.cluster.local:80"
          }
          env {
            name  = "ECHO_LOCAL"
            value = "echo-server.default.svc.cluster.local:80"
          }
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu    = "20m"
              memory = "32Mi"
            }
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "whoami-connect-config"
            items {
              key  = "peers.conf"
              path = "peers.conf"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "whoami_connect" {
  metadata {
    name      = "whoami-connect"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "whoami-connect"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami-connect"
      "app.kubernetes.io/part-of"    = "whoami-connect"
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
              name = "whoami-connect"
              port {
                number = 80
              }
            }
          }
        }
      }
    }
    tls {
      hosts = [var.hostname]
    }
  }
}
