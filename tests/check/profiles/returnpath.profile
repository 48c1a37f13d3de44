# Custom return-path: bounce.<customer> is a CNAME to the service.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
mail-from = bounce.{domain}
mail-from-target = rp.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
