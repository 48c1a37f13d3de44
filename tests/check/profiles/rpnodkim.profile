# Custom return-path, no signing: only the return-path CNAME makes DMARC pass.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
mail-from = bounce.{domain}
mail-from-target = rp.sendco.example
