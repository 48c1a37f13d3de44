# Example ESP: the profile of SPEC section 6, with its comments.
name         = Example ESP
ip           = 192.0.2.0/24            # repeatable; IPv4 or IPv6 CIDR
ip           = 2001:db8:1::/48
spf-include  = spf.esp.example         # what customers add to their SPF
mail-from    = bounce.{domain}         # envelope domain; default: the From domain
mail-from-target = bounces.esp.example # optional CNAME target for mail-from
helo         = mta1.esp.example
dkim         = s1 {domain} s1.dkim.esp.example   # selector, signing domain, optional CNAME target
dkim         = s2 {domain}
allowed-from = members.example, *.members.example  # default: any
