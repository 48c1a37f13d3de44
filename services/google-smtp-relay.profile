# Google Workspace SMTP relay service (smtp-relay.gmail.com) for servers,
# devices and applications.
id       = google-smtp-relay
name     = Google Workspace (SMTP relay)
doc      = https://support.google.com/a/answer/2956491
verified = 2026-11-29

param = selector | the DKIM selector prefix chosen in the Admin console
param-default = selector google

spf-include = _spf.google.com
source = spf-include | T | https://www.mimecast.com/es/content/set-up-google-workspace-spf-record quoting support.google.com/a/answer/10685031

mail-from = {domain}
source = mail-from | UNCONFIRMED | the relay's per-user limits count the envelope sender; that it stays yours is implied

dkim = {selector} {domain}
source = dkim | O | https://support.google.com/a/answer/11611356 and https://support.google.com/a/answer/174124

send-as = verified-domain
source = send-as | O | https://support.google.com/a/answer/2956491 (Allowed senders: registered users / addresses in my domains / any)
send-as-grant = the administrator sets Allowed senders of the SMTP relay service (Admin console > Apps >
send-as-grant = Google Workspace > Gmail > Routing > SMTP relay service) so that it covers {from}
source = send-as-grant | O | https://support.google.com/a/answer/2956491

# What the customer sets up at Google when only Google can fix it.
action-dkim = in the Admin console (Apps > Google Workspace > Gmail > Authenticate email) generate
action-dkim = a DKIM key for {domain}, publish its TXT record, then click Start authentication
source = action-dkim | O | https://support.google.com/a/answer/174124
