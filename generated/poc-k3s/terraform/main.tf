module "echo-server" {
  source = "./echo-server"
}

module "overseerr" {
  source = "./overseerr"
}

module "whoami" {
  source = "./whoami"
}

module "whoami-connect" {
  source = "./whoami-connect"
}
