# Google Workspace (Gmail): a user's own mailbox, or an address the user
# added under "Send mail as".
id       = google-workspace
name     = Google Workspace (mailbox)
doc      = https://support.google.com/a/answer/174124
verified = 2026-11-29

param = login | the Workspace user that signs in (user@yourdomain)
param = granted | verified "Send mail as" addresses of that user, comma-separated
param = selector | the DKIM selector prefix chosen in the Admin console
param-default = selector google

spf-include = _spf.google.com
source = spf-include | T | https://www.mimecast.com/es/content/set-up-google-workspace-spf-record quoting support.google.com/a/answer/10685031
source = spf-include | X | https://github.com/plesk/domain-connect-templates/blob/master/google.com.gsuite-shared.json

mail-from = {domain}
source = mail-from | UNCONFIRMED | the user's own address; implied by https://support.google.com/a/answer/2956491, not stated

# The customer publishes the key as TXT: no target.
dkim = {selector} {domain}
source = dkim | O | https://support.google.com/a/answer/11611356 (prefix selector defaults to google)
source = dkim | O | https://support.google.com/a/answer/174124 (TXT record published by the customer)

send-as = mailbox-permission
source = send-as | O | https://developers.google.com/gmail/api/guides/alias_and_signature_settings
send-as-grant = the user {login} adds {from} under Gmail Settings > Accounts and Import > Send mail as
send-as-grant = and confirms the verification message; an address outside your domains must then send through
send-as-grant = that provider's SMTP server, which the administrator must allow (support.google.com/a/answer/176054)
source = send-as-grant | O | https://support.google.com/a/answer/176054 and the Gmail API guide

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | archived support.google.com/a/answer/174124: default key d=*.gappssmtp.com, not aligned

# What the customer sets up at Google when only Google can fix it.
action-dkim = in the Admin console (Apps > Google Workspace > Gmail > Authenticate email) generate
action-dkim = a DKIM key for {domain}, publish its TXT record, then click Start authentication
source = action-dkim | O | https://support.google.com/a/answer/174124
