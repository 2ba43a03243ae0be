"""The typed task `config` block (nomad2k8s/model/docker.py) and the one block merge."""

from __future__ import annotations

from nomad2k8s.model import DockerConfig, block_map, nested

from ..cases.harness import convert_text


def test_block_map_merges_either_shape_and_drops_the_parser_keys() -> None:
    bodies = [{"a": "1", "__line__": 3}, {"b": "2", "a": "3"}]
    assert block_map(bodies) == {"a": "3", "b": "2"}
    assert block_map({"a": 1, "__line__": 4}) == {"a": 1}
    assert [block_map(v) for v in ([], "x", ["x"], None)] == [None, None, None, None]
    mount = {"type": "volume", "volume_options": [{"driver_config": [{"name": "nfs", "options": [{"o": "x"}]}]}]}
    assert nested(mount, "volume_options", "driver_config", "options") == {"o": "x"}
    assert nested(mount, "bind_options") == {}


def test_docker_config_accessors() -> None:
    config = DockerConfig({"image": "nginx", "volumes": "a:/b", "ports": ["http", 8080],
                           "port_map": [{"http": 80, "__line__": 9}], "volume_driver": ""})
    assert (config.image, config.volumes, config.ports, config.port_map, config.volume_driver) == \
        ("nginx", ["a:/b"], ["http", "8080"], {"http": 80}, None)
    assert DockerConfig().block("labels") == {} and DockerConfig({"labels": "x"}).map_at("labels") is None


JOB = '''
job "web" {
  group "g" {
    network {
      port "http" {}
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1.25"
        ports = ["http"]
        port_map {
          http = 8080
        }
        labels {
          team = "edge"
        }
      }
    }
  }
}
'''


def test_the_parsed_task_config_is_typed_and_its_blocks_are_read_through_it() -> None:
    result = convert_text(JOB)
    pod = result.object("Deployment")["spec"]["template"]
    assert pod["metadata"]["labels"]["team"] == "edge"
    assert pod["spec"]["containers"][0]["ports"][0]["containerPort"] == 8080
