/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file fromauth.h
 * libfromauth: can mail with this From address, sent through this sending
 * service, pass SPF, DKIM and DMARC at receivers, and if not, which DNS
 * records fix it?
 *
 * Conventions (see libfromauth(3)):
 * - Calls that can fail return int: 0 (FROMAUTH_OK) or a negative
 *   enum fromauth_error value.  Authentication outcomes are data read from
 *   result objects, never error codes.
 * - Fallible constructors take a `**out` and set it to NULL on failure.
 * - Calls that parse user input take `errbuf`/`errlen` (both may be 0) and
 *   write there what is wrong and where.  No global error state exists.
 * - Every returned `const char *` is owned by the object it came from and
 *   stays valid until that object is freed.  `_free(NULL)` does nothing.
 * - A configured context may be used from many threads at once; configure
 *   it (the `fromauth_ctx_set_*` and `_add_*` calls) before sharing it.
 *   Getters of a result object may be called from any thread; the object
 *   is not changed after its constructor returns.
 * - Absent values: getters added in 1.1 return NULL for a string that is
 *   absent (no record, no such tag), -1 for an absent integer or a flag
 *   that does not apply, and 0 for the count of an empty list.  Getters of
 *   1.0 keep what they documented: some return "" for "none" (each says
 *   so).  Every getter given a NULL object returns NULL, 0, -1 or the
 *   documented "absent" enum value; an index out of range gives NULL
 *   (strings) or -1 (ints); enum getters given NULL return -1 unless said
 *   otherwise.
 * - Objects reached through another one (fromauth_result_spf(), _dkim(),
 *   _dmarc()) are borrowed: never free them; they are valid until their
 *   owner is freed.
 *
 * No header of libspf2, OpenDKIM, OpenDMARC or ldns is included here: their
 * ABI never becomes ours.
 */
#ifndef FROMAUTH_FROMAUTH_H
#define FROMAUTH_FROMAUTH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error values.  Numbered explicitly and never reused. @since 1.0 */
enum fromauth_error {
	FROMAUTH_OK = 0,
	FROMAUTH_E_NOMEM = -1,      /**< out of memory */
	FROMAUTH_E_INVAL = -2,      /**< invalid argument (NULL, out of range) */
	FROMAUTH_E_ADDRESS = -3,    /**< malformed From address */
	FROMAUTH_E_DOMAIN = -4,     /**< malformed domain name */
	FROMAUTH_E_PROFILE = -5,    /**< malformed service profile */
	FROMAUTH_E_RECORD = -6,     /**< malformed DNS record or zone file */
	FROMAUTH_E_IO = -7,         /**< file cannot be read */
	FROMAUTH_E_NAMESERVER = -8, /**< malformed nameserver address */
	FROMAUTH_E_RESOLVER = -9,   /**< no usable resolver configuration */
	FROMAUTH_E_IP = -10,        /**< malformed IP address */
	FROMAUTH_E_INTERNAL = -11,  /**< a wrapped library failed unexpectedly */
	FROMAUTH_E_RANGE = -12,     /**< index out of range */
	FROMAUTH_E_MESSAGE = -13,   /**< malformed RFC 5322 message (@since 1.1) */
};

/** Static description of an error value; never NULL. @since 1.0 */
const char *fromauth_strerror(int error);

/** Library version string, e.g. "1.1.0"; static. @since 1.0 */
const char *fromauth_version(void);

/** A suggested size for `errbuf`: room for the messages about input of
 * sane length; a longer message is cut, always NUL-terminated. @since 1.1 */
#define FROMAUTH_ERRBUF_SIZE 512
/** A buffer size that holds any domain name in A-labels, with its NUL.
 * @since 1.1 */
#define FROMAUTH_DOMAIN_SIZE 254

/* ------------------------------------------------------------------ */
/* Context: DNS settings, overlay zones and the shared cache.          */

struct fromauth_ctx;

/**
 * Create a context using the system resolver (/etc/resolv.conf, read on
 * first use), a 2000 ms timeout, 2 tries and a 30 s deadline per check.
 * @param[out] out the new context, free with fromauth_ctx_free()
 * @since 1.0
 */
int fromauth_ctx_new(struct fromauth_ctx **out);
/** Free a context and its cache.  No check may be running on it. @since 1.0 */
void fromauth_ctx_free(struct fromauth_ctx *ctx);

/**
 * Add a nameserver, "ADDR" or "ADDR@PORT" (IPv4 or IPv6).  Once any is
 * added, /etc/resolv.conf is not used.
 * @return 0, FROMAUTH_E_NAMESERVER for a malformed address
 * @since 1.0
 */
int fromauth_ctx_add_nameserver(struct fromauth_ctx *ctx, const char *addr);
/** Timeout of one DNS try in milliseconds (1..600000). @since 1.0 */
int fromauth_ctx_set_timeout(struct fromauth_ctx *ctx, unsigned int ms);
/** Number of tries per query (1..10).  A query waits at most timeout × tries. @since 1.0 */
int fromauth_ctx_set_tries(struct fromauth_ctx *ctx, unsigned int tries);
/** Bound of the DNS time one check may spend, in ms (0 = none; the
 * default is 30000). @since 1.0 */
int fromauth_ctx_set_deadline(struct fromauth_ctx *ctx, unsigned int ms);
/**
 * Cap on the memory the context's DNS cache holds, in bytes (default
 * 128 MiB: the answers of about 25,000 customer domains beside the records
 * they share, so a run over 100,000 domains stays in bounded memory).  When full, the least
 * recently used answers go first; records many checks share stay.  0 keeps
 * almost nothing, yet concurrent questions for one name are still asked
 * once.  Lowering the cap evicts at once.
 * @return 0, FROMAUTH_E_INVAL for a NULL context
 * @since 1.1
 */
int fromauth_ctx_set_cache_size(struct fromauth_ctx *ctx, size_t bytes);
/**
 * Use the Public Suffix List in the file @p path (the PSL's text format,
 * or libpsl's DAFSA) for RFC 7489 organizational domains on this context,
 * instead of the system's list; NULL goes back to the system's.  The PSL
 * is data that changes: a platform may ship a newer list, a test world its
 * own.
 * @return 0, FROMAUTH_E_IO (unreadable, or not a list; errbuf says which),
 *         FROMAUTH_E_INVAL for a NULL context
 * @since 1.1
 */
int fromauth_ctx_set_psl(struct fromauth_ctx *ctx, const char *path,
			 char *errbuf, size_t errlen);
/** Offline mode (non-zero): only overlay records answer. @since 1.0 */
int fromauth_ctx_set_offline(struct fromauth_ctx *ctx, int offline);
/**
 * Add every record of an RFC 1035 master file to the overlay.
 * @return 0, FROMAUTH_E_IO, FROMAUTH_E_RECORD (errbuf names file and line)
 * @since 1.0
 */
int fromauth_ctx_add_zone_file(struct fromauth_ctx *ctx, const char *path,
			       char *errbuf, size_t errlen);
/**
 * Add one overlay record given as a master-file line, e.g.
 * `_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none"`.
 * @since 1.0
 */
int fromauth_ctx_add_record(struct fromauth_ctx *ctx, const char *rr,
			    char *errbuf, size_t errlen);
