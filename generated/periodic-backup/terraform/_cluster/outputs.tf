output "service_name" {
  description = "Kubernetes Service name"
  value       = kubernetes_service_v1.minio_minio.metadata[0].name
}

output "namespace" {
  description = "Namespace the objects are deployed to"
  value       = var.namespace
}
