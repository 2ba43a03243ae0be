module "webapp" {
  source = "./webapp"
}

module "webapp-worker" {
  source = "./webapp-worker"
}