/**
 * Delete one record, given as a master-file line, from what the overlay and
 * the network answer ("what if I removed this?"): it is matched by owner,
 * type and data (a TXT record by its text, however split into strings), not
 * by TTL.  The rest of its set stays; a name left with nothing answers
 * NXDOMAIN when the overlay holds it, a set emptied otherwise NODATA.  A
 * later fromauth_ctx_add_record() of the same record publishes it again.
 * Not thread-safe against concurrent checks, like the other overlay calls.
 * @return 0, FROMAUTH_E_INVAL, FROMAUTH_E_RECORD (errbuf says why),
 *         FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_ctx_delete_record(struct fromauth_ctx *ctx, const char *rr,
			       char *errbuf, size_t errlen);
/**
 * Make queries for @p name time out for every type the overlay does not
 * hold for it (tests, "what if the server is down").
 * @since 1.0
 */
int fromauth_ctx_add_timeout_name(struct fromauth_ctx *ctx, const char *name);

/**
 * Use this DNS blocklist for FROMAUTH_CHECK_REPUTATION; once any is added
 * the default lists are no longer asked.  @p spec is "key=value" parts
 * separated by ';': zone=NAME, kind=ip|domain, listed=CODE MEANING,...
 * (CODE an address or /prefix in 127.0.0.0/8, or a bit for bitmask=yes),
 * and optionally refused=CODE MEANING,..., ipv6=yes, bitmask=yes,
 * registered=yes, test=NAME (a domain list's listed test entry),
 * delist=URL.
 * @return 0, FROMAUTH_E_INVAL (errbuf says what), FROMAUTH_E_RANGE
 * (more than 64 lists)
 * @since 1.1
 */
int fromauth_ctx_add_dnsbl(struct fromauth_ctx *ctx, const char *spec,
			   char *errbuf, size_t errlen);

/* ------------------------------------------------------------------ */
/* DNS: what the resolver layer answers (the `fromauth dns` command).  */

/** Record types the DNS layer serves. @since 1.0 */
enum fromauth_rrtype {
	FROMAUTH_RR_A = 1,
	FROMAUTH_RR_CNAME = 5,
	FROMAUTH_RR_PTR = 12,
	FROMAUTH_RR_MX = 15,
	FROMAUTH_RR_TXT = 16,
	FROMAUTH_RR_AAAA = 28,
};

/** Outcome of one DNS lookup. @since 1.0 */
enum fromauth_dns_status {
	FROMAUTH_DNS_OK = 0,
	FROMAUTH_DNS_NXDOMAIN = 1,
	FROMAUTH_DNS_NODATA = 2,
	FROMAUTH_DNS_TIMEOUT = 3,
	FROMAUTH_DNS_SERVFAIL = 4, /**< server failure, refusal or a CNAME loop */
};

struct fromauth_dns_answer;

/** Record type by name ("TXT", "aaaa"); 0 if unknown. @since 1.0 */
int fromauth_rrtype_from_name(const char *name);
/** Static name of a status ("ok", "nxdomain", ...). @since 1.0 */
const char *fromauth_dns_status_name(int status);

/**
 * Look @p name up through the context (overlay, cache, network).
 * A DNS failure is an answer with a status, not an error.
 * @param[out] out the answer, free with fromauth_dns_answer_free()
 * @return 0, FROMAUTH_E_DOMAIN, FROMAUTH_E_INVAL, FROMAUTH_E_RESOLVER
 * @since 1.0
 */
int fromauth_dns_lookup(struct fromauth_ctx *ctx, const char *name, int rrtype,
			struct fromauth_dns_answer **out,
			char *errbuf, size_t errlen);
/** Free an answer; NULL does nothing. @since 1.0 */
void fromauth_dns_answer_free(struct fromauth_dns_answer *answer);
/** enum fromauth_dns_status. @since 1.0 */
int fromauth_dns_answer_status(const struct fromauth_dns_answer *answer);
/** Number of records of the asked type. @since 1.0 */
size_t fromauth_dns_answer_count(const struct fromauth_dns_answer *answer);
/** Record @p i as presentation-format rdata; NULL if out of range. @since 1.0 */
const char *fromauth_dns_answer_record(const struct fromauth_dns_answer *answer, size_t i);
/** TTL of the answer in seconds (negative answers: the negative TTL). @since 1.0 */
uint32_t fromauth_dns_answer_ttl(const struct fromauth_dns_answer *answer);
/** Number of CNAMEs followed. @since 1.0 */
size_t fromauth_dns_answer_cname_count(const struct fromauth_dns_answer *answer);
/** Target of the @p i th CNAME followed; NULL if out of range. @since 1.0 */
const char *fromauth_dns_answer_cname(const struct fromauth_dns_answer *answer, size_t i);
/** Where the answer came from: "overlay", "cache" or "network". @since 1.0 */
const char *fromauth_dns_answer_source(const struct fromauth_dns_answer *answer);
/** DNS queries sent on the network for this lookup. @since 1.0 */
unsigned int fromauth_dns_answer_queries(const struct fromauth_dns_answer *answer);
/** Time spent on this lookup, ms. @since 1.0 */
unsigned int fromauth_dns_answer_elapsed_ms(const struct fromauth_dns_answer *answer);

/* ------------------------------------------------------------------ */
/* From address.                                                       */

struct fromauth_address;

/**
 * Parse a bare address or an RFC 5322 mailbox.  The domain is validated
 * and converted to A-labels.
 * @return 0, FROMAUTH_E_ADDRESS or FROMAUTH_E_DOMAIN (errbuf says what and
 * at which byte offset)
 * @since 1.0
 */
int fromauth_address_parse(const char *input, struct fromauth_address **out,
			   char *errbuf, size_t errlen);
/** Free an address; NULL does nothing. @since 1.0 */
void fromauth_address_free(struct fromauth_address *addr);
/** Local part, unquoted. @since 1.0 */
const char *fromauth_address_local(const struct fromauth_address *addr);
/** Domain in A-labels, lower case, without a trailing dot. @since 1.0 */
const char *fromauth_address_domain(const struct fromauth_address *addr);
/** Display name, or "" when there is none. @since 1.0 */
const char *fromauth_address_display_name(const struct fromauth_address *addr);
/** local@domain with the A-label domain. @since 1.0 */
const char *fromauth_address_addr_spec(const struct fromauth_address *addr);

/**
 * A domain as a user types it (U-labels or A-labels, any case, one
 * optional trailing dot) as lower-case A-labels without a trailing dot,
 * validated as every check validates it (IDNA2008, UTS #46).
 * @param[out] buf the A-label form, NUL-terminated; FROMAUTH_DOMAIN_SIZE
 * bytes always suffice
 * @return 0, FROMAUTH_E_DOMAIN, FROMAUTH_E_RANGE (@p buflen too small),
 * FROMAUTH_E_INVAL, FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_domain_to_alabel(const char *domain, char *buf, size_t buflen,
			      char *errbuf, size_t errlen);

/* ------------------------------------------------------------------ */
/* Service profile.                                                    */

struct fromauth_profile;

/** An empty profile, to fill with fromauth_profile_set(). @since 1.0 */
int fromauth_profile_new(struct fromauth_profile **out);
/**
 * Read a profile file (SPEC section 6).  Errors name file, line and key.
 * @return 0, FROMAUTH_E_IO, FROMAUTH_E_PROFILE
 * @since 1.0
 */
int fromauth_profile_load(const char *path, struct fromauth_profile **out,
			  char *errbuf, size_t errlen);
/** Same, from text in memory; @p source names it in messages. @since 1.0 */
int fromauth_profile_parse(const char *text, const char *source,
			   struct fromauth_profile **out,
			   char *errbuf, size_t errlen);
