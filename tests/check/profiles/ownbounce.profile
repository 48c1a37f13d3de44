# The service bounces to its own domain: SPF is not the customer's.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
mail-from = bounce.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
