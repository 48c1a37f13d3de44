# Amazon SES with its default MAIL FROM (a subdomain of amazonses.com):
# SPF cannot align, so DMARC passes through Easy DKIM only.
id       = amazon-ses
name     = Amazon SES (default MAIL FROM)
doc      = https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
verified = 2026-11-29

param = region | the AWS region SES sends from, e.g. us-east-1
param-pattern = region *-*-[0-9]*
param = token1 | the first Easy DKIM token SES shows for the identity (the name before ._domainkey)
param = token2 | the second Easy DKIM token
param = token3 | the third Easy DKIM token
param-pattern = token1 [a-z0-9]*
param-pattern = token2 [a-z0-9]*
param-pattern = token3 [a-z0-9]*

spf-include = amazonses.com
source = spf-include | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html

mail-from = {region}.amazonses.com
source = mail-from | UNCONFIRMED | AWS: a subdomain of amazonses.com that varies by region (mail-from.md); the host form is assumed

dkim = {token1} {domain} {token1}.dkim.amazonses.com
dkim = {token2} {domain} {token2}.dkim.amazonses.com
dkim = {token3} {domain} {token3}.dkim.amazonses.com
source = dkim | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy-managing.html

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html

# What the customer sets up at SES when only SES can fix it.
action-dkim = turn on Easy DKIM for the identity {domain} in the SES console and publish
action-dkim = the three CNAME records it shows
source = action-dkim | O | https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-easy.html
action-return-path = set a custom MAIL FROM domain (a subdomain of {domain} that receives no mail)
action-return-path = for the identity in the SES console, with one MX record
action-return-path = 10 feedback-smtp.{region}.amazonses.com and the TXT record v=spf1 include:amazonses.com ~all
source = action-return-path | O | https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