/** Free a profile; NULL does nothing. @since 1.0 */
void fromauth_profile_free(struct fromauth_profile *profile);
/**
 * Add one `key = value` setting, validated as in a file (repeatable keys
 * append, single ones replace).
 * @return 0, FROMAUTH_E_PROFILE
 * @since 1.0
 */
int fromauth_profile_set(struct fromauth_profile *profile, const char *key,
			 const char *value, char *errbuf, size_t errlen);
/** Check completeness: some `ip` or an `spf-include`. @since 1.0 */
int fromauth_profile_validate(const struct fromauth_profile *profile,
			      char *errbuf, size_t errlen);
/** Profile name, or "". @since 1.0 */
const char *fromauth_profile_name(const struct fromauth_profile *profile);
/** Number of `ip` ranges. @since 1.0 */
size_t fromauth_profile_ip_count(const struct fromauth_profile *profile);
/** The @p i th range as written ("192.0.2.0/24"); NULL if out of range. @since 1.0 */
const char *fromauth_profile_ip(const struct fromauth_profile *profile, size_t i);
/** spf-include, or NULL. @since 1.0 */
const char *fromauth_profile_spf_include(const struct fromauth_profile *profile);
/** mail-from template, or NULL (the From domain). @since 1.0 */
const char *fromauth_profile_mail_from(const struct fromauth_profile *profile);
/** mail-from-target, or NULL. @since 1.0 */
const char *fromauth_profile_mail_from_target(const struct fromauth_profile *profile);
/** helo, or NULL. @since 1.0 */
const char *fromauth_profile_helo(const struct fromauth_profile *profile);
/** Number of DKIM identities. @since 1.0 */
size_t fromauth_profile_dkim_count(const struct fromauth_profile *profile);
/** Selector of DKIM identity @p i; NULL if out of range. @since 1.0 */
const char *fromauth_profile_dkim_selector(const struct fromauth_profile *profile, size_t i);
/** Signing domain template of identity @p i. @since 1.0 */
const char *fromauth_profile_dkim_domain(const struct fromauth_profile *profile, size_t i);
/** Expected CNAME target of identity @p i, or NULL. @since 1.0 */
const char *fromauth_profile_dkim_target(const struct fromauth_profile *profile, size_t i);
/** Number of allowed-from patterns. @since 1.0 */
size_t fromauth_profile_allowed_from_count(const struct fromauth_profile *profile);
/** The @p i th allowed-from pattern. @since 1.0 */
const char *fromauth_profile_allowed_from(const struct fromauth_profile *profile, size_t i);

/* ---- per-account parameters and the service catalogue (1.1) ------- */

/**
 * Give the per-account parameter @p name (declared by the profile with
 * `param = NAME | description`) a value; it fills `{NAME}` in the
 * profile's names.  A value must match the parameter's `param-pattern`
 * when it has one, and an `ip = {NAME}` parameter must be a CIDR range.
 * Setting it again replaces the value.  Parameters left unset never stop
 * a check: see fromauth.profile(5).
 * @return 0, FROMAUTH_E_INVAL, FROMAUTH_E_PROFILE (no such parameter, or a
 * value it refuses; the message says which), FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_profile_set_param(struct fromauth_profile *profile, const char *name,
			       const char *value, char *errbuf, size_t errlen);
/** Number of parameters the profile declares; 0 for NULL. @since 1.1 */
size_t fromauth_profile_param_count(const struct fromauth_profile *profile);
/** Name of parameter @p i, or NULL if out of range; owned by the profile. @since 1.1 */
const char *fromauth_profile_param_name(const struct fromauth_profile *profile, size_t i);
/** What parameter @p i holds and where the customer finds it, or NULL. @since 1.1 */
const char *fromauth_profile_param_description(const struct fromauth_profile *profile,
					       size_t i);
/** Value of parameter @p i (set, else its `param-default`), or NULL when it has none. @since 1.1 */
const char *fromauth_profile_param_value(const struct fromauth_profile *profile, size_t i);
/**
 * Directory of the service catalogue: `$FROMAUTH_SERVICES_DIR` when set
 * and not empty, else the installed `share/fromauth/services`.  The
 * string is static or the environment's.  Thread-safe while the
 * environment is not changed.
 * @since 1.1
 */
const char *fromauth_services_dir(void);
/**
 * Load a catalogue service by name ("sendgrid": `NAME.profile` in
 * fromauth_services_dir()), or a profile file when @p name contains '/'
 * or ends in `.profile`.
 * @return as fromauth_profile_load(); FROMAUTH_E_IO names the directory
 * searched when there is no such service; FROMAUTH_E_INVAL for a name
 * that is neither
 * @since 1.1
 */
int fromauth_profile_load_service(const char *name, struct fromauth_profile **out,
				  char *errbuf, size_t errlen);
/** Catalogue id (`id`), or NULL for a profile that is not a catalogue entry. @since 1.1 */
const char *fromauth_profile_id(const struct fromauth_profile *profile);
/** The vendor documentation URL (`doc`), or NULL. @since 1.1 */
const char *fromauth_profile_doc(const struct fromauth_profile *profile);
/** Date the entry was last checked against its sources (`verified`, YYYY-MM-DD), or NULL. @since 1.1 */
const char *fromauth_profile_verified(const struct fromauth_profile *profile);
/** Number of `source` lines: where each fact of the profile comes from. @since 1.1 */
size_t fromauth_profile_source_count(const struct fromauth_profile *profile);
/** Key of the fact source @p i is for ("dkim"), or NULL if out of range. @since 1.1 */
const char *fromauth_profile_source_key(const struct fromauth_profile *profile, size_t i);
/** Confidence of source @p i: "O", "T", "X" or "UNCONFIRMED"; NULL if out of range. @since 1.1 */
const char *fromauth_profile_source_status(const struct fromauth_profile *profile, size_t i);
/** Where source @p i states the fact (URL, note), or NULL if out of range. @since 1.1 */
const char *fromauth_profile_source_reference(const struct fromauth_profile *profile,
					      size_t i);

/* ------------------------------------------------------------------ */
/* SPF (RFC 7208) for one IP.                                          */

/** RFC 7208 results. @since 1.0 */
enum fromauth_spf_result {
	FROMAUTH_SPF_NONE = 0,
	FROMAUTH_SPF_NEUTRAL = 1,
	FROMAUTH_SPF_PASS = 2,
	FROMAUTH_SPF_FAIL = 3,
	FROMAUTH_SPF_SOFTFAIL = 4,
	FROMAUTH_SPF_TEMPERROR = 5,
	FROMAUTH_SPF_PERMERROR = 6,
};

struct fromauth_spf;

/** Static RFC 7208 name of a result ("pass", ...). @since 1.0 */
const char *fromauth_spf_result_name(int result);

/**
 * Evaluate check_host() for @p ip.  @p mail_from is an address or a domain;
 * "" or NULL is the null sender (postmaster@helo).  @p helo may be NULL.
 * @return 0, FROMAUTH_E_IP, FROMAUTH_E_ADDRESS, FROMAUTH_E_DOMAIN
 * @since 1.0
 */
int fromauth_spf_check(struct fromauth_ctx *ctx, const char *ip,
		       const char *mail_from, const char *helo,
		       struct fromauth_spf **out, char *errbuf, size_t errlen);
