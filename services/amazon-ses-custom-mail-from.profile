# Amazon SES with a custom MAIL FROM domain: a subdomain of the From
# domain with one MX to SES's feedback endpoint and an SPF record, so SPF
# aligns too.
id       = amazon-ses-custom-mail-from
name     = Amazon SES (custom MAIL FROM)
doc      = https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
verified = 2026-11-29

param = region | the AWS region SES sends from, e.g. us-east-1
param-pattern = region *-*-[0-9]*
param = mail-from-label | the subdomain label set as custom MAIL FROM (label.yourdomain), e.g. mail
param = token1 | the first Easy DKIM token SES shows for the identity (the name before ._domainkey)
param = token2 | the second Easy DKIM token
param = token3 | the third Easy DKIM token
param-pattern = token1 [a-z0-9]*
param-pattern = token2 [a-z0-9]*
param-pattern = token3 [a-z0-9]*

spf-include = amazonses.com
source = spf-include | O | https://docs.aws.amazon.com/ses/latest/dg/mail-from.html (TXT "v=spf1 include:amazonses.com ~all")

mail-from = {mail-from-label}.{domain}
source = mail-from | O | https://docs.aws.amazon.com/ses/latest/dg/mail-from.html (a subdomain of the verified identity)
mail-from-mx = feedback-smtp.{region}.amazonses.com
source = mail-from-mx | O | mail-from.md: exactly one MX, 10 feedback-smtp.<region>.amazonses.com

dkim = {token1} {domain} {token1}.dkim.amazonses.com
dkim = {token2} {domain} {token2}.dkim.amazonses.com
dkim = {token3} {domain} {token3}.dkim.amazonses.com
source = dkim | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy-managing.html

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | mail-from.md: without the MX SES uses its default MAIL FROM (UseDefaultValue)

# What the customer sets up at SES when only SES can fix it.
action-dkim = turn on Easy DKIM for the identity {domain} in the SES console and publish
action-dkim = the three CNAME records it shows
source = action-dkim | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
