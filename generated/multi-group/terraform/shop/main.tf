resource "kubernetes_config_map_v1" "shop_web_config" {
  metadata {
    name      = "shop-web-config"
    namespace = var.namespace
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  data = {
    "default.conf" = <<-EOT
      # Rendered by Nomad (consul-template) into local/default.conf
      upstream shop_api {
        server shop-api.default.svc.cluster.local:8080;
        keepalive 16;
      }

      server {
        listen      80;
        server_name shop.brmartin.co.uk;
        root        /usr/share/nginx/html;

        location /api/ {
          proxy_pass         http://shop_api/;
          proxy_http_version 1.1;
          proxy_set_header   Connection "";
          proxy_set_header   Host $host;
          proxy_set_header   X-Forwarded-For $proxy_add_x_forwarded_for;
        }

        location /healthz {
          access_log off;
          return 200 "ok\n";
        }

        location / {
          try_files $uri /index.html;
        }
      }
    EOT
  }
}

resource "kubernetes_service_v1" "shop_api" {
  metadata {
    name      = "shop-api"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/consul-tags" = "api,v2"
    }
    labels = {
      app                            = "shop-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    selector = {
      app = "shop-api"
    }
    type = "ClusterIP"
    port {
      name        = "api"
      port        = 8080
      protocol    = "TCP"
      target_port = "api"
    }
  }
}

resource "kubernetes_service_v1" "shop_web" {
  metadata {
    name      = "shop-web"
    namespace = var.namespace
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    selector = {
      app = "shop-web"
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

resource "kubernetes_deployment_v1" "shop_api" {
  metadata {
    name      = "shop-api"
    namespace = var.namespace
    labels = {
      app                            = "shop-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    min_ready_seconds         = 15
    progress_deadline_seconds = 240
    replicas                  = "2"
    selector {
      match_labels = {
        app = "shop-api"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "shop-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-api"
          "app.kubernetes.io/part-of"    = "shop"
        }
      }
      spec {
        container {
          name  = "api"
          args  = ["serve", "--listen", ":8080"]
          image = "ghcr.io/brmartin/shop-api:2.4.1"
          env {
            name  = "APP_ENV"
            value = "production"
          }
          env {
            name  = "LOG_FORMAT"
            value = "json"
          }
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "CACHE_TTL"
            value = "300"
          }
          env {
            name  = "PUBLIC_URL"
            value = "https://shop.brmartin.co.uk"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name = "DATABASE_URL"
            value_from {
              secret_key_ref {
                name = "shop-api-secrets"
                key  = "DATABASE_URL"
              }
            }
          }
          env {
            name = "STRIPE_API_KEY"
            value_from {
              secret_key_ref {
                name = "shop-api-secrets"
                key  = "STRIPE_API_KEY"
              }
            }
          }
          port {
            name           = "api"
            container_port = 8080
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 3
            http_get {
              path = "/v1/ready"
              port = "api"
            }
          }
          resources {
            limits = {
              memory = "384Mi"
            }
            requests = {
              cpu    = "250m"
              memory = "192Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "shop_web" {
  metadata {
    name      = "shop-web"
    namespace = var.namespace
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    min_ready_seconds         = 15
    progress_deadline_seconds = 240
    replicas                  = "3"
    selector {
      match_labels = {
        app = "shop-web"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "shop-web"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-web"
          "app.kubernetes.io/part-of"    = "shop"
        }
      }
      spec {
        container {
          name  = "nginx"
          image = "nginx:1.25.4-alpine"
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 2
            http_get {
              path = "/healthz"
              port = "http"
            }
          }
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "32Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/default.conf"
            read_only  = true
            sub_path   = "default.conf"
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/etc/nginx/conf.d/default.conf"
            read_only  = true
            sub_path   = "default.conf"
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = {
              app = "shop-web"
            }
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "shop-web-config"
            items {
              key  = "default.conf"
              path = "default.conf"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_ingress_v1" "shop_web" {
  metadata {
    name      = "shop-web"
    namespace = var.namespace
    annotations = {
      "traefik.ingress.kubernetes.io/router.entrypoints" = "websecure"
      "traefik.ingress.kubernetes.io/router.tls"         = "true"
    }
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
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
              name = "shop-web"
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