/** Free an evaluation; NULL does nothing. @since 1.0 */
void fromauth_spf_free(struct fromauth_spf *spf);
/** The IP evaluated. @since 1.0 */
const char *fromauth_spf_ip(const struct fromauth_spf *spf);
/** The domain whose record was evaluated. @since 1.0 */
const char *fromauth_spf_domain(const struct fromauth_spf *spf);
/** enum fromauth_spf_result. @since 1.0 */
int fromauth_spf_result(const struct fromauth_spf *spf);
/** Why: the matching mechanism, the limit hit or the parse error. @since 1.0 */
const char *fromauth_spf_reason(const struct fromauth_spf *spf);
/** exp= text for fail, or "". @since 1.0 */
const char *fromauth_spf_explanation(const struct fromauth_spf *spf);
/** The SPF record that decided, or "". @since 1.0 */
const char *fromauth_spf_record(const struct fromauth_spf *spf);
/** DNS-querying terms used (RFC 7208 4.6.4). @since 1.0 */
unsigned int fromauth_spf_lookups(const struct fromauth_spf *spf);
/** Void lookups (RFC 7208 4.6.4). @since 1.0 */
unsigned int fromauth_spf_void_lookups(const struct fromauth_spf *spf);
/** The evaluation as a JSON object, built on the first call (from any
 *  thread); NULL only when out of memory. @since 1.0 */
const char *fromauth_spf_json(const struct fromauth_spf *spf);

/* ------------------------------------------------------------------ */
/* DKIM key of one identity.                                           */

/** Key status (SPEC section 3 step 5). @since 1.0 */
enum fromauth_dkim_status {
	FROMAUTH_DKIM_VALID = 0,
	FROMAUTH_DKIM_MISSING = 1,
	FROMAUTH_DKIM_INVALID = 2,
	FROMAUTH_DKIM_REVOKED = 3,
	FROMAUTH_DKIM_WEAK = 4,
	FROMAUTH_DKIM_MISMATCH = 5,
	FROMAUTH_DKIM_TEMPERROR = 6,
};

struct fromauth_dkim;

/** Static name of a status ("valid", ...). @since 1.0 */
const char *fromauth_dkim_status_name(int status);
/**
 * Test the key at `selector._domainkey.domain`.  @p expected_target (may be
 * NULL) is the CNAME target the service publishes the key at.
 * @since 1.0
 */
int fromauth_dkim_check(struct fromauth_ctx *ctx, const char *selector,
			const char *domain, const char *expected_target,
			struct fromauth_dkim **out, char *errbuf, size_t errlen);
/** Free a key evaluation; NULL does nothing. @since 1.0 */
void fromauth_dkim_free(struct fromauth_dkim *dkim);
/** The selector (A-labels). @since 1.0 */
const char *fromauth_dkim_selector(const struct fromauth_dkim *dkim);
/** The signing domain (A-labels). @since 1.0 */
const char *fromauth_dkim_domain(const struct fromauth_dkim *dkim);
/** enum fromauth_dkim_status. @since 1.0 */
int fromauth_dkim_status(const struct fromauth_dkim *dkim);
/** What the status means here, one sentence. @since 1.0 */
const char *fromauth_dkim_reason(const struct fromauth_dkim *dkim);
/** "rsa", "ed25519" or "" when unknown. @since 1.0 */
const char *fromauth_dkim_key_type(const struct fromauth_dkim *dkim);
/** Key size in bits, 0 when unknown. @since 1.0 */
unsigned int fromauth_dkim_key_bits(const struct fromauth_dkim *dkim);
/** Non-zero for t=y. @since 1.0 */
int fromauth_dkim_testing(const struct fromauth_dkim *dkim);
/** The key record text, or "". @since 1.0 */
const char *fromauth_dkim_record(const struct fromauth_dkim *dkim);
/** Number of CNAMEs followed to the key. @since 1.0 */
size_t fromauth_dkim_cname_count(const struct fromauth_dkim *dkim);
/** Target of the @p i th CNAME followed. @since 1.0 */
const char *fromauth_dkim_cname(const struct fromauth_dkim *dkim, size_t i);
/** The key as a JSON object, built on the first call (thread safe); NULL
 * only when out of memory. @since 1.0 */
const char *fromauth_dkim_json(const struct fromauth_dkim *dkim);
/** The name queried, `selector._domainkey.domain`. @since 1.1 */
const char *fromauth_dkim_name(const struct fromauth_dkim *dkim);
/** Non-zero for an RSA key of 1024 to 2047 bits (valid, 2048 advised).
 * @since 1.1 */
int fromauth_dkim_key_short(const struct fromauth_dkim *dkim);
/** The expected CNAME target given to fromauth_dkim_check() (A-labels),
 * or NULL when none was. @since 1.1 */
const char *fromauth_dkim_expected_target(const struct fromauth_dkim *dkim);
/** 1 when the CNAME chain reaches the expected target, 0 when not, -1
 * without an expected target. @since 1.1 */
int fromauth_dkim_target_reached(const struct fromauth_dkim *dkim);
/** 1 when the key published is the target's very key (not through a
 * CNAME), 0 when not, -1 without an expected target. @since 1.1 */
int fromauth_dkim_target_key_equal(const struct fromauth_dkim *dkim);

/* ------------------------------------------------------------------ */
/* DMARC policy of a domain.                                           */

/** DMARC policies. @since 1.0 */
enum fromauth_dmarc_policy {
	FROMAUTH_DMARC_POLICY_ABSENT = 0, /**< no valid record */
	FROMAUTH_DMARC_POLICY_NONE = 1,
	FROMAUTH_DMARC_POLICY_QUARANTINE = 2,
	FROMAUTH_DMARC_POLICY_REJECT = 3,
};

struct fromauth_dmarc;

/** Static name of a policy ("none", ...; "absent"). @since 1.0 */
const char *fromauth_dmarc_policy_name(int policy);
/** Discover and validate the DMARC policy of @p domain (RFC 9989, and
 * RFC 7489 for comparison).  @p domain may be in U-labels (since 1.1).
 * @since 1.0 */
int fromauth_dmarc_check(struct fromauth_ctx *ctx, const char *domain,
			 struct fromauth_dmarc **out, char *errbuf, size_t errlen);
/** Free an evaluation; NULL does nothing. @since 1.0 */
void fromauth_dmarc_free(struct fromauth_dmarc *dmarc);
/** Domain the record was found at, or "". @since 1.0 */
const char *fromauth_dmarc_record_domain(const struct fromauth_dmarc *dmarc);
/** The record, or "". @since 1.0 */
const char *fromauth_dmarc_record(const struct fromauth_dmarc *dmarc);
/** Organizational domain (RFC 9989 tree walk). @since 1.0 */
const char *fromauth_dmarc_org_domain(const struct fromauth_dmarc *dmarc);
/** Applicable policy (p, sp or np), enum fromauth_dmarc_policy. @since 1.0 */
int fromauth_dmarc_policy(const struct fromauth_dmarc *dmarc);
/** Policy a receiver applies: t=y lowers it one step. @since 1.0 */
int fromauth_dmarc_effective_policy(const struct fromauth_dmarc *dmarc);
/** The DMARC evaluation as a JSON object, built on the first call (thread
 * safe); NULL only when out of memory. @since 1.0 */
const char *fromauth_dmarc_json(const struct fromauth_dmarc *dmarc);
/** The domain evaluated (A-labels). @since 1.1 */
const char *fromauth_dmarc_domain(const struct fromauth_dmarc *dmarc);
/** `p` of the applied record, enum fromauth_dmarc_policy; ABSENT (0)
 * when the tag is absent or invalid, or no record applies. @since 1.1 */
