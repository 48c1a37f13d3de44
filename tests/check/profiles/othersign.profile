# Signs with a domain that is not the customer's.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 othersign.example
