module "echo-server" {
  source = "./echo-server"
}

module "whoami-connect" {
  source = "./whoami-connect"
}