int fromauth_dmarc_p(const struct fromauth_dmarc *dmarc);
/** `sp` of the applied record, as fromauth_dmarc_p(). @since 1.1 */
int fromauth_dmarc_sp(const struct fromauth_dmarc *dmarc);
/** `np` of the applied record, as fromauth_dmarc_p(). @since 1.1 */
int fromauth_dmarc_np(const struct fromauth_dmarc *dmarc);
/** Which tag gave fromauth_dmarc_policy(): "p", "sp", "np"; NULL when
 * none did. @since 1.1 */
const char *fromauth_dmarc_policy_tag(const struct fromauth_dmarc *dmarc);
/** DKIM alignment mode, "r" or "s" (the default "r" without a record).
 * @since 1.1 */
const char *fromauth_dmarc_adkim(const struct fromauth_dmarc *dmarc);
/** SPF alignment mode, "r" or "s". @since 1.1 */
const char *fromauth_dmarc_aspf(const struct fromauth_dmarc *dmarc);
/** `pct` (0..100), -1 when absent or invalid. @since 1.1 */
int fromauth_dmarc_pct(const struct fromauth_dmarc *dmarc);
/** Non-zero for t=y (testing). @since 1.1 */
int fromauth_dmarc_testing(const struct fromauth_dmarc *dmarc);
/** `psd`: "y", "n" or "u" (the default); NULL without a record. @since 1.1 */
const char *fromauth_dmarc_psd(const struct fromauth_dmarc *dmarc);
/** `fo` as written when valid, else NULL. @since 1.1 */
const char *fromauth_dmarc_fo(const struct fromauth_dmarc *dmarc);
/** `rf` as written when valid, else NULL. @since 1.1 */
const char *fromauth_dmarc_rf(const struct fromauth_dmarc *dmarc);
/** `ri` in seconds, -1 when absent or invalid. @since 1.1 */
long long fromauth_dmarc_ri(const struct fromauth_dmarc *dmarc);
/** Non-zero when the policy came from a parent and the domain has
 * NXDOMAIN for A, AAAA and MX (so `np` applies). @since 1.1 */
int fromauth_dmarc_nonexistent(const struct fromauth_dmarc *dmarc);
/** Non-zero when a DNS lookup failed temporarily. @since 1.1 */
int fromauth_dmarc_temperror(const struct fromauth_dmarc *dmarc);
/** DMARC records found at the name that decided (more than 1: all are
 * discarded). @since 1.1 */
size_t fromauth_dmarc_record_count(const struct fromauth_dmarc *dmarc);
/** Domain with several DMARC records, or NULL. @since 1.1 */
const char *fromauth_dmarc_multiple_domain(const struct fromauth_dmarc *dmarc);
/** Number of `rua` URIs of the applied record. @since 1.1 */
size_t fromauth_dmarc_rua_count(const struct fromauth_dmarc *dmarc);
/** The @p i th `rua` URI as written (without a !size). @since 1.1 */
const char *fromauth_dmarc_rua(const struct fromauth_dmarc *dmarc, size_t i);
/** Number of `ruf` URIs of the applied record. @since 1.1 */
size_t fromauth_dmarc_ruf_count(const struct fromauth_dmarc *dmarc);
/** The @p i th `ruf` URI as written. @since 1.1 */
const char *fromauth_dmarc_ruf(const struct fromauth_dmarc *dmarc, size_t i);
/** Number of problems found in the record. @since 1.1 */
size_t fromauth_dmarc_problem_count(const struct fromauth_dmarc *dmarc);
/** The @p i th problem, one sentence. @since 1.1 */
const char *fromauth_dmarc_problem(const struct fromauth_dmarc *dmarc, size_t i);
/** Number of report destinations outside the domain that lack their
 * authorization record (RFC 9989 section 3.2.3). @since 1.1 */
size_t fromauth_dmarc_unauthorized_count(const struct fromauth_dmarc *dmarc);
/** URI of the @p i th unauthorized destination. @since 1.1 */
const char *fromauth_dmarc_unauthorized(const struct fromauth_dmarc *dmarc, size_t i);
/** Host of the @p i th unauthorized destination. @since 1.1 */
const char *fromauth_dmarc_unauthorized_host(const struct fromauth_dmarc *dmarc, size_t i);
/** Owner name of the authorization record the @p i th destination lacks;
 * the fix is a TXT "v=DMARC1" there. @since 1.1 */
const char *fromauth_dmarc_unauthorized_record(const struct fromauth_dmarc *dmarc, size_t i);
/**
 * The fix for the @p i th unauthorized destination: the authorization
 * record as a master-file line ("NAME. 3600 IN TXT \"v=DMARC1\""), the
 * same line a check's dmarc.rua_unauthorized finding proposes.
 * @param buf receives the line, NUL-terminated; 1024 bytes always suffice
 * @return 0, FROMAUTH_E_INVAL (NULL @p dmarc or @p buf), FROMAUTH_E_RANGE
 *         (@p i out of range, or @p len too small), FROMAUTH_E_NOMEM
 * @since 1.1 */
int fromauth_dmarc_unauthorized_fix(const struct fromauth_dmarc *dmarc, size_t i,
				    char *buf, size_t len);
/** Number of names the RFC 9989 tree walk queried. @since 1.1 */
size_t fromauth_dmarc_tree_walk_count(const struct fromauth_dmarc *dmarc);
/** The @p i th name queried ("_dmarc.example.com"), in order. @since 1.1 */
const char *fromauth_dmarc_tree_walk(const struct fromauth_dmarc *dmarc, size_t i);
/** A sentence saying how RFC 7489 discovery differs (another record, org
 * domain or policy), or NULL when it agrees. @since 1.1 */
const char *fromauth_dmarc_discovery_differs(const struct fromauth_dmarc *dmarc);
/** RFC 7489 (Public Suffix List) organizational domain, or NULL. @since 1.1 */
const char *fromauth_dmarc_rfc7489_org_domain(const struct fromauth_dmarc *dmarc);
/** Domain of the record RFC 7489 discovery finds, or NULL. @since 1.1 */
const char *fromauth_dmarc_rfc7489_record_domain(const struct fromauth_dmarc *dmarc);
/** Record RFC 7489 discovery finds, or NULL. @since 1.1 */
const char *fromauth_dmarc_rfc7489_record(const struct fromauth_dmarc *dmarc);
/** Policy by RFC 7489 discovery, enum fromauth_dmarc_policy. @since 1.1 */
int fromauth_dmarc_rfc7489_policy(const struct fromauth_dmarc *dmarc);
/** Non-zero when RFC 7489 discovery hit a temporary DNS failure. @since 1.1 */
int fromauth_dmarc_rfc7489_temperror(const struct fromauth_dmarc *dmarc);

/* ------------------------------------------------------------------ */
/* The check.                                                          */

/** Verdicts, SPEC section 3 step 6. @since 1.0 */
enum fromauth_verdict {
	FROMAUTH_VERDICT_PASS = 0,
	FROMAUTH_VERDICT_AT_RISK = 1,
	FROMAUTH_VERDICT_FAIL = 2,
	FROMAUTH_VERDICT_UNKNOWN = 3,
};

/** Severity of a finding. @since 1.0 */
enum fromauth_severity {
	FROMAUTH_SEVERITY_INFO = 0,
	FROMAUTH_SEVERITY_WARNING = 1,
	FROMAUTH_SEVERITY_ERROR = 2,
};

