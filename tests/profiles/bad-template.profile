ip = 192.0.2.0/24
mail-from = bounce{domain}
