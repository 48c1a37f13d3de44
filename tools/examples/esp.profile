# A sending service as libfromauth sees it (SPEC section 6).  Example ESP
# sends from the ranges its SPF include lists, signs with a key it hosts
# and asks customers to delegate to it with a CNAME.
name         = Example ESP
spf-include  = spf.esp.example
helo         = mta1.esp.example
dkim         = esp1 {domain} esp1.dkim.esp.example
allowed-from = members.example, *.members.example