/** Flags of fromauth_check(). @since 1.0 */
enum fromauth_check_flags {
	/** Also apply every concrete fix as overlay and evaluate again. */
	FROMAUTH_CHECK_FIX = 1 << 0,
	/** Receivers' sender rules as compliance rows (fromauth_result_rule_count()):
	 * Gmail. @since 1.1 */
	FROMAUTH_CHECK_RULES_GMAIL = 1 << 8,
	/** Yahoo (and AOL) sender rules. @since 1.1 */
	FROMAUTH_CHECK_RULES_YAHOO = 1 << 9,
	/** Outlook.com high-volume sender rules. @since 1.1 */
	FROMAUTH_CHECK_RULES_OUTLOOK = 1 << 10,
	/** Apple iCloud Mail sender rules. @since 1.1 */
	FROMAUTH_CHECK_RULES_APPLE = 1 << 11,
	/** Every receiver's rules. @since 1.1 */
	FROMAUTH_CHECK_RULES_ALL = 0xf << 8,
	/** Look the domains and sampled service addresses up on DNS blocklists
	 * (fromauth_result_reputation_count()).  Off by default: it sends
	 * queries about the sender to third parties. @since 1.1 */
	FROMAUTH_CHECK_REPUTATION = 1 << 12,
};

/** Status of a receiver's rule row. @since 1.1 */
enum fromauth_rule_status {
	FROMAUTH_RULE_PASS = 0,
	FROMAUTH_RULE_FAIL = 1,
	FROMAUTH_RULE_UNKNOWN = 2,      /**< a lookup failed, or nothing to measure */
	FROMAUTH_RULE_NOT_CHECKED = 3,  /**< a property of the session or message */
};

/** Outcome of one blocklist lookup. @since 1.1 */
enum fromauth_reputation_status {
	FROMAUTH_REPUTATION_NOT_LISTED = 0,
	FROMAUTH_REPUTATION_LISTED = 1,
	FROMAUTH_REPUTATION_REFUSED = 2, /**< the list refused the query: never a listing */
	FROMAUTH_REPUTATION_ERROR = 3,   /**< timeout or server failure */
	FROMAUTH_REPUTATION_UNKNOWN = 4, /**< undocumented code, or a list that failed its self-test */
};

struct fromauth_result;

/** Static names: "pass", "at-risk", "fail", "unknown". @since 1.0 */
const char *fromauth_verdict_name(int verdict);
/** Static names: "info", "warning", "error". @since 1.0 */
const char *fromauth_severity_name(int severity);

/**
 * Can @p from send via the service @p profile?  Bad input (From, profile)
 * is an error; every authentication outcome is in the result.
 * @param flags enum fromauth_check_flags
 * @param[out] out the result, free with fromauth_result_free()
 * @since 1.0
 */
int fromauth_check(struct fromauth_ctx *ctx,
		   const struct fromauth_profile *profile, const char *from,
		   unsigned int flags, struct fromauth_result **out,
		   char *errbuf, size_t errlen);
/** Free a result and what it owns; NULL does nothing. @since 1.0 */
void fromauth_result_free(struct fromauth_result *result);
/** enum fromauth_verdict. @since 1.0 */
int fromauth_result_verdict(const struct fromauth_result *result);
/** Verdict after the fixes (FROMAUTH_CHECK_FIX), else -1. @since 1.0 */
int fromauth_result_fixed_verdict(const struct fromauth_result *result);
/** From domain (A-labels). @since 1.0 */
const char *fromauth_result_domain(const struct fromauth_result *result);
/** Organizational domain of the From domain. @since 1.0 */
const char *fromauth_result_org_domain(const struct fromauth_result *result);
/** MAIL FROM domain of the service for this From. @since 1.0 */
const char *fromauth_result_mail_from(const struct fromauth_result *result);
/** Service SPF outcome: an RFC 7208 name or "partial". @since 1.0 */
const char *fromauth_result_spf_summary(const struct fromauth_result *result);
/** SPF evaluations, one per sampled service address. @since 1.0 */
size_t fromauth_result_spf_count(const struct fromauth_result *result);
/** The @p i th SPF evaluation, owned by the result. @since 1.0 */
const struct fromauth_spf *fromauth_result_spf(const struct fromauth_result *result, size_t i);
/** Number of DKIM identities of the profile checked. @since 1.0 */
size_t fromauth_result_dkim_count(const struct fromauth_result *result);
/** The @p i th DKIM identity's key, owned by the result. @since 1.0 */
const struct fromauth_dkim *fromauth_result_dkim(const struct fromauth_result *result, size_t i);
/** DMARC evaluation, owned by the result. @since 1.0 */
const struct fromauth_dmarc *fromauth_result_dmarc(const struct fromauth_result *result);
/** Number of findings. @since 1.0 */
size_t fromauth_result_finding_count(const struct fromauth_result *result);
/** Stable code of finding @p i ("spf.fail"); NULL if out of range. @since 1.0 */
const char *fromauth_result_finding_code(const struct fromauth_result *result, size_t i);
/** enum fromauth_severity of finding @p i; -1 if out of range. @since 1.0 */
int fromauth_result_finding_severity(const struct fromauth_result *result, size_t i);
/** One-sentence message of finding @p i. @since 1.0 */
const char *fromauth_result_finding_message(const struct fromauth_result *result, size_t i);
/** Number of fix records of finding @p i. @since 1.0 */
size_t fromauth_result_finding_fix_count(const struct fromauth_result *result, size_t i);
/** Fix record @p j of finding @p i, a master-file line. @since 1.0 */
const char *fromauth_result_finding_fix(const struct fromauth_result *result, size_t i, size_t j);
/** Non-zero when the fixes of finding @p i hold a placeholder for a value
 * only the user or the service has (never applied by FROMAUTH_CHECK_FIX);
 * -1 if out of range. @since 1.0 */
int fromauth_result_finding_fix_needs_input(const struct fromauth_result *result, size_t i);
/** Operation of a fix. @since 1.1 */
enum fromauth_fix_op {
	/** Publish the record. */
	FROMAUTH_FIX_ADD = 0,
	/** The old record becomes the new one (one change of an existing record). */
	FROMAUTH_FIX_REPLACE = 1,
	/** Remove the record. */
	FROMAUTH_FIX_DELETE = 2,
	/** Set something up at the service; plain text, not DNS. */
	FROMAUTH_FIX_ACTION = 3,
};
/** Static name of an enum fromauth_fix_op: "add", "replace", "delete",
 * "action"; NULL for another value. @since 1.1 */
const char *fromauth_fix_op_name(int op);
/** Number of fix operations of finding @p i: every fix in order, additions
 * and replacements (whose new lines are also fromauth_result_finding_fix()),
 * deletions and service actions. 0 if out of range. @since 1.1 */
size_t fromauth_result_finding_op_count(const struct fromauth_result *result, size_t i);
/** enum fromauth_fix_op of operation @p j of finding @p i; -1 if out of
 * range. @since 1.1 */
int fromauth_result_finding_op(const struct fromauth_result *result, size_t i, size_t j);
/** Master-file line of operation @p j of finding @p i: the record to
 * publish (add, replace) or to remove (delete); NULL for an action or out of
 * range.  Owned by @p result. @since 1.1 */
const char *fromauth_result_finding_op_rr(const struct fromauth_result *result, size_t i,
					  size_t j);
