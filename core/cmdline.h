/* Command-line parsing (pure logic, host-tested). Used for the hypervisor's
 * own command line and for guest module lines.
 *
 * A line is whitespace-separated tokens "key=value" or "key"; a token "--"
 * ends the options and everything after it (leading spaces skipped) is the
 * tail (e.g. a guest kernel's own command line). Values may be quoted with
 * double quotes to contain spaces: key="a b" gives the value a b. An
 * unterminated quote runs to the end of the line and text glued after the
 * closing quote stays part of the token; cmdline_apply reports both. */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H
#include "core/lib.h"

struct cmdline_tok {
	const char *key;  size_t keylen;
	const char *val;  size_t vallen;  /* val == NULL: no '=' */
};

/* Next token from *pos. Returns false at the end of the line or at "--"; in
 * the latter case *tail is set to the text after it (else *tail = NULL).
 * An empty key ("=x") is returned as a token with keylen == 0 so the caller
 * can report it. */
bool cmdline_next(const char **pos, struct cmdline_tok *tok, const char **tail);

/* Numbers: decimal, 0x hex; false on junk, empty input or overflow. */
bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out);
/* Sizes: a number with an optional K, M, G or T suffix (binary units, case
 * insensitive, optional trailing 'B' or "iB"); false on junk or overflow. */
bool cmdline_parse_size(const char *s, size_t len, uint64_t *out);
/* Booleans: 1/0, on/off, yes/no, true/false. */
bool cmdline_parse_bool(const char *s, size_t len, bool *out);

enum opt_type { OPT_STR, OPT_U64, OPT_SIZE, OPT_BOOL, OPT_FLAG };

struct opt_desc {
	const char *name;
	enum opt_type type;
	void *dst;          /* char[dstlen] | uint64_t | uint64_t | bool | bool */
	size_t dstlen;      /* OPT_STR: buffer size including the NUL */
	uint64_t min, max;  /* OPT_U64/OPT_SIZE range (inclusive); max 0 = no limit */
	bool *seen;         /* optional: set when the option was applied */
};
/* OPT_FLAG is a bare "key" (a value is an error); OPT_BOOL, OPT_U64 and
 * OPT_SIZE need "key=value"; OPT_STR accepts an empty value. */

/* Report callback: msg names the offending token, e.g.
 * "unknown option 'foo=1'" or "bad value for 'vcpus': 'x' (expected a number)". */
typedef void (*cmdline_warn_fn)(void *ctx, const char *msg);

/* Apply every token of line to the table. Unknown keys, missing or malformed
 * values, values out of range and strings too long are reported through warn
 * and leave dst unchanged. A key given twice: the last one wins. Returns the
 * number of problems reported; *tail (if non-NULL) gets the text after "--"
 * or NULL. */
int cmdline_apply(const char *line, const struct opt_desc *opts, size_t nopts,
		  cmdline_warn_fn warn, void *ctx, const char **tail);

#endif
