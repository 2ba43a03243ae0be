module "newsletter" {
  source = "./newsletter"
}

module "shop-api" {
  source = "./shop-api"
}