/** For a replacement, the master-file line of the record it replaces; NULL
 * otherwise.  Owned by @p result. @since 1.1 */
const char *fromauth_result_finding_op_old(const struct fromauth_result *result, size_t i,
					   size_t j);
/** For an action, what to set up at the service, one sentence; NULL
 * otherwise.  Owned by @p result. @since 1.1 */
const char *fromauth_result_finding_op_text(const struct fromauth_result *result, size_t i,
					    size_t j);
/** DNS queries sent during the check. @since 1.0 */
unsigned int fromauth_result_dns_queries(const struct fromauth_result *result);
/** Cache hits during the check. @since 1.0 */
unsigned int fromauth_result_cache_hits(const struct fromauth_result *result);
/** Wall time of the check, ms. @since 1.0 */
unsigned int fromauth_result_elapsed_ms(const struct fromauth_result *result);
/** The whole result as the JSON object of SPEC section 7, built on the first
 * call (safe from many threads at once); NULL if out of memory. @since 1.0 */
const char *fromauth_result_json(const struct fromauth_result *result);
/** The From address checked, local@domain in A-labels. @since 1.1 */
const char *fromauth_result_from(const struct fromauth_result *result);
/** Name of the profile checked, or NULL when it has none. @since 1.1 */
const char *fromauth_result_service(const struct fromauth_result *result);
/** Non-zero when SPF passes aligned with the From domain. @since 1.1 */
int fromauth_result_spf_aligned(const struct fromauth_result *result);
/** Non-zero when the MAIL FROM domain is outside the From domain's
 * organizational domain (SPF cannot align). @since 1.1 */
int fromauth_result_spf_outside_domain(const struct fromauth_result *result);
/** The SPF record at the MAIL FROM domain (the top of the tree), or NULL
 * when there is none or more than one. @since 1.1 */
const char *fromauth_result_spf_record(const struct fromauth_result *result);
/** DNS-querying terms of the whole SPF tree (RFC 7208 4.6.4); a lower
 * bound when fromauth_result_spf_lookups_cut() says so. @since 1.1 */
unsigned int fromauth_result_spf_lookups(const struct fromauth_result *result);
/** Non-zero when the SPF tree was read only as far as a receiver reads it
 * (10 DNS-querying terms, 2 void lookups, a temporary or permanent error)
 * and terms were left unread: the two counts are then lower bounds.
 * @since 1.1 */
int fromauth_result_spf_lookups_cut(const struct fromauth_result *result);
/** Void lookups of the whole SPF tree. @since 1.1 */
unsigned int fromauth_result_spf_void_lookups(const struct fromauth_result *result);
/** DKIM identity @p i aligned with the From domain: 1, 0, or -1 when it
 * could not be told (DNS failure) or @p i is out of range. @since 1.1 */
int fromauth_result_dkim_aligned(const struct fromauth_result *result, size_t i);
/** This check's DMARC outcome: "pass", "fail", "none" (no valid record)
 * or "temperror"; static. @since 1.1 */
const char *fromauth_result_dmarc_result(const struct fromauth_result *result);
/** Number of fix records FROMAUTH_CHECK_FIX did not apply because they
 * hold a placeholder (fromauth_result_finding_fix_needs_input()). @since 1.1 */
size_t fromauth_result_fix_not_applied_count(const struct fromauth_result *result);
/** The @p i th fix not applied, a master-file line. @since 1.1 */
const char *fromauth_result_fix_not_applied(const struct fromauth_result *result, size_t i);

/** Static names: "pass", "fail", "unknown", "not_checked". @since 1.1 */
const char *fromauth_rule_status_name(int status);
/** Number of receiver rule rows (0 without FROMAUTH_CHECK_RULES_*). @since 1.1 */
size_t fromauth_result_rule_count(const struct fromauth_result *result);
/** Receiver of row @p i: "gmail", "yahoo", "outlook" or "apple"; NULL if
 * out of range. @since 1.1 */
const char *fromauth_result_rule_receiver(const struct fromauth_result *result, size_t i);
/** Senders the row applies to: "all" or "bulk". @since 1.1 */
const char *fromauth_result_rule_tier(const struct fromauth_result *result, size_t i);
/** The requirement, one sentence. @since 1.1 */
const char *fromauth_result_rule_requirement(const struct fromauth_result *result, size_t i);
/** enum fromauth_rule_status of row @p i; -1 if out of range. @since 1.1 */
int fromauth_result_rule_status(const struct fromauth_result *result, size_t i);
/** SMTP reply the receiver gives when the rule is broken ("550 5.7.26"),
 * or "" when it publishes none. @since 1.1 */
const char *fromauth_result_rule_code(const struct fromauth_result *result, size_t i);
/** What was found and, when failing, what the receiver does. @since 1.1 */
const char *fromauth_result_rule_message(const struct fromauth_result *result, size_t i);
/** Code of the finding whose fix makes the row pass, or NULL. @since 1.1 */
const char *fromauth_result_rule_finding(const struct fromauth_result *result, size_t i);
/** Static names: "not_listed", "listed", "refused", "error", "unknown". @since 1.1 */
const char *fromauth_reputation_status_name(int status);
/** Number of blocklist lookups (0 without FROMAUTH_CHECK_REPUTATION). @since 1.1 */
size_t fromauth_result_reputation_count(const struct fromauth_result *result);
/** Blocklist zone of lookup @p i; NULL if out of range. @since 1.1 */
const char *fromauth_result_reputation_zone(const struct fromauth_result *result, size_t i);
/** Domain or address looked up. @since 1.1 */
const char *fromauth_result_reputation_target(const struct fromauth_result *result, size_t i);
/** enum fromauth_reputation_status of lookup @p i; -1 if out of range. @since 1.1 */
int fromauth_result_reputation_status(const struct fromauth_result *result, size_t i);
/** What the answer means, with the list's TXT reason; "" when not listed. @since 1.1 */
const char *fromauth_result_reputation_reason(const struct fromauth_result *result, size_t i);

/* ---- Message verification (SPEC section 10) ---------------------------- */

/** Result of fromauth_verify(). @since 1.1 */
struct fromauth_verify;

/** Flags of fromauth_verify(). @since 1.1 */
enum fromauth_verify_flags {
	/** Also apply every fix record as overlay and verify again. */
	FROMAUTH_VERIFY_FIX = 1 << 0,
};

/**
 * Why did this message fail?  Verify every DKIM-Signature of one RFC 5322
 * message (LF or CRLF line ends), SPF for the connection it came in on,
 * and DMARC for its From domain, and compare with the receiver's own
 * Authentication-Results fields in the message.
 *
 * The connection comes from @p ip, @p helo and @p mail_from; each one
 * left NULL is taken from the topmost Received: field (IP, HELO) and
 * Return-Path: (MAIL FROM) when the message has them.  @p mail_from ""
 * is the null sender.  Without an IP, SPF is "none" with a finding.
 * Bounds: 10 MiB, 1000 header fields, 16 DKIM signatures; more is
 * FROMAUTH_E_RANGE.
 *
 * @param message the message bytes (need not be NUL-terminated)
 * @param authserv_id names our Authentication-Results value, and, when
 *        given, only the message's fields with this authserv-id are
 *        compared with ours (NULL: "fromauth", and all are compared)
 * @param flags enum fromauth_verify_flags
 * @param[out] out the result, free with fromauth_verify_free()
 * @return 0, FROMAUTH_E_INVAL, FROMAUTH_E_MESSAGE (no or an unusable From
 *         field, not a message; errbuf says what), FROMAUTH_E_RANGE,
 *         FROMAUTH_E_IP, FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_verify(struct fromauth_ctx *ctx, const char *message, size_t len,
		    const char *ip, const char *helo, const char *mail_from,
		    const char *authserv_id, unsigned int flags,
		    struct fromauth_verify **out, char *errbuf, size_t errlen);
/** @since 1.1 */
void fromauth_verify_free(struct fromauth_verify *verify);
/** The From address (addr-spec, A-label domain). @since 1.1 */
const char *fromauth_verify_from(const struct fromauth_verify *verify);
/** The From domain. @since 1.1 */
const char *fromauth_verify_domain(const struct fromauth_verify *verify);
/** DMARC result, RFC 8601: "pass", "fail", "none", "temperror",
 * "permerror". @since 1.1 */
