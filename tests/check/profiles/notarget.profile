# The key is given to the customer to publish as TXT (no CNAME target).
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain}
