# Signs with and bounces to its own domain: authenticated, never aligned.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
mail-from = bounce.sendco.example
dkim = s1 sendco.example