const char *fromauth_verify_dmarc_result(const struct fromauth_verify *verify);
/** The DMARC evaluation of the From domain, owned by @p verify. @since 1.1 */
const struct fromauth_dmarc *fromauth_verify_dmarc(const struct fromauth_verify *verify);
/** SPF result for the connection, RFC 8601 names. @since 1.1 */
const char *fromauth_verify_spf_result(const struct fromauth_verify *verify);
/** The SPF evaluation, or NULL when the connection was unknown. @since 1.1 */
const struct fromauth_spf *fromauth_verify_spf(const struct fromauth_verify *verify);
/** 1 when SPF passed for a domain aligned with From. @since 1.1 */
int fromauth_verify_spf_aligned(const struct fromauth_verify *verify);
/** Number of DKIM-Signature fields, top-down. @since 1.1 */
size_t fromauth_verify_signature_count(const struct fromauth_verify *verify);
/** d= of signature @p i (lower case, "" when absent). @since 1.1 */
const char *fromauth_verify_signature_domain(const struct fromauth_verify *verify, size_t i);
/** s= of signature @p i. @since 1.1 */
const char *fromauth_verify_signature_selector(const struct fromauth_verify *verify, size_t i);
/** Result of signature @p i, RFC 8601: "pass", "fail", "policy",
 * "neutral", "permerror", "temperror". @since 1.1 */
const char *fromauth_verify_signature_result(const struct fromauth_verify *verify, size_t i);
/** Why, as a sentence. @since 1.1 */
const char *fromauth_verify_signature_reason(const struct fromauth_verify *verify, size_t i);
/** 1 aligned with the From domain, 0 not, -1 unknown (DNS). @since 1.1 */
int fromauth_verify_signature_aligned(const struct fromauth_verify *verify, size_t i);
/** The value of an RFC 8601 Authentication-Results field with our
 * results. @since 1.1 */
const char *fromauth_verify_authentication_results(const struct fromauth_verify *verify);
/** Number of findings. @since 1.1 */
size_t fromauth_verify_finding_count(const struct fromauth_verify *verify);
/** Stable code of finding @p i. @since 1.1 */
const char *fromauth_verify_finding_code(const struct fromauth_verify *verify, size_t i);
/** enum fromauth_severity of finding @p i; -1 if out of range. @since 1.1 */
int fromauth_verify_finding_severity(const struct fromauth_verify *verify, size_t i);
/** Message of finding @p i. @since 1.1 */
const char *fromauth_verify_finding_message(const struct fromauth_verify *verify, size_t i);
/** Number of fix records of finding @p i. @since 1.1 */
size_t fromauth_verify_finding_fix_count(const struct fromauth_verify *verify, size_t i);
/** Fix record @p j of finding @p i, a master-file line. @since 1.1 */
const char *fromauth_verify_finding_fix(const struct fromauth_verify *verify, size_t i, size_t j);
/** With FROMAUTH_VERIFY_FIX, the DMARC result after publishing every fix
 * record of the findings; else NULL. @since 1.1 */
const char *fromauth_verify_fixed_dmarc_result(const struct fromauth_verify *verify);
/** The whole result as the JSON object of SPEC section 10. @since 1.1 */
const char *fromauth_verify_json(const struct fromauth_verify *verify);

/**
 * @defgroup batch Batch: many From addresses, one context
 * Checks many From addresses on a fixed set of worker threads owned by the
 * batch, and hands each result back as it completes with its input index
 * (SPEC section 9).  No callbacks: a binding adds addresses and calls
 * fromauth_batch_next() in a loop, from one thread or from two (one adding,
 * one taking results).
 *
 * Memory: a batch holds the addresses added and not yet checked and the
 * results completed and not yet taken.  A caller keeps it bounded by
 * staying at most a window W ahead: add while fewer than W items are
 * outstanding (added minus taken), else take one with fromauth_batch_next()
 * first.  W = 4 x jobs keeps every worker busy.  An application that wants
 * results in input order buffers at most W of them.
 * @{
 */
struct fromauth_batch;

/**
 * Start a batch that checks addresses against @p profile on @p ctx, like
 * fromauth_check() with @p flags.  The context and the profile are borrowed:
 * both must outlive the batch and stay unchanged while it lives.
 * @param jobs worker threads, 1..256; 0 chooses 16 (checks mostly wait for
 *             DNS, so more jobs than processors pays)
 * @param[out] out the batch, free with fromauth_batch_free()
 * @return 0, FROMAUTH_E_INVAL (NULL argument, unknown flag, jobs over 256),
 *         FROMAUTH_E_PROFILE (errbuf says why), FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_batch_new(struct fromauth_ctx *ctx, const struct fromauth_profile *profile,
		       unsigned int flags, unsigned int jobs, struct fromauth_batch **out,
		       char *errbuf, size_t errlen);

/**
 * Queue @p from for checking; never blocks.  A malformed address is not an
 * error here: its item comes back from fromauth_batch_next() with an error.
 * @param[out] index the item's 0-based index, in the order of adding (may be
 *             NULL)
 * @return 0, FROMAUTH_E_INVAL (NULL argument, or the batch is closed),
 *         FROMAUTH_E_NOMEM
 * @since 1.1
 */
int fromauth_batch_add(struct fromauth_batch *batch, const char *from, size_t *index);

/**
 * No more input: once every item has been taken, fromauth_batch_next()
 * returns 0.  Closing twice is harmless.
 * @return 0, FROMAUTH_E_INVAL for a NULL batch
 * @since 1.1
 */
int fromauth_batch_close(struct fromauth_batch *batch);

/**
 * Wait for the next completed item, in completion order.
 * @param[out] index the item's input index
 * @param[out] result the result, the caller's to free with
 *             fromauth_result_free(); NULL when the item failed
 * @param[out] error 0, or the item's negative enum fromauth_error value, e.g.
 *             FROMAUTH_E_ADDRESS; errbuf then says why
 * @return 1 an item came back; 0 the batch is closed and every item has
 *         been taken; FROMAUTH_E_INVAL on misuse: NULL arguments, or no
 *         item outstanding on an open batch (the call would wait forever)
 * @since 1.1
 */
int fromauth_batch_next(struct fromauth_batch *batch, size_t *index,
			struct fromauth_result **result, int *error,
			char *errbuf, size_t errlen);

/**
 * Stop the workers (checks in progress finish first) and free the batch,
 * with the items not yet taken.
 * @since 1.1
 */
void fromauth_batch_free(struct fromauth_batch *batch);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* FROMAUTH_FROMAUTH_H */
