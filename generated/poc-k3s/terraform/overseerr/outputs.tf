output "service_name" {
  description = "Kubernetes Service name"
  value       = kubernetes_service_v1.overseerr.metadata[0].name
}

output "hostname" {
  description = "External hostname"
  value       = var.hostname
}

output "namespace" {
  description = "Namespace the objects are deployed to"
  value       = var.namespace
}
