# A service that does not sign and names no HELO name.
name = SendCo
spf-include = spf.sendco.example
