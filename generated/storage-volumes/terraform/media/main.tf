resource "kubernetes_persistent_volume_claim_v1" "media_archive" {
  metadata {
    name      = "media-archive"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadOnlyMany"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "media_index" {
  metadata {
    name      = "media-index"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadWriteOnce"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "media_scratch" {
  metadata {
    name      = "media-scratch"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadWriteMany"]
    volume_mode  = "Block"
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "media_shared" {
  metadata {
    name      = "media-shared"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadWriteMany"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "thumbs" {
  metadata {
    name      = "thumbs"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadWriteOnce"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_persistent_volume_claim_v1" "web_certs" {
  metadata {
    name      = "web-certs"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    access_modes = ["ReadWriteOnce"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_service_v1" "media_library" {
  metadata {
    name      = "media-library"
    namespace = var.namespace
    labels = {
      app                            = "media-library"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "media-library"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    cluster_ip = "None"
    selector = {
      app = "media-library"
    }
  }
}

resource "kubernetes_deployment_v1" "media_web" {
  metadata {
    name      = "media-web"
    namespace = var.namespace
    labels = {
      app                            = "media-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "media-web"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "media-web"
      }
    }
    strategy {
      type = "Recreate"
    }
    template {
      metadata {
        labels = {
          app                            = "media-web"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "media-web"
          "app.kubernetes.io/part-of"    = "media"
        }
      }
      spec {
        container {
          name  = "web"
          image = "nginx:1.25.4-alpine"
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu               = "100m"
              ephemeral-storage = "150Mi"
              memory            = "64Mi"
            }
          }
          volume_mount {
            name       = "certs"
            mount_path = "/etc/nginx/certs"
          }
          volume_mount {
            name       = "nomad-alloc"
            mount_path = "/alloc"
          }
          volume_mount {
            name              = "host-var-log-web"
            mount_path        = "/var/log/nginx"
            mount_propagation = "HostToContainer"
          }
        }
        volume {
          name = "certs"
          persistent_volume_claim {
            claim_name = "web-certs"
          }
        }
        volume {
          name = "nomad-alloc"
          empty_dir {
            size_limit = "150Mi"
          }
        }
        volume {
          name = "host-var-log-web"
          host_path {
            path = "/var/log/web"
          }
        }
      }
    }
  }
}

resource "kubernetes_stateful_set_v1" "media_library" {
  metadata {
    name      = "media-library"
    namespace = var.namespace
    labels = {
      app                            = "media-library"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "media-library"
      "app.kubernetes.io/part-of"    = "media"
    }
  }
  spec {
    replicas     = "2"
    service_name = "media-library"
    selector {
      match_labels = {
        app = "media-library"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "media-library"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "media-library"
          "app.kubernetes.io/part-of"    = "media"
        }
      }
      spec {
        container {
          name  = "library"
          image = "ghcr.io/example/library:3.2.1"
          resources {
            limits = {
              memory = "512Mi"
            }
            requests = {
              cpu    = "500m"
              memory = "512Mi"
            }
          }
          volume_device {
            name        = "scratch"
            device_path = "/dev/scratch"
          }
          volume_mount {
            name       = "data"
            mount_path = "/var/lib/library"
          }
          volume_mount {
            name       = "shared"
            mount_path = "/srv/shared"
          }
          volume_mount {
            name              = "archive"
            mount_path        = "/srv/archive"
            mount_propagation = "HostToContainer"
            read_only         = true
          }
          volume_mount {
            name       = "index"
            mount_path = "/srv/index"
            read_only  = true
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/alloc/data"
          }
          volume_mount {
            name       = "nomad-local-library"
            mount_path = "/local"
          }
          volume_mount {
            name       = "nomad-local-library"
            mount_path = "/etc/library/library.ini"
            read_only  = true
            sub_path   = "library.ini"
          }
          volume_mount {
            name       = "nomad-secrets-library"
            mount_path = "/secrets"
          }
          volume_mount {
            name       = "nomad-secrets-library"
            mount_path = "/run/secrets"
          }
          volume_mount {
            name       = "alloc-data"
            mount_path = "/var/cache/library"
            sub_path   = "cache"
          }
          volume_mount {
            name       = "host-etc-ssl-certs"
            mount_path = "/etc/ssl/certs"
            read_only  = true
          }
          volume_mount {
            name       = "tmpfs-library-tmp-transcode"
            mount_path = "/tmp/transcode"
          }
          volume_mount {
            name       = "docker-media-nfs"
            mount_path = "/mnt/nfs"
          }
          volume_mount {
            name       = "docker-thumbs"
            mount_path = "/var/lib/thumbs"
          }
          volume_mount {
            name       = "shm-library"
            mount_path = "/dev/shm"
          }
        }
        volume {
          name = "shared"
          persistent_volume_claim {
            claim_name = "media-shared"
          }
        }
        volume {
          name = "archive"
          persistent_volume_claim {
            claim_name = "media-archive"
            read_only  = true
          }
        }
        volume {
          name = "index"
          persistent_volume_claim {
            claim_name = "media-index"
            read_only  = true
          }
        }
        volume {
          name = "scratch"
          persistent_volume_claim {
            claim_name = "media-scratch"
          }
        }
        volume {
          name = "nomad-local-library"
          empty_dir {}
        }
        volume {
          name = "nomad-secrets-library"
          empty_dir {
            medium = "Memory"
          }
        }
        volume {
          name = "host-etc-ssl-certs"
          host_path {
            path = "/etc/ssl/certs"
          }
        }
        volume {
          name = "tmpfs-library-tmp-transcode"
          empty_dir {
            medium     = "Memory"
            size_limit = "100Mi"
          }
        }
        volume {
          name = "docker-media-nfs"
          nfs {
            path   = "/export/media"
            server = "10.0.0.5"
          }
        }
        volume {
          name = "docker-thumbs"
          persistent_volume_claim {
            claim_name = "thumbs"
          }
        }
        volume {
          name = "shm-library"
          empty_dir {
            medium     = "Memory"
            size_limit = "256Mi"
          }
        }
      }
    }
    volume_claim_template {
      metadata {
        name = "data"
      }
      spec {
        access_modes = ["ReadWriteOnce"]
        resources {
          requests = {
            storage = "1Gi"
          }
        }
      }
    }
    volume_claim_template {
      metadata {
        name = "alloc-data"
      }
      spec {
        access_modes = ["ReadWriteOnce"]
        resources {
          requests = {
            storage = "2Gi"
          }
        }
      }
    }
  }
}
