# SendGrid (Twilio) with domain authentication and automated security:
# three CNAMEs, a return path em<N>.yourdomain that SendGrid hosts, and
# DKIM s1/s2 keys it rotates.
id       = sendgrid
name     = SendGrid
doc      = https://www.twilio.com/docs/sendgrid/api-reference/domain-authentication/authenticate-a-domain
verified = 2026-11-29

param = user-id | the SendGrid user id: the digits after "u" in the CNAME targets SendGrid shows
param-pattern = user-id [0-9]*
param = wl | the wl<NNN> label of those targets (digits only, e.g. 123)
param-pattern = wl [0-9]*
param = return-path | the return-path host label SendGrid shows, e.g. em1234

spf-include = sendgrid.net
source = spf-include | T | generic include in tutorials; old docs: sendgrid/docs content/docs/ui/account-and-settings/spf-records.md
source = spf-include | T | here it only lists SendGrid's addresses: with automated security nothing goes in your own SPF

mail-from = {return-path}.{domain}
source = mail-from | O | https://support.sendgrid.kke.co.jp/hc/ja/articles/360000226322 (em<N> of the From domain)
mail-from-target = u{user-id}.wl{wl}.sendgrid.net
source = mail-from-target | X | e.g. https://pastebin.com/q2sppdZL (em5945 to u2744887.wl138.sendgrid.net)

dkim = s1 {domain} s1.domainkey.u{user-id}.wl{wl}.sendgrid.net
dkim = s2 {domain} s2.domainkey.u{user-id}.wl{wl}.sendgrid.net
source = dkim | O | host names s1/s2._domainkey: sendgrid/docs how-to-set-up-domain-authentication.md
source = dkim | X | targets s1.domainkey.u<UID>.wl<NNN>.sendgrid.net: public configs

send-as = verified-domain
source = send-as | O | https://twilio.com/docs/sendgrid/api-reference/senders (authenticated domain or verified single sender)
send-as-error = error 60222 (HTTP 403)
source = send-as-error | O | https://twilio.com/de/docs/api/errors/60222
send-as-grant = authenticate the domain of {from} in SendGrid (Settings > Sender Authentication) or verify {from} as a single sender
source = send-as-grant | O | https://twilio.com/docs/sendgrid/api-reference/senders

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | domain authentication replaces sendgrid.net and removes "via" (authenticate-a-domain API page)

# What the customer sets up at SendGrid when only SendGrid can fix it.
action-dkim = authenticate {domain} in SendGrid (Settings > Sender Authentication) and publish
action-dkim = the three CNAME records it shows
source = action-dkim | O | https://www.twilio.com/docs/sendgrid/api-reference/domain-authentication/authenticate-a-domain
action-return-path = domain authentication of {domain} (Settings > Sender Authentication) sets the
action-return-path = return path to em<N>.{domain}; "Use a custom return path" chooses the label
source = action-return-path | O | https://support.sendgrid.kke.co.jp/hc/ja/articles/360000226322
