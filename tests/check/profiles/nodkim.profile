# A service that does not sign.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example

