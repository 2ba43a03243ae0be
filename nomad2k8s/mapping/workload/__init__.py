"""The workload and its containers: kind, tasks, lifecycle, resources, rollout, shutdown,
schedules, autoscaling, namespace and docker runtime options."""
