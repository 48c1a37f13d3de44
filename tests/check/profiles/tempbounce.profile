# Bounces to a domain of the service that the test makes time out.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
mail-from = tempbounce.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
