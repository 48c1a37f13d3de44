# Brevo (formerly Sendinblue): the domain is authenticated with a
# brevo-code TXT and two DKIM CNAMEs; since February 2024 Brevo replaces
# the From domain of unauthenticated domains with <id>.brevosend.com.
id       = brevo
name     = Brevo
doc      = https://developers.brevo.com/docs/domain-authentication-and-verification
verified = 2026-11-29

param = account-id | the number Brevo uses in <number>.brevosend.com for your account
param-pattern = account-id [0-9]*

spf-include = spf.brevo.com
source = spf-include | T | https://www.captaindns.com/en/blog/brevo-transactional-email-technical-guide

mail-from = sender-sib.com
source = mail-from | UNCONFIRMED | on shared IPs the Return-Path is a Brevo domain (T, same guide); not in Brevo's docs

dkim = brevo1 {domain} b1.{domain-dashes}.dkim.brevo.com
dkim = brevo2 {domain} b2.{domain-dashes}.dkim.brevo.com
source = dkim | X | many public configs 2025-2026; Brevo's API example shows a legacy mail._domainkey TXT

unauthenticated-from = rewrite {local}@{account-id}.brevosend.com
source = unauthenticated-from | O | https://help.brevo.com/hc/en-us/articles/16045394674066

# What the customer sets up at Brevo when only Brevo can fix it.
action-dkim = authenticate {domain} in Brevo and publish the DKIM records it shows
action-dkim = (brevo1._domainkey and brevo2._domainkey CNAMEs)
source = action-dkim | O | https://developers.brevo.com/docs/domain-authentication-and-verification
source = action-dkim | X | the brevo1/brevo2 CNAME names: public configs 2025-2026
