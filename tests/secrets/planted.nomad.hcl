variable "admin_password" {
  type    = string
  default = "VarPw-Hotel8x"
}
variable "upstream_auth" {
  type    = string
  default = "VarAuth-Tango20q"
}
job "planted" {
  datacenters = ["dc1"]
  meta = {
    db_password   = "MetaPw-India9"
    backend_url   = "https://svc:MetaUrlPw-Juliet10@api.example.com/v1"
    alerts        = "https://hooks.slack.com/services/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"
    deploy_key_id = "AKIAPLANTEDEXAMPLE12"
    bot           = "ghp_PlantedGitHubToken0123456789abcdefABCD"
    api_secret    = "s#3$"
    build_blob    = "q8Z3vK9xP2mN7bL4wR6tY1uE5sA0dF3g"
    run_id        = "3f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"
    homepage      = "https://example.com/docs?page=2"
  }
  group "app" {
    network {
      port "http" { to = 8080 }
    }
    service {
      name = "planted"
      port = "http"
      check {
        type     = "http"
        path     = "/health?token=ChkTok-Papa16"
        interval = "10s"
        timeout  = "2s"
        header {
          Authorization = ["Bearer ChkBearer-Quebec17"]
          X-Api-Key     = ["ChkKey-Romeo18"]
        }
      }
    }
    task "server" {
      driver = "docker"
      config {
        image = "nginx@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
        ports = ["http"]
        args  = ["--db-password=ArgPw-Delta4", "-Djavax.net.ssl.keyStorePassword=KsPw-Echo5",
                 "--token", "TokVal-Foxtrot6", "--admin-password=${var.admin_password}",
                 "--upstream-key", var.upstream_auth]
        auth {
          username = "deployer"
          password = "DockerPw-Sierra19"
        }
      }
      env {
        DB_PASSWORD    = "EnvPw-Alpha1"
        DATABASE_URL   = "postgres://app:UrlPw-Bravo2@db:5432/app"
        API_TOKEN      = "p$#5w"
        REDIS_PASSWORD = "Ch@rl$e#3xyz"
        JAVA_OPTS      = "-Dspring.datasource.password=JavaOptPw-Uniform21 -Xmx1g"
        SESSION        = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.PlantedJwtSignature22abc"
        AWS_SECRET_ACCESS_KEY = "PlantedAwsSecretKey/0123456789abcdefghijKL"
      }
      template {
        destination = "local/app.json"
        data        = <<EOT
{"user": "app", "password": "TplJsonPw-Kilo11"}
EOT
      }
      template {
        destination = "local/app.yaml"
        data        = <<EOT
database:
  password: TplYamlPw-Lima12
EOT
      }
      template {
        destination = "local/app.ini"
        data        = <<EOT
[db]
password = TplIniPw-Mike13
EOT
      }
      template {
        destination = "local/redis.conf"
        data        = <<EOT
port 6379
requirepass RedisPw-Oscar15
EOT
      }
      template {
        destination = "local/upstream.conf"
        data        = <<EOT
proxy_set_header Authorization "Bearer TplBearer-November14abc";
EOT
      }
      template {
        destination = "local/key.pem"
        data        = <<EOT
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAplantedPemBodyLine23xyzPLANTEDpemBODYline23XYZ0
-----END RSA PRIVATE KEY-----
EOT
      }
    }
    task "worker" {
      driver = "docker"
      config {
        image   = "redis:7.2.4-alpine"
        command = "sh"
        args    = ["-c", "PGPASSWORD=PgPw-Golf7 psql -h db -c 'select 1'"]
      }
    }
  }
}
