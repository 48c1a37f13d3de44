# Postmark with a custom Return-Path (pm-bounces.yourdomain, a CNAME to
# pm.mtasv.net) and the DKIM key it generates, published as TXT.
id       = postmark
name     = Postmark
doc      = https://postmarkapp.com/support/article/1113-how-do-i-manage-domains-using-the-api
verified = 2026-11-29

param = dkim-selector | the DKIM selector Postmark shows: 14 digits and pm, e.g. 20250817055129pm
param-pattern = dkim-selector [0-9]*pm
param = return-path | the label of the custom Return-Path domain
param-default = return-path pm-bounces

spf-include = spf.mtasv.net
source = spf-include | O | support article 1113 (SPFTextValue "v=spf1 a mx include:spf.mtasv.net ~all")

mail-from = {return-path}.{domain}
source = mail-from | O | https://postmarkapp.com/blog/introducing-full-dmarc-support-with-custom
mail-from-target = pm.mtasv.net
source = mail-from-target | O | ReturnPathDomain: a subdomain of the From domain with a CNAME to pm.mtasv.net

dkim = {dkim-selector} {domain}
source = dkim | O | support article 1113 (<YYYYMMDDhhmmss>pm._domainkey TXT k=rsa; p=...)

send-as = verified-domain
source = send-as | T | https://phishfence.io/learn/dmarc-postmark (a sender signature covers one address)

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | blog above: default Return-Path pm_bounces@pm.mtasv.net, not aligned

# What the customer sets up at Postmark when only Postmark can fix it.
action-dkim = add {domain} as a domain in Postmark and publish the DKIM TXT record
action-dkim = (<timestamp>pm._domainkey.{domain}) it shows
source = action-dkim | O | https://postmarkapp.com/support/article/1113-how-do-i-manage-domains-using-the-api
action-return-path = set the Return-Path domain of {domain} in Postmark to pm-bounces.{domain}
action-return-path = with a CNAME record to pm.mtasv.net
source = action-return-path | O | https://postmarkapp.com/blog/introducing-full-dmarc-support-with-custom
