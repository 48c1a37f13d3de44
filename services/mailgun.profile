# Mailgun with a sending domain (Mailgun recommends mg.yourdomain) and
# Automatic Sender Security: two DKIM CNAMEs pdk1/pdk2.
id       = mailgun
name     = Mailgun
doc      = https://documentation.mailgun.com/docs/mailgun/user-manual/domains/domains-verify
verified = 2026-11-29

param = subdomain | the label of the Mailgun sending domain under yours (mg for mg.yourdomain)
param-default = subdomain mg
param = dkim-host | the part of the pdk1 CNAME target after "pdk1._domainkey." (<id>.dkim1.mailgun.com)
param-pattern = dkim-host *.dkim1.mailgun.com, *.service.mailgun.com

spf-include = mailgun.org
source = spf-include | O | https://documentation.mailgun.com/docs/mailgun/user-manual/domains/domains-verify

mail-from = {subdomain}.{domain}
source = mail-from | T | https://mxio.io/providers/mailgun (the return path is on the Mailgun sending domain)

dkim = pdk1 {subdomain}.{domain} pdk1._domainkey.{dkim-host}
dkim = pdk2 {subdomain}.{domain} pdk2._domainkey.{dkim-host}
source = dkim | O | https://documentation.mailgun.com/docs/mailgun/user-manual/domains/dkim_security
source = dkim | O | the API example shows <id>.service.mailgun.com instead of <id>.dkim1.mailgun.com

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | domains-verify: without verification mail shows "sent via Mailgun.org"

# What the customer sets up at Mailgun when only Mailgun can fix it.
action-dkim = add {subdomain}.{domain} as a sending domain in Mailgun and publish the pdk1 and pdk2
action-dkim = DKIM CNAMEs (Automatic Sender Security) the control panel shows
source = action-dkim | O | https://documentation.mailgun.com/docs/mailgun/user-manual/domains/dkim_security
