variable "namespace" {
  description = "Kubernetes namespace of every object in this module"
  type        = string
  default     = "default"
}
