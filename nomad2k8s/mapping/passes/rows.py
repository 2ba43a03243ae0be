"""The passes package's rows of the mapper table (assembled in order by core/registry.py)."""

from __future__ import annotations

from nomad2k8s.mapping.core.transform import ALL, Transform
from nomad2k8s.mapping.passes import batch_upstreams, podcleanup, served

TRANSFORMS: tuple[Transform, ...] = (
    # Needs the containers placed: only then is it known which tasks serve ports.
    Transform("served", "group", served.map_served,
              "after placement: Service ports no emitted container serves, Services of groups without a workload "
              "and their routes are removed; the rows of tasks that are not emitted say dropped",
              after=("service", "lifecycle")),
    # Last group step: lifecycle has placed the containers, so unmounted volumes are known.
    Transform("pod-cleanup", "group", podcleanup.prune_pod,
              "pod volumes no container/initContainer mounts are dropped (volumes of tasks not emitted, "
              "group volumes no task mounts), with the template ConfigMap keys/ExternalSecret entries no container "
              "reads; rows of tasks not in the pod say so", after=(ALL, "lifecycle", "template")),
    # Over every job converted together, before serialization: needs every job's final Services.
    Transform("batch-upstreams", "batch", batch_upstreams.link_upstreams,
              "Connect upstreams (and `range service` ports) whose destination Service is converted in the same "
              "batch -> that Service's port instead of the local bind port, in env, args, ConfigMaps and "
              "ExternalSecret templates; the ledger entries settle", after=("service", "served", "runtime",
                                                                            "template")),
)
