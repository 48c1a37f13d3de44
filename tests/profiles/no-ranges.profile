name = Nothing to send from
mail-from = bounce.{domain}
