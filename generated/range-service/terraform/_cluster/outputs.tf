output "service_name" {
  description = "Kubernetes Service name"
  value       = kubernetes_service_v1.cache.metadata[0].name
}

output "namespace" {
  description = "Namespace the objects are deployed to"
  value       = var.namespace
}
