resource "kubernetes_deployment_v1" "vpn" {
  metadata {
    name      = "vpn"
    namespace = var.namespace
    labels = {
      app                            = "vpn"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "vpn"
      "app.kubernetes.io/part-of"    = "vpn"
      tier                           = "edge"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "vpn"
      }
    }
    template {
      metadata {
        annotations = {
          "com.example.owner"      = "Network Team"
          "traefik.http.routers.x" = "Host(`vpn.example.com`)"
        }
        labels = {
          app                            = "vpn"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "vpn"
          "app.kubernetes.io/part-of"    = "vpn"
          tier                           = "edge"
        }
      }
      spec {
        dns_policy = "ClusterFirst"
        host_ipc   = true
        hostname   = "vpn-gw"
        container {
          name  = "wireguard"
          image = "linuxserver/wireguard:1.0.20210914"
          resources {
            limits = {
              memory = "256Mi"
            }
            requests = {
              cpu    = "200m"
              memory = "128Mi"
            }
          }
          security_context {
            allow_privilege_escalation = false
            capabilities {
              add  = ["NET_ADMIN", "SYS_MODULE"]
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "Unconfined"
            }
          }
        }
        container {
          name  = "ui"
          image = "ngoduykhanh/wireguard-ui:0.6.2"
          stdin = false
          tty   = true
          resources {
            limits = {
              cpu    = "100m"
              memory = "64Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "64Mi"
            }
          }
          security_context {
            read_only_root_filesystem = true
          }
        }
        dns_config {
          nameservers = ["1.1.1.1", "9.9.9.9"]
          searches    = ["home.arpa"]
          option {
            name  = "ndots"
            value = "2"
          }
          option {
            name = "edns0"
          }
        }
        host_aliases {
          hostnames = ["router"]
          ip        = "192.168.1.1"
        }
        host_aliases {
          hostnames = ["nas", "nas.home.arpa"]
          ip        = "192.168.1.10"
        }
        security_context {
          sysctl {
            name  = "net.ipv4.ip_unprivileged_port_start"
            value = "0"
          }
        }
      }
    }
  }
}
