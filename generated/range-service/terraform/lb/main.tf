resource "kubernetes_config_map_v1" "lb_nginx_config" {
  metadata {
    name      = "lb-nginx-config"
    namespace = var.namespace
    labels = {
      app                            = "lb-nginx"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "lb-nginx"
      "app.kubernetes.io/part-of"    = "lb"
    }
  }
  data = {
    "nginx.conf" = <<-EOT
      upstream api {
        server api.default.svc.cluster.local:8080;
      }
      upstream cache {
        server {{ range nomadService "cache" }}{{ .Address }}{{ end }}:{{ range nomadService "cache" }}{{ .Port }}{{ end }};
      }
      server {
        listen 80;
        location / { proxy_pass http://api; }
      }
    EOT
  }
}

resource "kubernetes_service_v1" "api" {
  metadata {
    name      = "api"
    namespace = var.namespace
    labels = {
      app                            = "lb-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "lb-api"
      "app.kubernetes.io/part-of"    = "lb"
    }
  }
  spec {
    selector = {
      app = "lb-api"
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

resource "kubernetes_deployment_v1" "lb_api" {
  metadata {
    name      = "lb-api"
    namespace = var.namespace
    labels = {
      app                            = "lb-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "lb-api"
      "app.kubernetes.io/part-of"    = "lb"
    }
  }
  spec {
    replicas = "2"
    selector {
      match_labels = {
        app = "lb-api"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "lb-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "lb-api"
          "app.kubernetes.io/part-of"    = "lb"
        }
      }
      spec {
        container {
          name  = "api"
          image = "ghcr.io/example/api:3.1.0"
          port {
            name           = "http"
            container_port = 8080
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "300Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "300Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "lb_nginx" {
  metadata {
    name      = "lb-nginx"
    namespace = var.namespace
    labels = {
      app                            = "lb-nginx"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "lb-nginx"
      "app.kubernetes.io/part-of"    = "lb"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "lb-nginx"
      }
    }
    template {
      metadata {
        annotations = {
          "checksum/config" = "fbf9a557f8fbbe11c818a9df4ddd448d6de3819fc37fa8775a0123553c112151"
        }
        labels = {
          app                            = "lb-nginx"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "lb-nginx"
          "app.kubernetes.io/part-of"    = "lb"
        }
      }
      spec {
        container {
          name  = "nginx"
          image = "nginx:1.27-alpine"
          port {
            name           = "web"
            container_port = 80
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "300Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "300Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/nginx.conf"
            read_only  = true
            sub_path   = "nginx.conf"
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/etc/nginx/conf.d/default.conf"
            read_only  = true
            sub_path   = "nginx.conf"
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "lb-nginx-config"
            items {
              key  = "nginx.conf"
              path = "nginx.conf"
            }
          }
        }
      }
    }
  }
}
