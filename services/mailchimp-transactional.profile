# Mailchimp Transactional (Mandrill): two DKIM CNAMEs and a DMARC record
# are required since 2024; without them Mandrill sends From a
# mandrillapp.com subdomain instead of yours.
id       = mailchimp-transactional
name     = Mailchimp Transactional (Mandrill)
doc      = https://mailchimp.com/developer/transactional/docs/authentication-delivery/
verified = 2026-11-29

spf-include = spf.mandrillapp.com
source = spf-include | O | older authentication-delivery page (legacy requirement); it only lists Mandrill's addresses here

mail-from = mandrillapp.com
source = mail-from | T | https://www.senderclarity.com/guides/mandrill-spf-dkim-dmarc-setup (default Return-Path @mandrillapp.com)

dkim = mte1 {domain} dkim1.mandrillapp.com
dkim = mte2 {domain} dkim2.mandrillapp.com
source = dkim | O | https://mailchimp.com/developer/release-notes/new-sending-domain-authentication-requirements

send-as = verified-domain
source = send-as | O | authentication-delivery: Mandrill sends nothing from unverified domains

authenticated-by = dkim dmarc
source = authenticated-by | O | release note 2023-12-19: valid DKIM and a DMARC record (p=none at least)
unauthenticated-from = rewrite <address>@<subdomain>.mandrillapp.com
source = unauthenticated-from | O | same release note: a mandrillapp.com subdomain becomes the From domain
source = unauthenticated-from | UNCONFIRMED | the exact rewritten address is not documented; shown with <...>

# What the customer sets up at Mandrill when only Mandrill can fix it.
action-dkim = verify {domain} as a sending domain in Mandrill and publish the DKIM CNAMEs
action-dkim = mte1._domainkey to dkim1.mandrillapp.com and mte2._domainkey to dkim2.mandrillapp.com
source = action-dkim | O | https://mailchimp.com/developer/release-notes/new-sending-domain-authentication-requirements
action-return-path = add a custom return-path domain under {domain} in Mandrill
action-return-path = (Settings > Tracking & Return Path Domains) and publish the CNAME it shows
source = action-return-path | T | https://www.senderclarity.com/guides/mandrill-spf-dkim-dmarc-setup (the CNAME target is not confirmed)
