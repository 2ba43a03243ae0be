resource "kubernetes_service_v1" "search" {
  metadata {
    name      = "search"
    namespace = var.namespace
    labels = {
      app                            = "search"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "search"
      "app.kubernetes.io/part-of"    = "search"
    }
  }
  spec {
    selector = {
      app = "search"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 9200
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "search" {
  metadata {
    name      = "search"
    namespace = var.namespace
    labels = {
      app                            = "search"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "search"
      "app.kubernetes.io/part-of"    = "search"
    }
  }
  spec {
    replicas = "3"
    selector {
      match_labels = {
        app = "search"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "0"
        max_unavailable = "1"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "search"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "search"
          "app.kubernetes.io/part-of"    = "search"
        }
      }
      spec {
        node_selector = {
          "kubernetes.io/arch" = "arm64"
          "nomad.node-class"   = "search"
        }
        affinity {
          node_affinity {
            preferred_during_scheduling_ignored_during_execution {
              weight = 80
              preference {
                match_expressions {
                  key      = "topology.kubernetes.io/zone"
                  operator = "In"
                  values   = ["dc1"]
                }
              }
            }
            preferred_during_scheduling_ignored_during_execution {
              weight = 50
              preference {
                match_expressions {
                  key      = "nomad.meta/spot"
                  operator = "NotIn"
                  values   = ["true"]
                }
              }
            }
            preferred_during_scheduling_ignored_during_execution {
              weight = 30
              preference {
                match_expressions {
                  key      = "kubernetes.io/hostname"
                  operator = "In"
                  values   = ["fast-1", "fast-2"]
                }
              }
            }
            required_during_scheduling_ignored_during_execution {
              node_selector_term {
                match_expressions {
                  key      = "nomad.meta/rack"
                  operator = "NotIn"
                  values   = ["r13"]
                }
                match_expressions {
                  key      = "kubernetes.io/os"
                  operator = "In"
                  values   = ["linux", "freebsd"]
                }
                match_expressions {
                  key      = "nomad.meta/disk_count"
                  operator = "Gt"
                  values   = ["1"]
                }
                match_expressions {
                  key      = "nomad.meta/ssd"
                  operator = "Exists"
                }
                match_expressions {
                  key      = "nomad.meta/decommissioning"
                  operator = "DoesNotExist"
                }
                match_expressions {
                  key      = "nomad.meta/features"
                  operator = "In"
                  values   = ["avx2", "sse4"]
                }
                match_expressions {
                  key      = "nomad.meta/zone"
                  operator = "In"
                  values   = ["a", "b"]
                }
                match_expressions {
                  key      = "kubernetes.io/hostname"
                  operator = "NotIn"
                  values   = ["nas-01"]
                }
              }
            }
          }
          pod_anti_affinity {
            required_during_scheduling_ignored_during_execution {
              topology_key = "kubernetes.io/hostname"
              label_selector {
                match_labels = {
                  "app.kubernetes.io/part-of" = "search"
                }
              }
            }
          }
        }
        container {
          name  = "search"
          image = "docker.elastic.co/elasticsearch/elasticsearch:8.13.0"
          port {
            name           = "http"
            container_port = 9200
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "2048Mi"
            }
            requests = {
              cpu    = "1"
              memory = "2048Mi"
            }
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "topology.kubernetes.io/zone"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = {
              app = "search"
            }
          }
        }
      }
    }
  }
}
